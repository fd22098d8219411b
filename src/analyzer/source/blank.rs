//! The lexers behind `SourceFile::code()`: comments and string contents become spaces, byte
//! for byte, so offsets and line breaks in the blanked text match the original exactly.

/// Lexer state shared by both blankers.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    LineComment,
    BlockComment,
    /// A string closed by this quote byte; `true` when tripled (Vyper docstrings).
    Str(u8, bool),
}

/// A byte inside a comment or string becomes a space; line breaks stay.
fn blank(b: u8) -> u8 {
    if b == b'\n' || b == b'\r' { b } else { b' ' }
}

/// Blanks `//` and `/* */` comments and the contents of `"…"` / `'…'` literals (including
/// `hex"…"` and `unicode"…"`, whose prefixes are ordinary identifiers).
pub(super) fn blank_solidity(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut state = State::Code;
    let mut i = 0;
    while i < b.len() {
        let (c, next) = (b[i], b.get(i + 1).copied());
        let mut step = 1;
        match state {
            State::Code if c == b'/' && next == Some(b'/') => {
                state = State::LineComment;
                out.extend_from_slice(b"  ");
                step = 2;
            }
            State::Code if c == b'/' && next == Some(b'*') => {
                state = State::BlockComment;
                out.extend_from_slice(b"  ");
                step = 2;
            }
            State::Code if c == b'"' || c == b'\'' => {
                state = State::Str(c, false);
                out.push(c);
            }
            State::Code => out.push(if c.is_ascii() { c } else { b' ' }),
            State::LineComment => {
                if c == b'\n' {
                    state = State::Code;
                }
                out.push(blank(c));
            }
            State::BlockComment if c == b'*' && next == Some(b'/') => {
                state = State::Code;
                out.extend_from_slice(b"  ");
                step = 2;
            }
            State::BlockComment => out.push(blank(c)),
            State::Str(q, _) => step = string_byte(b, i, q, false, &mut state, &mut out),
        }
        i += step;
    }
    out.into_iter().map(char::from).collect()
}

/// Blanks `#` comments and the contents of `"…"`, `'…'`, `"""…"""` and `'''…'''` literals.
/// Also returns where each comment starts, so version headers are read from real comments.
pub(super) fn blank_vyper(text: &str) -> (String, Vec<usize>) {
    let mut comments = Vec::new();
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut state = State::Code;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let mut step = 1;
        match state {
            State::Code if c == b'#' => {
                comments.push(i);
                state = State::LineComment;
                out.push(b' ');
            }
            State::Code if c == b'"' || c == b'\'' => {
                let triple = b.get(i..i + 3) == Some(&[c, c, c][..]);
                state = State::Str(c, triple);
                step = if triple { 3 } else { 1 };
                out.extend(std::iter::repeat_n(c, step));
            }
            State::Code => out.push(if c.is_ascii() { c } else { b' ' }),
            State::LineComment => {
                if c == b'\n' {
                    state = State::Code;
                }
                out.push(blank(c));
            }
            State::BlockComment => unreachable!("Vyper has no block comments"),
            State::Str(q, triple) => step = string_byte(b, i, q, triple, &mut state, &mut out),
        }
        i += step;
    }
    (out.into_iter().map(char::from).collect(), comments)
}

/// One step inside a string literal closed by `quote`: escapes are blanked with the byte they
/// escape, the closing quote is kept, and a line break ends an unterminated one-line string so
/// a stray quote cannot blank the rest of the file. Returns the bytes consumed.
fn string_byte(
    b: &[u8],
    i: usize,
    quote: u8,
    triple: bool,
    state: &mut State,
    out: &mut Vec<u8>,
) -> usize {
    let c = b[i];
    if c == b'\\' && i + 1 < b.len() {
        out.push(b' ');
        out.push(blank(b[i + 1]));
        return 2;
    }
    if c == quote && (!triple || b.get(i..i + 3) == Some(&[quote; 3][..])) {
        let n = if triple { 3 } else { 1 };
        out.extend(std::iter::repeat_n(quote, n));
        *state = State::Code;
        return n;
    }
    if c == b'\n' && !triple {
        *state = State::Code;
    }
    out.push(blank(c));
    1
}

#[cfg(test)]
mod tests {
    use super::super::super::{Language, SourceFile};

    #[test]
    fn solidity_comments_and_strings_are_blanked_in_place() {
        let text = "a = 1; // tx.origin\nb = \"tx.origin\"; /* x\nselfdestruct( */ c = 'it''s';\n";
        let file = SourceFile::with_language(text, Language::Solidity);
        assert_eq!(file.code().len(), text.len());
        assert_eq!(file.code_line(1), format!("a = 1;{}", " ".repeat(13)));
        assert_eq!(
            file.code_line(2),
            format!("b = \"{}\";{}", " ".repeat(9), " ".repeat(5))
        );
        assert_eq!(file.code_line(3), format!("{}c = '  '' ';", " ".repeat(17)));
        assert!(!file.code().contains("tx.origin") && !file.code().contains("selfdestruct"));
        assert_eq!(file.line(2), "b = \"tx.origin\"; /* x");
    }

    #[test]
    fn escapes_multibyte_text_and_unterminated_strings_keep_offsets() {
        let text = "s = \"a\\\"b // é\"; x // ü\ny = 'oops\nz = 1;";
        let file = SourceFile::with_language(text, Language::Solidity);
        assert_eq!(file.code().len(), text.len());
        assert!(file.code().is_ascii());
        assert_eq!(file.code_line(1).trim_end(), "s = \"          \"; x");
        // The stray quote on line 2 stops at its line break.
        assert_eq!(file.code_line(3), "z = 1;");
    }

    #[test]
    fn vyper_comments_docstrings_and_strings_are_blanked() {
        let text =
            "# @version ^0.3.7\n\"\"\"\nselfdestruct(x)\n\"\"\"\nx: String = \"#no\" # raw_call\n";
        let file = SourceFile::with_language(text, Language::Vyper);
        assert_eq!(file.code_line(1).trim(), "");
        assert_eq!(file.code_line(3).trim(), "");
        assert_eq!(file.code_line(4), "\"\"\"");
        assert_eq!(file.code_line(5).trim_end(), "x: String = \"   \"");
        assert_eq!(file.pragma().map(|p| p.constraint.as_str()), Some("^0.3.7"));
    }
}
