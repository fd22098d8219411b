//! The pieces of a contract the guard reads: each comment and string literal, line by
//! line with its markers stripped (from the tree-sitter tree for Solidity, line by line
//! for Vyper), and neighbours joined so a phrase split across lines still matches.

use crate::analyzer::syntax::{SyntaxTree, kind};

/// The text of one comment or string literal, line by line, with its markers stripped.
#[derive(Clone, Debug, Default)]
pub(super) struct Piece {
    /// `(1-based line, text)`.
    pub(super) lines: Vec<(usize, String)>,
}

impl Piece {
    pub(super) fn first(&self) -> usize {
        self.lines.first().map_or(0, |l| l.0)
    }
    pub(super) fn last(&self) -> usize {
        self.lines.last().map_or(0, |l| l.0)
    }
}

pub(super) fn solidity_pieces(source: &str) -> Vec<Piece> {
    let tree = SyntaxTree::parse(source);
    let mut nodes: Vec<_> = tree
        .root()
        .descendants()
        .into_iter()
        .filter(|n| n.is(kind::COMMENT) || n.is(kind::STRING))
        .collect();
    nodes.sort_by_key(|n| n.start_byte());
    nodes
        .iter()
        .map(|n| {
            let strip = if n.is(kind::COMMENT) {
                strip_comment
            } else {
                strip_string
            };
            Piece {
                lines: (n.line()..)
                    .zip(n.text().split('\n'))
                    .map(|(line, text)| (line, strip(text)))
                    .collect(),
            }
        })
        .collect()
}

/// Vyper, line-based: `#` comments, quoted strings and `"""` docstrings.
pub(super) fn vyper_pieces(source: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut docstring: Option<Piece> = None;
    for (line, text) in (1..).zip(source.lines()) {
        if let Some(mut doc) = docstring.take() {
            match text.find("\"\"\"").or_else(|| text.find("'''")) {
                Some(end) => {
                    doc.lines.push((line, text[..end].to_owned()));
                    pieces.push(doc);
                }
                None => {
                    doc.lines.push((line, text.to_owned()));
                    docstring = Some(doc);
                }
            }
            continue;
        }
        let mut rest = text;
        while !rest.is_empty() {
            let Some(start) = rest.find(['#', '"', '\'']) else {
                break;
            };
            let after = &rest[start..];
            if after.starts_with('#') {
                pieces.push(piece(line, strip_comment(after)));
                break;
            }
            let triple = after.get(..3).filter(|t| *t == "\"\"\"" || *t == "'''");
            if let Some(q) = triple {
                let body = &after[3..];
                if let Some(end) = body.find(q) {
                    pieces.push(piece(line, body[..end].to_owned()));
                    rest = &body[end + 3..];
                    continue;
                }
                docstring = Some(piece(line, body.to_owned()));
                break;
            }
            let quote = after.chars().next().unwrap_or('"');
            let body = &after[1..];
            let end = body.find(quote).unwrap_or(body.len());
            pieces.push(piece(line, body[..end].to_owned()));
            rest = body.get(end + 1..).unwrap_or("");
        }
    }
    pieces.extend(docstring);
    pieces
}

pub(super) fn piece(line: usize, text: String) -> Piece {
    Piece {
        lines: vec![(line, text)],
    }
}

/// A comment line without `//`, `///`, `/*`, `*/`, a leading `*` or one leading `#`.
pub(super) fn strip_comment(text: &str) -> String {
    let t = text.trim();
    let t = t.strip_suffix("*/").unwrap_or(t);
    let t = t
        .strip_prefix("///")
        .or_else(|| t.strip_prefix("//"))
        .or_else(|| t.strip_prefix("/**"))
        .or_else(|| t.strip_prefix("/*"))
        .or_else(|| t.strip_prefix('#'))
        .or_else(|| t.strip_prefix('*'))
        .unwrap_or(t);
    t.trim().to_owned()
}

/// A string-literal line without its quotes or `unicode` prefix.
pub(super) fn strip_string(text: &str) -> String {
    text.replace("unicode\"", "\"")
        .replace("unicode'", "'")
        .replace(['"', '\''], " ")
        .trim()
        .to_owned()
}

/// Joins pieces whose lines touch (a comment block written as `//` lines, a string
/// continued on the next line) so that a phrase split across them still matches.
pub(super) fn join_adjacent(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for p in pieces {
        match out.last_mut() {
            Some(prev) if p.first() <= prev.last() + 1 => prev.lines.extend(p.lines),
            _ => out.push(p),
        }
    }
    out
}
