//! The renderer as a reader sees it: what each construct becomes, that hostile input
//! stays inert, that the streaming tail never shows a live half link or a half image,
//! and that any split of the same text gives the same blocks.

use proptest::prelude::*;

use super::{Kind, LiveMarkdown, MarkupNode, link::Target, render_block, render_tail};

fn el(kind: Kind, children: Vec<MarkupNode>) -> MarkupNode {
    MarkupNode::Element(kind, children)
}
fn t(s: &str) -> MarkupNode {
    MarkupNode::text(s)
}

/// Every element kind in the tree, depth first.
fn kinds(nodes: &[MarkupNode]) -> Vec<Kind> {
    let mut out = Vec::new();
    fn walk(n: &MarkupNode, out: &mut Vec<Kind>) {
        if let MarkupNode::Element(k, c) = n {
            out.push(k.clone());
            c.iter().for_each(|n| walk(n, out));
        }
    }
    nodes.iter().for_each(|n| walk(n, &mut out));
    out
}

fn links(nodes: &[MarkupNode]) -> Vec<Target> {
    kinds(nodes)
        .into_iter()
        .filter_map(|k| match k {
            Kind::Link(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn text_of(nodes: &[MarkupNode]) -> String {
    nodes.iter().map(MarkupNode::plain_text).collect()
}

/// The whole text streamed in the given chunks: every block, then the final tail.
fn streamed(chunks: &[&str]) -> Vec<Vec<MarkupNode>> {
    let mut live = LiveMarkdown::new();
    let mut out = Vec::new();
    for c in chunks {
        out.extend(
            live.push(c)
                .finished
                .into_iter()
                .map(|b| (*b.nodes).clone()),
        );
    }
    out.push(live.finish());
    out
}

#[test]
fn report_constructs_become_their_elements() {
    let nodes = render_block("## Summary\n");
    assert_eq!(nodes, [el(Kind::Heading(2), vec![t("Summary")])]);
    let nodes = render_block("- **Severity:** High\n- [x] fixed ~~old~~\n");
    assert_eq!(
        nodes,
        [el(
            Kind::List(None),
            vec![
                el(
                    Kind::Item,
                    vec![el(Kind::Strong, vec![t("Severity:")]), t(" High")]
                ),
                el(
                    Kind::Item,
                    vec![
                        el(Kind::TaskMarker(true), vec![]),
                        t("fixed "),
                        el(Kind::Strikethrough, vec![t("old")])
                    ]
                ),
            ]
        )]
    );
    let nodes = render_block("```solidity\nuint a;\n```\n");
    assert_eq!(
        nodes,
        [el(
            Kind::CodeBlock(Some("solidity".into())),
            vec![t("uint a;\n")]
        )]
    );
    let table = kinds(&render_block("| a | b |\n|---|--:|\n| 1 | 2 |\n"));
    assert!(table.contains(&Kind::Table));
    assert!(table.contains(&Kind::TableCell {
        header: false,
        align: super::Align::Right
    }));
}

#[test]
fn raw_html_is_literal_text() {
    for html in [
        "<script>alert(1)</script>\n",
        "<img src=x onerror=alert(1)>\n",
        "<iframe src=\"https://evil.example\"></iframe>\n",
        "<style>body{display:none}</style>\n",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">\n",
        "text <b onmouseover=alert(1)>bold</b> text\n",
        "| a |\n|---|\n| <script>alert(1)</script> |\n",
        "> <iframe src=x></iframe>\n",
    ] {
        let nodes = render_block(html);
        let text = text_of(&nodes);
        for tag in ["<script", "<img", "<iframe", "<style", "<meta", "<b "] {
            if html.contains(tag) {
                assert!(text.contains(tag), "{html:?} lost {tag} as text: {text:?}");
            }
        }
        assert!(links(&nodes).is_empty());
        assert!(
            !kinds(&nodes)
                .iter()
                .any(|k| matches!(k, Kind::Image(_) | Kind::Link(_)))
        );
    }
}

#[test]
fn only_safe_links_are_live_in_every_spelling() {
    let hostile = [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript&colon;alert(1))",
        "[x](java&#09;script:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x]( javascript:alert(1) )",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "[x](\\javascript:alert(1))",
        "<javascript:alert(1)>",
        "<data:text/html,x>",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "[x][r]\n[r]: javascript:alert(1)",
        "[x]\n\n[x]: vbscript:x",
        "[x](//evil.example)",
    ];
    for md in hostile {
        let nodes = render_block(md);
        assert!(links(&nodes).is_empty(), "{md:?} made a link: {nodes:?}");
    }
    let nodes = render_block(
        "[SWC-107](https://swcregistry.io/docs/SWC-107) <https://a.example> <sec@a.example> [top](#summary)",
    );
    assert_eq!(
        links(&nodes),
        [
            Target::External("https://swcregistry.io/docs/SWC-107".into()),
            Target::External("https://a.example".into()),
            Target::Mail("mailto:sec@a.example".into()),
            Target::Anchor("#summary".into()),
        ]
    );
}

#[test]
fn images_are_alt_text_and_address_never_fetched() {
    let nodes = render_block("![pixel](http://127.0.0.1:9/count.png)");
    assert_eq!(
        nodes,
        [el(
            Kind::Paragraph,
            vec![el(
                Kind::Image("http://127.0.0.1:9/count.png".into()),
                vec![t("pixel")]
            )]
        )]
    );
}

#[test]
fn the_tail_never_shows_a_half_link_or_a_half_image() {
    for partial in [
        "see [SWC-107](https://swcregistry.io/do",
        "see [SWC-107](",
        "see [SWC-107]",
        "see [SWC-",
    ] {
        let nodes = render_tail(partial);
        assert!(links(&nodes).is_empty(), "{partial:?}");
        assert!(text_of(&nodes).starts_with("see "));
    }
    let nodes = render_tail("see ![pixel](http://127.0.0.1:9/cou");
    assert_eq!(text_of(&nodes), "see");
    assert!(!kinds(&nodes).iter().any(|k| matches!(k, Kind::Image(_))));
}

#[test]
fn an_open_fence_renders_as_code_that_grows() {
    let a = render_tail("```solidity\nfunction f() {\n  x = **y");
    assert_eq!(
        a,
        [el(
            Kind::CodeBlock(Some("solidity".into())),
            vec![t("function f() {\n  x = **y")]
        )]
    );
}

#[test]
fn the_tail_is_bold_while_it_is_being_written() {
    let nodes = render_tail("- **Severity");
    assert!(kinds(&nodes).contains(&Kind::Strong));
    assert!(!text_of(&nodes).contains('*'));
}

const REPORT: &str = "# Security report: Vault.sol\n\n## Summary\nSolidity 0.8, **two** findings.\n\n## Findings\n\n### 1. Reentrancy in `withdraw`\n- **Severity:** High\n- **Line:** 19-25\n\n```solidity\nfunction withdraw() {\n\n  msg.sender.call{value: x}(\"\");\n}\n```\n\n| id | severity |\n|---|:-:|\n| H-01 | High |\n\n> quoted <script>alert(1)</script>\n\n1. one\n2. two\n\n[link](https://swcregistry.io) and ![img](http://x/y.png) and ~~gone~~\n\n---\nlast line";

#[test]
fn a_report_splits_into_blocks_that_render_like_the_whole() {
    let blocks = streamed(&[REPORT]);
    assert!(blocks.len() > 8, "{}", blocks.len());
    let squash = |s: String| s.split_whitespace().collect::<String>();
    let whole: String = blocks.iter().map(|b| text_of(b)).collect();
    assert_eq!(squash(whole), squash(text_of(&render_block(REPORT))));
    let mut live = LiveMarkdown::new();
    let lines: Vec<u32> = live.push(REPORT).finished.iter().map(|b| b.line).collect();
    assert_eq!(&lines[..4], [1, 3, 4, 6]);
    let all: Vec<Kind> = blocks.iter().flat_map(|b| kinds(b)).collect();
    for k in [
        Kind::Heading(1),
        Kind::Heading(3),
        Kind::Table,
        Kind::BlockQuote,
        Kind::Rule,
        Kind::Strong,
        Kind::Code,
    ] {
        assert!(all.contains(&k), "{k:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_split_gives_the_same_blocks(cuts in proptest::collection::vec(0usize..REPORT.len(), 0..12)) {
        let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| REPORT.is_char_boundary(c)).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut chunks = Vec::new();
        let mut at = 0;
        for c in cuts {
            chunks.push(&REPORT[at..c]);
            at = c;
        }
        chunks.push(&REPORT[at..]);
        prop_assert_eq!(streamed(&chunks), streamed(&[REPORT]));
    }

    #[test]
    fn any_prefix_renders_without_panicking_or_live_scripts(len in 0usize..REPORT.len()) {
        let mut len = len;
        while !REPORT.is_char_boundary(len) {
            len -= 1;
        }
        let mut live = LiveMarkdown::new();
        let frame = live.push(&REPORT[..len]);
        for target in links(&frame.tail) {
            prop_assert!(matches!(target, Target::External(_) | Target::Anchor(_) | Target::Mail(_)));
        }
    }

    #[test]
    fn arbitrary_text_streams_the_same_as_whole(text in "[-#*`~|>\\[\\]()!a-z \n]{0,200}", cut in 0usize..200) {
        let cut = cut.min(text.len());
        prop_assert_eq!(streamed(&[&text[..cut], &text[cut..]]), streamed(&[&text]));
    }
}
