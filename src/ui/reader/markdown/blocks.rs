//! Splits a growing report into finished blocks and one unfinished tail.
//!
//! A boundary is decided from complete lines only, and once decided it never moves,
//! so any split of the same text into chunks yields the same blocks. Rules, outside
//! a fenced code block (` ``` ` or `~~~`, up to three spaces of indent):
//! - a non-blank line that starts at column 0 after a blank line starts a new block
//!   (an indented line continues the block: a list item's paragraph, indented code);
//! - an ATX heading at column 0 (`# ` … `###### `) is a block of its own.
//!
//! Splitting a loose list at a blank line gives two lists that look the same; link
//! reference definitions only reach links in their own block. Both are accepted for
//! a renderer whose cost per frame is the size of the tail, not of the report.

use std::ops::Range;

/// An open code fence: its character and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fence {
    ch: u8,
    len: usize,
}

/// Feeds the report text in, hands out each block as it finishes. It keeps only the
/// unfinished tail: the report's text is kept once, by the page's state.
#[derive(Debug, Default)]
pub struct BlockSplitter {
    /// The unfinished tail, then the part of the last chunk not scanned yet.
    text: String,
    /// Where the unfinished tail starts.
    tail_start: usize,
    /// Where the first line not yet scanned starts.
    scanned: usize,
    fence: Option<Fence>,
    after_blank: bool,
}

impl BlockSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `chunk`; returns the text of each block it finished, in order.
    pub fn push(&mut self, chunk: &str) -> Vec<String> {
        self.text.push_str(chunk);
        let mut finished = Vec::new();
        while let Some(nl) = self.text[self.scanned..].find('\n') {
            let start = self.scanned;
            let end = start + nl + 1;
            self.scanned = end;
            self.scan_line(start, end, &mut finished);
        }
        let blocks = finished
            .into_iter()
            .map(|r| self.text[r].to_owned())
            .collect();
        // Finished text is handed out once and not kept.
        self.text.drain(..self.tail_start);
        self.scanned -= self.tail_start;
        self.tail_start = 0;
        blocks
    }

    fn scan_line(&mut self, start: usize, end: usize, finished: &mut Vec<Range<usize>>) {
        let line = &self.text[start..end];
        if let Some(open) = self.fence {
            if closes_fence(line, open) {
                self.fence = None;
            }
            self.after_blank = false;
            return;
        }
        if line.trim().is_empty() {
            self.after_blank = true;
            return;
        }
        let heading = is_atx_heading(line);
        let at_column_0 = !line.starts_with([' ', '\t']);
        // Blank lines alone make no block: they go with the next one.
        let has_text = !self.text[self.tail_start..start].trim().is_empty();
        if (heading || (self.after_blank && at_column_0)) && has_text {
            finished.push(self.tail_start..start);
            self.tail_start = start;
        }
        self.after_blank = false;
        if heading {
            finished.push(self.tail_start..end);
            self.tail_start = end;
        } else {
            self.fence = opens_fence(line);
        }
    }

    /// The unfinished last block (may be empty).
    pub fn tail(&self) -> &str {
        &self.text[self.tail_start..]
    }
}

/// The fence a line opens: three or more backticks or tildes after at most three
/// spaces; a backtick fence's info string may not contain a backtick.
fn opens_fence(line: &str) -> Option<Fence> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == ch).count();
    if len < 3 || (ch == b'`' && rest[len..].contains('`')) {
        return None;
    }
    Some(Fence { ch, len })
}

/// A closing fence: the same character, at least as long, nothing but spaces after.
fn closes_fence(line: &str, open: Fence) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = &line[indent..];
    let len = rest.bytes().take_while(|&b| b == open.ch).count();
    len >= open.len && rest[len..].trim().is_empty()
}

/// `#` to `######` at column 0, then a space, a tab or the end of the line.
fn is_atx_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes)
        && matches!(
            line.as_bytes().get(hashes),
            Some(b' ' | b'\t' | b'\n' | b'\r')
        )
}

/// Whether `text` ends inside an open code fence (the tail's code then only grows).
pub fn ends_in_fence(text: &str) -> bool {
    let mut fence = None;
    for line in text.split_inclusive('\n') {
        fence = match fence {
            Some(open) if closes_fence(line, open) => None,
            Some(open) => Some(open),
            None => opens_fence(line),
        };
    }
    fence.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> (Vec<String>, String) {
        let mut s = BlockSplitter::new();
        let done = s.push(text);
        (done, s.tail().to_owned())
    }

    #[test]
    fn a_blank_line_then_column_0_starts_a_block() {
        let (done, tail) = blocks("para one\nstill one\n\npara two\n\n- a\n- b\n\n  indented\n\nx");
        assert_eq!(done, ["para one\nstill one\n\n", "para two\n\n"]);
        // `x` is not a whole line yet, so it decides nothing.
        assert_eq!(tail, "- a\n- b\n\n  indented\n\nx");
    }

    #[test]
    fn headings_are_blocks_of_their_own() {
        let (done, tail) = blocks("# Report\n## Summary\ntext\n### 1. Title\n- x\n#hashtag\n");
        assert_eq!(
            done,
            ["# Report\n", "## Summary\n", "text\n", "### 1. Title\n"]
        );
        assert_eq!(tail, "- x\n#hashtag\n");
    }

    #[test]
    fn nothing_splits_inside_a_fence() {
        let text = "```solidity\nfunction f() {\n\n# not a heading\n}\n~~~~\n`` still code\n````\n\nafter\n";
        let (done, tail) = blocks(text);
        assert_eq!(
            done,
            ["```solidity\nfunction f() {\n\n# not a heading\n}\n~~~~\n`` still code\n````\n\n"]
        );
        assert_eq!(tail, "after\n");
        assert!(ends_in_fence("text\n~~~\ncode"));
        assert!(!ends_in_fence("```\ncode\n```\n"));
        assert!(
            ends_in_fence("``` a\n``` b\n"),
            "a closing fence has no info string"
        );
    }

    #[test]
    fn an_unfinished_line_decides_nothing() {
        let mut s = BlockSplitter::new();
        assert!(s.push("text\n\n# Head").is_empty());
        assert_eq!(s.tail(), "text\n\n# Head");
        assert_eq!(s.push("ing\n"), ["text\n\n", "# Heading\n"]);
        assert_eq!(s.tail(), "");
    }
}
