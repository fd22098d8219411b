//! Tests of the parser on text that is still arriving: any prefix parses without panicking,
//! a finding marked complete never changes afterwards, and a reader that parses only newly
//! finished blocks ends with the same findings as one parse of the whole report.

use proptest::prelude::*;

use super::model::{Finding, Report};
use super::parse::{Parsed, parse_block, parse_finished_report, parse_report};
use super::scan::{Outliner, outline};

const FIXTURES: &[&str] = &[
    include_str!("../../tests/fixtures/reports/ours.md"),
    include_str!("../../tests/fixtures/reports/code4rena.md"),
    include_str!("../../tests/fixtures/reports/sherlock.md"),
    include_str!("../../tests/fixtures/reports/cyfrin.md"),
    include_str!("../../tests/fixtures/reports/spearbit.md"),
    include_str!("../../tests/fixtures/reports/trailofbits.md"),
    include_str!("../../tests/fixtures/reports/openzeppelin.md"),
    include_str!("../../tests/fixtures/reports/llm-loose.md"),
    include_str!("../../tests/fixtures/reports/unclassified.md"),
    include_str!("../../tests/fixtures/reports/slither-simple-dao.md"),
    include_str!("../../tests/fixtures/reports/slither-unchecked-call.md"),
    include_str!("../../tests/fixtures/reports/slither-tx-origin.md"),
    include_str!("../../tests/fixtures/reports/code4rena-report.md"),
    include_str!("../../tests/fixtures/reports/c4-4naly3er.md"),
    include_str!("../../tests/fixtures/reports/aderyn.md"),
    include_str!("../../tests/fixtures/reports/pashov.md"),
    include_str!("../../tests/fixtures/reports/sherlock-judging.md"),
    include_str!("../../tests/fixtures/reports/sherlock-issue.md"),
];

/// The findings a live reader ends with when it is handed `chunks` one after another and
/// parses each block once, when it is finished (and the tail once the stream ends).
fn read_incrementally(chunks: &[&str]) -> Vec<Finding> {
    let mut text = String::new();
    let mut done: Vec<Parsed> = Vec::new();
    for chunk in chunks {
        text.push_str(chunk);
        let o = outline(&text, false);
        for b in o.blocks.iter().skip(done.len()) {
            if !b.finished {
                break;
            }
            done.push(parse_block(&text, b));
        }
    }
    let o = outline(&text, true);
    for b in o.blocks.iter().skip(done.len()) {
        done.push(parse_block(&text, b));
    }
    done.into_iter()
        .filter_map(|p| match p {
            Parsed::Finding(f) => Some(f),
            _ => None,
        })
        .collect()
}

/// Every finding `prefix` marks complete is the final report's finding at the same place.
fn complete_findings_are_final(prefix: &Report, last: &Report) -> Result<(), String> {
    for (i, f) in prefix.findings.iter().enumerate() {
        if f.complete && last.findings.get(i) != Some(f) {
            return Err(format!("finding {i} changed after it was complete: {f:#?}"));
        }
    }
    if prefix.findings.iter().rev().skip(1).any(|f| !f.complete) {
        return Err("only the last finding may be incomplete".into());
    }
    Ok(())
}

/// Where a fixture is cut to test a prefix: every character of a small one; in a large one
/// (where every prefix would cost quadratic time) the first bytes of each line, where
/// headings are half written, each line's end, and every 128th byte.
fn cut_points(text: &str) -> Vec<usize> {
    let mut line_start = 0;
    text.char_indices()
        .map(|(i, _)| i)
        .filter(|&i| {
            if i > 0 && text.as_bytes()[i - 1] == b'\n' {
                line_start = i;
            }
            let near_end = text.as_bytes().get(i) == Some(&b'\n');
            text.len() <= 2048 || i - line_start < 8 || near_end || i % 128 == 0
        })
        .collect()
}

#[test]
fn every_prefix_of_every_fixture_is_consistent_with_the_whole() {
    for text in FIXTURES {
        let last = parse_finished_report(text);
        for i in cut_points(text) {
            let prefix = parse_report(&text[..i]);
            complete_findings_are_final(&prefix, &last).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // In our grammar the last finding ends the report: open until the stream ends.
    let ours = parse_report(FIXTURES[0]);
    assert!(!ours.findings[1].complete && ours.findings[0].complete);
    assert!(parse_finished_report(FIXTURES[0]).findings[1].complete);
}

#[test]
fn a_finding_is_incomplete_until_the_next_heading_arrives() {
    let text = "## Findings\n\n### 1. Reentrancy\n- **Severity:** High\n- **Line:** 19\n";
    let r = parse_report(text);
    assert_eq!(r.findings.len(), 1);
    assert!(!r.findings[0].complete);
    // The next finding has no severity yet: pending, neither a finding nor unclassified.
    let next = format!("{text}\n### 2. Floating pragma\n");
    let r = parse_report(&next);
    assert!(r.findings.len() == 1 && r.findings[0].complete && r.unclassified.is_empty());
    let r = parse_report(&format!("{next}- **Severity:** Low\n"));
    assert!(r.findings[0].complete && !r.findings[1].complete);
    // Half a heading line is not a heading yet.
    let r = parse_report(&format!("{text}\n### 2. Flo"));
    assert_eq!(r.findings.len(), 1);
    assert!(!r.findings[0].complete);
}

#[test]
fn the_incremental_reader_matches_one_parse_on_fixtures() {
    for text in FIXTURES {
        let whole = parse_finished_report(text).findings;
        let by_line: Vec<&str> = text.split_inclusive('\n').collect();
        assert_eq!(read_incrementally(&by_line), whole);
        let mut points = cut_points(text);
        points.push(text.len());
        let by_cut: Vec<&str> = points.windows(2).map(|w| &text[w[0]..w[1]]).collect();
        assert_eq!(read_incrementally(&by_cut), whole);
    }
}

/// Lines a report is made of, hostile ones included.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "# Security report: Vault.sol",
            "## Summary",
            "## Findings",
            "## High",
            "## Medium Risk",
            "### 1. Reentrancy",
            "### [H-01] Drain",
            "# Issue M-2: Stale price",
            "## H-1: Thing",
            "### 2. Thing (Low)",
            "**[L-01] Bold finding**",
            "- **Severity:** High",
            "- **Severity**: Medium",
            "Severity: Low",
            "Impact: High",
            "- **Line:** 19-25",
            "Vault.sol#L19-L25",
            "lines 19–25",
            "**Explanation.** Because.",
            "**Recommendation.** Fix it.",
            "```solidity",
            "```",
            "~~~",
            "````",
            "#### Description",
            "## Conclusion",
            "| Severity | High |",
            "**SWC:** SWC-107",
            "**Detector:** tx-origin",
            "",
            "",
            "text line",
            "### ",
            "**",
            "- ",
            "L4294967296",
            "line 0",
        ])
        .prop_map(str::to_owned),
        "[#*`|:\\-\\[\\]( )a-zA-Z0-9éß–\u{1F600}\u{a0}\u{3000}\r\t]{0,24}",
    ]
}

/// `line()` and the lines of Slither checklists, bot-report listings and link headings.
/// Kept apart from `line()` because the writer does not write a checklist finding's
/// confidence or function, so these findings do not round-trip (see `write`).
fn streamed_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => line(),
        1 => prop::sample::select(vec![
            "## reentrancy-eth",
            "## solc-version",
            "Impact: High",
            "Impact: Optimization",
            "Confidence: Medium",
            " - [ ] ID-0",
            "- [x] ID-1",
            "Reentrancy in [V.withdraw()](src/V.sol#L19-L25):",
            "\t- [x = 1](src/V.sol#L20)",
            "src/V.sol#L19-L25",
            "## [[H-01] Drain](https://github.com/o/f/issues/1)",
            "### <a name=\"GAS-1\"></a>[GAS-1] Cache",
            "## [G&#x2011;01] Avoid",
            "File: src/V.sol",
            "medium",
            "## [[",
            "## [[H-01] x](",
            "## [[H-01] x]( a b )",
            "### <a ",
            "### <a name=\"x\">",
            "File: ",
            "file: é.sol :",
            "File: src/V.sol#L9-L",
            "4294967296: x",
            "- [ ] ID-",
            "Impact:",
            "Reentrancy in [[[[]](((()",
            "https://github.com/o/r/blob/x/V.sol?plain=1",
            "V.sol#L3C-L4C9",
            "80:     function withdraw() {",
            "81:         x;",
        ])
        .prop_map(str::to_owned),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_split_of_any_text_gives_the_same_findings(
        lines in prop::collection::vec(streamed_line(), 0..40),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let text = lines.join("\n");
        let whole = parse_finished_report(&text);
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(text.len() + 1)).collect();
        points.push(0);
        points.push(text.len());
        points.sort_unstable();
        points.dedup();
        let points: Vec<usize> = points.into_iter().filter(|&p| text.is_char_boundary(p)).collect();
        let chunks: Vec<&str> = points.windows(2).map(|w| &text[w[0]..w[1]]).collect();
        for &p in &points {
            let prefix = parse_report(&text[..p]);
            prop_assert!(complete_findings_are_final(&prefix, &whole).is_ok());
        }
        prop_assert_eq!(read_incrementally(&chunks), whole.findings);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// One `Outliner` fed a growing text chunk by chunk outlines it, at every point, as one
    /// pass over the text so far does (the live findings panel relies on this).
    #[test]
    fn an_outliner_fed_in_chunks_outlines_like_one_pass(
        lines in prop::collection::vec(streamed_line(), 0..40),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let text = lines.join("\n");
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(text.len() + 1)).collect();
        points.push(text.len());
        points.sort_unstable();
        points.dedup();
        let mut outliner = Outliner::default();
        for p in points.into_iter().filter(|&p| text.is_char_boundary(p)) {
            let so_far = &text[..p];
            outliner.feed(so_far);
            prop_assert_eq!(outliner.outline(so_far, false), outline(so_far, false));
            prop_assert_eq!(outliner.outline(so_far, true), outline(so_far, true));
            let finished = outline(so_far, false).blocks.into_iter().filter(|b| b.finished).collect::<Vec<_>>();
            prop_assert_eq!(outliner.finished(), &finished[..]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text at all: the parser, the writer and both exports take it without panicking.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}", source in "\\PC{0,80}") {
        let _ = parse_report(&text);
        let mut report = parse_finished_report(&text);
        super::parse::check_lines(&mut report, &source, Some("A.sol"));
        let _ = super::write::write_report(&report, super::language::Language::Solidity);
        let input = super::export::SarifInput { path: "A.sol", report: &report, source: Some(&source) };
        let _ = super::export::to_sarif_string(&[input], &super::export::SarifTool::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the parser reads, the writer writes so that it reads back the same.
    #[test]
    fn written_findings_read_back_the_same(lines in prop::collection::vec(line(), 0..40)) {
        let first = parse_finished_report(&lines.join("\n"));
        let md = super::write::write_report(&first, super::language::Language::Solidity);
        let again = parse_finished_report(&md);
        prop_assert_eq!(&again.findings, &first.findings, "{}", md);
    }
}
