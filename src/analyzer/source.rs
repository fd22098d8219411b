//! Source preprocessing for the offline analyzer. Detectors scan text, so this file makes that
//! safe once for all of them: comments and string literals are blanked to spaces (same byte
//! offsets, same line breaks, so positions map straight back to the original), and the
//! language and version pragma are worked out before any detector runs.

mod blank;

pub use crate::report::language::detect_language;
use crate::report::language::vyper_version;

use super::Language;
use blank::{blank_solidity, blank_vyper};

/// A version pragma: `pragma solidity ^0.8.0;`, or Vyper's `# @version ^0.3.7` /
/// `#pragma version 0.4.0` header comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pragma {
    /// 1-based line of the pragma.
    pub line: usize,
    /// The version constraint as written, whitespace collapsed: `^0.4.24`, `>=0.6.0 <0.9.0`.
    pub constraint: String,
}

/// One contract's text in two forms: the original, and `code`, where every byte of a comment
/// or string literal's contents is a space. Both have the same length and line breaks.
#[derive(Debug, Clone)]
pub struct SourceFile {
    language: Language,
    text: String,
    code: String,
    line_starts: Vec<usize>,
    pragmas: Vec<Pragma>,
}

impl SourceFile {
    /// Preprocesses `source`, detecting the language from `filename` or the text.
    pub fn new(source: &str, filename: Option<&str>) -> Self {
        Self::with_language(source, detect_language(source, filename))
    }

    /// Preprocesses `source` as `language`.
    pub fn with_language(source: &str, language: Language) -> Self {
        let (code, comments) = match language {
            Language::Solidity => (blank_solidity(source), Vec::new()),
            Language::Vyper => blank_vyper(source),
        };
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        let mut file = Self {
            language,
            text: source.to_owned(),
            code,
            line_starts,
            pragmas: Vec::new(),
        };
        file.pragmas = match language {
            Language::Solidity => solidity_pragmas(&file),
            Language::Vyper => vyper_pragmas(&file, &comments),
        };
        file
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The original text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The blanked text: comments and string contents are spaces (quotes are kept), and any
    /// other non-ASCII byte is a space too, so it is plain ASCII and safe to slice anywhere.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Number of lines, counted like `str::lines` (a final newline does not start a line).
    pub fn line_count(&self) -> usize {
        let n = self.line_starts.len();
        if self.line_starts[n - 1] == self.text.len() {
            n - 1
        } else {
            n
        }
    }

    /// Original line `n` (1-based) without its line break; empty when out of range.
    pub fn line(&self, n: usize) -> &str {
        self.line_range(n).map_or("", |r| &self.text[r])
    }

    /// Blanked line `n` (1-based); empty when out of range.
    pub fn code_line(&self, n: usize) -> &str {
        self.line_range(n).map_or("", |r| &self.code[r])
    }

    /// `(line number, original line)` pairs.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        (1..=self.line_count()).map(|n| (n, self.line(n)))
    }

    /// `(line number, blanked line)` pairs.
    pub fn code_lines(&self) -> impl Iterator<Item = (usize, &str)> {
        (1..=self.line_count()).map(|n| (n, self.code_line(n)))
    }

    /// The 1-based line holding byte `offset` of the text (or the code: offsets agree).
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    /// Original line `n`, trimmed: what a report shows as the finding's snippet. Lines over
    /// 200 characters (minified sources) are cut there and end with `…`.
    pub fn snippet(&self, n: usize) -> String {
        let line = self.line(n).trim();
        match line.char_indices().nth(200) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_owned(),
        }
    }

    /// Every version pragma, in source order.
    pub fn pragmas(&self) -> &[Pragma] {
        &self.pragmas
    }

    /// The first version pragma, if any.
    pub fn pragma(&self) -> Option<&Pragma> {
        self.pragmas.first()
    }

    fn line_range(&self, n: usize) -> Option<std::ops::Range<usize>> {
        if n == 0 || n > self.line_count() {
            return None;
        }
        let start = self.line_starts[n - 1];
        let mut end = self.line_starts.get(n).map_or(self.text.len(), |s| s - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }
}

/// The longest version constraint looked at (`pragma solidity …;`, `# @version …`).
const MAX_PRAGMA_LEN: usize = 200;

fn solidity_pragmas(file: &SourceFile) -> Vec<Pragma> {
    let code = &file.code;
    let mut out = Vec::new();
    for (at, _) in code.match_indices("pragma") {
        let glued = |i: usize| code.as_bytes().get(i).is_some_and(|b| is_word_byte(*b));
        if at > 0 && glued(at - 1) || glued(at + 6) {
            continue;
        }
        let rest = code[at + 6..].trim_start();
        let Some(rest) = rest.strip_prefix("solidity") else {
            continue;
        };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        // A real constraint is short; looking further would make hostile input quadratic.
        let Some(end) = rest
            .bytes()
            .take(MAX_PRAGMA_LEN)
            .position(|b| b == b';' || b == b'\n')
        else {
            continue;
        };
        let constraint = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        if !constraint.is_empty() {
            out.push(Pragma {
                line: file.line_of(at),
                constraint,
            });
        }
    }
    out
}

/// Version headers among the `#` comments (at `comments` offsets) that have a line to themselves.
fn vyper_pragmas(file: &SourceFile, comments: &[usize]) -> Vec<Pragma> {
    comments
        .iter()
        .filter_map(|&at| {
            let line = file.line_of(at);
            let own_line = file.code_line(line).trim().is_empty();
            let constraint = vyper_version(file.line(line).trim()).filter(|_| own_line)?;
            Some(Pragma {
                line,
                constraint: constraint.split_whitespace().collect::<Vec<_>>().join(" "),
            })
        })
        .collect()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_like_str_lines_and_map_offsets() {
        let file = SourceFile::with_language("a\r\nbb\n\nc", Language::Solidity);
        assert_eq!(file.line_count(), 4);
        assert_eq!(file.line(1), "a");
        assert_eq!(file.line(2), "bb");
        assert_eq!(file.line(9), "");
        assert_eq!(file.line_of(0), 1);
        assert_eq!(file.line_of(3), 2);
        assert_eq!(file.line_of(7), 4);
        assert_eq!(file.snippet(2), "bb");
        let long = format!("  {}  ", "é".repeat(300));
        let long = SourceFile::with_language(&long, Language::Solidity);
        assert_eq!(long.snippet(1), format!("{}…", "é".repeat(200)));
        assert_eq!(
            SourceFile::with_language("x\n", Language::Vyper).line_count(),
            1
        );
        assert_eq!(
            SourceFile::with_language("", Language::Vyper).line_count(),
            0
        );
    }

    #[test]
    fn solidity_pragmas_are_found_in_code_only() {
        let text =
            "// pragma solidity 0.1.0;\npragma solidity  >=0.6.0   <0.9.0 ;\npragma abicoder v2;\n";
        let file = SourceFile::with_language(text, Language::Solidity);
        assert_eq!(
            file.pragmas(),
            [Pragma {
                line: 2,
                constraint: ">=0.6.0 <0.9.0".into()
            }]
        );
    }

    #[test]
    fn language_comes_from_the_filename_then_the_text() {
        let vy = "#pragma version ^0.4.0\n@external\ndef f():\n    pass\n";
        assert_eq!(
            detect_language("contract A {}", Some("A.vy")),
            Language::Vyper
        );
        assert_eq!(detect_language(vy, Some("A.sol")), Language::Solidity);
        assert_eq!(detect_language(vy, None), Language::Vyper);
        assert_eq!(detect_language(vy, Some("notes.txt")), Language::Vyper);
        assert_eq!(
            detect_language("@external\ndef f():\n    pass\n", None),
            Language::Vyper
        );
        assert_eq!(
            detect_language("pragma solidity ^0.8.0;\n# @version 1\n", None),
            Language::Solidity
        );
        assert_eq!(detect_language("contract A { }", None), Language::Solidity);
        assert_eq!(detect_language("", None), Language::Solidity);
        assert_eq!(vyper_version("# @versionx 1"), None);
        assert_eq!(
            vyper_version(&format!("# @version {}", "1".repeat(300))),
            None
        );
        // A version-looking comment inside a Vyper docstring is not a header.
        let doc = SourceFile::with_language("\"\"\"\n# @version 0.3.1\n\"\"\"\n", Language::Vyper);
        assert!(doc.pragma().is_none());
    }
}
