//! Which lines of a contract are code: comments and blank lines are not, and a finding that
//! points at one points at nothing. Also gives the code with its comments blanked out, so
//! names and quotes are only ever matched against code. A small hand-written scanner
//! (strings, `//`, `/* */`, Vyper's `#` and docstrings) rather than the syntax tree: it
//! must work for Vyper too and for files the parser only half reads.

use crate::report::Language;

/// What a source line holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Code,
    Comment,
    Blank,
}

/// A source read for its code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lexed {
    /// The source with every comment byte replaced by a space: same length, same lines.
    pub code: String,
    /// One entry per source line.
    pub kinds: Vec<LineKind>,
}

/// Scans `source` as `language`.
pub fn lex(source: &str, language: Language) -> Lexed {
    let code = blank_comments(source.as_bytes(), language == Language::Vyper);
    // Only ASCII bytes were replaced (by spaces), so the text is still UTF-8.
    let code = String::from_utf8(code).unwrap_or_default();
    let kinds = source
        .lines()
        .zip(code.lines().chain(std::iter::repeat("")))
        .map(|(src, code)| {
            if src.trim().is_empty() {
                LineKind::Blank
            } else if code.trim().is_empty() {
                LineKind::Comment
            } else {
                LineKind::Code
            }
        })
        .collect();
    Lexed { code, kinds }
}

/// Where the scanner is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Line,
    Block,
    Docstring,
    Str(u8),
}

fn blank_comments(src: &[u8], vyper: bool) -> Vec<u8> {
    let mut out = src.to_vec();
    let mut state = State::Code;
    let mut i = 0;
    // Whether the line so far holds only whitespace (a Vyper docstring starts a line).
    let mut line_start = true;
    while i < src.len() {
        let b = src[i];
        let next = src.get(i + 1).copied();
        match state {
            State::Code => {
                if !vyper && b == b'/' && next == Some(b'/') {
                    state = State::Line;
                    continue;
                } else if !vyper && b == b'/' && next == Some(b'*') {
                    out[i] = b' ';
                    out[i + 1] = b' ';
                    i += 2;
                    state = State::Block;
                    continue;
                } else if vyper && b == b'#' {
                    state = State::Line;
                    continue;
                } else if vyper && line_start && src[i..].starts_with(b"\"\"\"") {
                    out[i..i + 3].fill(b' ');
                    i += 3;
                    state = State::Docstring;
                    continue;
                } else if b == b'"' || b == b'\'' {
                    state = State::Str(b);
                }
            }
            State::Line => {
                if b == b'\n' {
                    state = State::Code;
                } else {
                    out[i] = b' ';
                }
            }
            State::Block => {
                if b == b'*' && next == Some(b'/') {
                    out[i] = b' ';
                    out[i + 1] = b' ';
                    i += 2;
                    state = State::Code;
                    continue;
                }
                if b != b'\n' {
                    out[i] = b' ';
                }
            }
            State::Docstring => {
                if src[i..].starts_with(b"\"\"\"") {
                    out[i..i + 3].fill(b' ');
                    i += 3;
                    state = State::Code;
                    continue;
                }
                if b != b'\n' {
                    out[i] = b' ';
                }
            }
            State::Str(q) => {
                if b == b'\\' {
                    i += 2;
                    continue;
                }
                if b == q || b == b'\n' {
                    state = State::Code;
                }
            }
        }
        if b == b'\n' {
            line_start = true;
        } else if !b.is_ascii_whitespace() {
            line_start = false;
        }
        i += 1;
    }
    // Non-ASCII bytes inside comments were blanked one by one: no partial character is left.
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineKind::*;

    #[test]
    fn solidity_comments_and_blank_lines_are_not_code() {
        let src = "// SPDX\ncontract A { // tail\n\n  /* one\n  two */ uint x;\n  string s = \"// not a comment\";\n  /// @notice ünïcode\n}\n";
        let l = lex(src, Language::Solidity);
        assert_eq!(
            l.kinds,
            [Comment, Code, Blank, Comment, Code, Code, Comment, Code]
        );
        assert!(l.code.contains("\"// not a comment\""));
        assert!(!l.code.contains("tail") && !l.code.contains("SPDX"));
        assert_eq!(l.code.len(), src.len());
    }

    #[test]
    fn vyper_hash_comments_and_docstrings_are_not_code() {
        let src = "# @version ^0.3.9\n@external\ndef f():\n    \"\"\"\n    Does f.\n    \"\"\"\n    x: uint256 = 1  # set\n";
        let l = lex(src, Language::Vyper);
        assert_eq!(
            l.kinds,
            [Comment, Code, Code, Comment, Comment, Comment, Code]
        );
        assert!(!l.code.contains("set") && !l.code.contains("Does"));
    }
}
