//! The renderer's output: a small tree of the only elements a report may contain.
//! The parser fills it, the unit tests compare it, and the view turns it into DOM
//! nodes one to one, so what the tests check is what the browser shows.

/// One node of a rendered block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkupNode {
    /// Literal text; the view sets it as a text node, never as markup.
    Text(String),
    Element(Kind, Vec<MarkupNode>),
}

/// How a table column is aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

/// Every element the renderer can produce. There is deliberately no variant that
/// carries markup, an event handler, a style or a fetched resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Paragraph,
    /// 1 to 6.
    Heading(u8),
    BlockQuote,
    /// `Some(n)`: an ordered list starting at `n`.
    List(Option<u64>),
    Item,
    /// A fenced or indented code block, with the fence's language when it had one.
    CodeBlock(Option<String>),
    /// Raw HTML from the model, shown as the literal text it is.
    RawHtml,
    Table,
    TableHead,
    TableRow,
    TableCell {
        header: bool,
        align: Align,
    },
    Emphasis,
    Strong,
    Strikethrough,
    Code,
    /// A link whose target passed [`super::link::classify`].
    Link(super::link::Target),
    /// An image, never fetched: its alt text (the children) and its address as text.
    Image(String),
    Rule,
    LineBreak,
    /// A task list item's box: checked or not.
    TaskMarker(bool),
}

impl MarkupNode {
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// The text a reader would select: every text node, in order.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        match self {
            Self::Text(t) => out.push_str(t),
            Self::Element(_, children) => children.iter().for_each(|c| c.collect_text(out)),
        }
    }
}
