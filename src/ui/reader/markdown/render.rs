//! pulldown-cmark events → [`MarkupNode`]s, mapping each event to the one safe element it
//! stands for. Raw HTML becomes text, links pass [`link::classify`] or become text,
//! images become their alt text and address, heading ids and footnotes are not
//! enabled (an id from the model could shadow the page's own ids).

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

use super::{
    link,
    node::{Align, Kind, MarkupNode},
    repair::repair_tail,
};

/// Tables, strikethrough and task lists: GitHub's report features, switched on one by
/// one (pulldown-cmark's GFM option is about blockquote tags, not these).
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// A finished block, rendered once.
pub fn render_block(text: &str) -> Vec<MarkupNode> {
    build(Parser::new_ext(text, options()))
}

/// The unfinished tail, repaired for this frame first (see `repair`).
pub fn render_tail(text: &str) -> Vec<MarkupNode> {
    render_block(&repair_tail(text))
}

/// An element being filled, or a container whose children are lifted into the parent
/// (a link that failed the check; an image's alt text).
enum Open {
    Element(Kind),
    Lifted,
}

struct Builder {
    stack: Vec<(Open, Vec<MarkupNode>)>,
    /// Column alignments of the table being built, and the current cell's column.
    aligns: Vec<Alignment>,
    column: usize,
    in_head: bool,
}

fn build<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<MarkupNode> {
    let mut b = Builder {
        stack: vec![(Open::Lifted, Vec::new())],
        aligns: Vec::new(),
        column: 0,
        in_head: false,
    };
    for event in events {
        b.event(event);
    }
    // Every Start has its End in pulldown-cmark's output; close defensively anyway.
    while b.stack.len() > 1 {
        b.close();
    }
    b.stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

impl Builder {
    fn push(&mut self, node: MarkupNode) {
        if let Some((_, children)) = self.stack.last_mut() {
            // Adjacent text merges, so the tree does not depend on how the parser
            // happened to cut its text events.
            if let (MarkupNode::Text(new), Some(MarkupNode::Text(last))) =
                (&node, children.last_mut())
            {
                last.push_str(new);
                return;
            }
            children.push(node);
        }
    }

    fn text(&mut self, s: &str) {
        self.push(MarkupNode::text(s));
    }

    fn open(&mut self, kind: Kind) {
        self.stack.push((Open::Element(kind), Vec::new()));
    }

    fn close(&mut self) {
        let Some((open, children)) = self.stack.pop() else {
            return;
        };
        match open {
            Open::Element(kind) => self.push(MarkupNode::Element(kind, children)),
            Open::Lifted => children.into_iter().for_each(|c| self.push(c)),
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                self.close();
            }
            Event::End(_) => self.close(),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => {
                self.push(MarkupNode::Element(Kind::Code, vec![MarkupNode::text(&*t)]))
            }
            Event::Html(t) | Event::InlineHtml(t) => self.text(&t),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
            Event::FootnoteReference(t) => self.text(&format!("[^{t}]")),
            Event::SoftBreak => self.text("\n"),
            Event::HardBreak => self.push(MarkupNode::Element(Kind::LineBreak, Vec::new())),
            Event::Rule => self.push(MarkupNode::Element(Kind::Rule, Vec::new())),
            Event::TaskListMarker(done) => {
                self.push(MarkupNode::Element(Kind::TaskMarker(done), Vec::new()));
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        let kind = match tag {
            Tag::Paragraph => Kind::Paragraph,
            Tag::Heading { level, .. } => Kind::Heading(heading_level(level)),
            Tag::BlockQuote(_) => Kind::BlockQuote,
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
                let lang = info.split_whitespace().next().map(str::to_owned);
                Kind::CodeBlock(lang)
            }
            Tag::CodeBlock(CodeBlockKind::Indented) => Kind::CodeBlock(None),
            Tag::HtmlBlock => Kind::RawHtml,
            Tag::List(start) => Kind::List(start),
            Tag::Item => Kind::Item,
            Tag::Table(aligns) => {
                self.aligns = aligns;
                Kind::Table
            }
            Tag::TableHead => {
                self.in_head = true;
                self.column = 0;
                Kind::TableHead
            }
            Tag::TableRow => {
                self.column = 0;
                Kind::TableRow
            }
            Tag::TableCell => {
                let align = self.aligns.get(self.column).map_or(Align::None, align);
                self.column += 1;
                Kind::TableCell {
                    header: self.in_head,
                    align,
                }
            }
            Tag::Emphasis => Kind::Emphasis,
            Tag::Strong => Kind::Strong,
            Tag::Strikethrough => Kind::Strikethrough,
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let dest = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                match link::classify(&dest) {
                    Some(target) => Kind::Link(target),
                    None => {
                        self.stack.push((Open::Lifted, Vec::new()));
                        return;
                    }
                }
            }
            Tag::Image { dest_url, .. } => Kind::Image(dest_url.to_string()),
            // Not enabled in `options()`; kept as plain containers if they ever appear.
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => {
                self.stack.push((Open::Lifted, Vec::new()));
                return;
            }
        };
        self.open(kind);
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn align(a: &Alignment) -> Align {
    match a {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}
