//! The prompt-injection guard. A contract is untrusted text that goes straight into the
//! model's context, so before it is sent we look at its comments and string literals for
//! text addressed to the model: orders to ignore the instructions, chat role markers,
//! requests to omit or downgrade findings or to call the contract safe, fake report
//! sections, and hidden (invisible or bidirectional) characters. Each hit becomes a
//! finding that the relay puts in front of the report, whatever the model says.
//!
//! Pure: `scan` takes the source and returns the hits (`pieces` finds the text, `phrases`
//! holds what is matched, `normalize` prepares and quotes it). Solidity comments and strings come
//! from the analyzer's tree-sitter parser; Vyper's are found line by line. Adjacent pieces
//! (a comment block, strings concatenated over several lines) are joined before matching,
//! after normalising: lookalike letters folded, invisible characters dropped, case folded,
//! punctuation and whitespace collapsed.

mod normalize;
mod phrases;
mod pieces;

use crate::report::{Language, detect_language};
use normalize::{as_words, excerpt, fold, has_hidden_text, hidden_summary};
use phrases::{LINE_PATTERNS, ROLE_MARKERS, WORD_PATTERNS};
use pieces::{Piece, join_adjacent, solidity_pieces, vyper_pieces};

/// A run of this many invisible characters (zero-width spaces and joiners, word joiners,
/// BOMs, Unicode tag characters) inside one comment or string is hidden text. A single
/// bidirectional embedding, override or isolate control is flagged on its own (Trojan
/// Source, CVE-2021-42574): a contract has no honest use for one.
pub const MIN_INVISIBLE_RUN: usize = 3;

/// The longest excerpt quoted in a finding, in characters.
pub const MAX_EXCERPT_CHARS: usize = 120;

/// What the text tries to do to the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Aim {
    /// "Ignore previous instructions", "new instructions:".
    Override,
    /// `<|im_start|>`, `[INST]`, `system:`, "you are now", "act as an auditor".
    Role,
    /// "Do not report", "downgrade the severity", "declare the contract safe".
    Suppress,
    /// `## Findings`, "No issues found", `Severity: Low` inside a comment.
    FakeReport,
    /// Invisible or bidirectional control characters.
    Hidden,
}

impl Aim {
    /// The aim's label in `/metrics` (`auditstream_injection_hits_total{aim}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Aim::Override => "override",
            Aim::Role => "role",
            Aim::Suppress => "suppress",
            Aim::FakeReport => "fake_report",
            Aim::Hidden => "hidden",
        }
    }

    /// What the hit is, in words for the reader of the report.
    pub fn describe(self) -> &'static str {
        match self {
            Aim::Override => "an instruction to ignore or replace the auditor's instructions",
            Aim::Role => "a chat role marker or an attempt to give the model a new role",
            Aim::Suppress => {
                "a request to omit or downgrade findings, or to declare the contract safe"
            }
            Aim::FakeReport => "text shaped like a section of an audit report",
            Aim::Hidden => "hidden text: invisible or bidirectional control characters",
        }
    }
}

/// One place in the contract where text addresses the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InjectionHit {
    /// 1-based line of the source where the text starts.
    pub line: usize,
    /// The project file the line is in; `None` for a single contract.
    pub file: Option<String>,
    pub aim: Aim,
    /// The text, cleaned of control characters and Markdown, at most `MAX_EXCERPT_CHARS`.
    pub excerpt: String,
}

/// Every place in `contract` where a comment or string literal addresses the model, in
/// line order, at most one hit per line and aim.
pub fn scan(contract: &str, filename: Option<&str>) -> Vec<InjectionHit> {
    let pieces = match detect_language(contract, filename) {
        Language::Solidity => solidity_pieces(contract),
        Language::Vyper => vyper_pieces(contract),
    };
    let mut hits: Vec<InjectionHit> = join_adjacent(pieces).iter().flat_map(scan_piece).collect();
    hits.sort_by_key(|h| h.line);
    let mut seen = std::collections::HashSet::new();
    hits.retain(|h| seen.insert((h.line, h.aim)));
    hits
}

/// Every hit in a project's files, each naming its file.
pub fn scan_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<InjectionHit> {
    files
        .into_iter()
        .flat_map(|(path, content)| {
            scan(content, Some(path)).into_iter().map(|mut hit| {
                hit.file = Some(path.to_owned());
                hit
            })
        })
        .collect()
}

/// The block the relay sends before the model's first token when `hits` is not empty: a
/// one-line notice, then one finding per hit in the report grammar (docs/reports.md) with ids
/// `G-1`, `G-2`, … so the findings parser lists them beside the model's own.
pub fn notice(hits: &[InjectionHit]) -> Option<String> {
    if hits.is_empty() {
        return None;
    }
    let places = if hits.len() == 1 { "place" } else { "places" };
    let mut out = format!(
        "> **auditstream:** this contract contains text aimed at the model ({} {places}). \
         The findings marked G- below come from auditstream, not from the model; \
         read the model's report with that in mind.\n\n",
        hits.len()
    );
    for (i, h) in hits.iter().enumerate() {
        let line = match &h.file {
            Some(file) => format!("{file}:{}", h.line),
            None => h.line.to_string(),
        };
        out.push_str(&format!(
            "### G-{n}. Text aimed at the model\n\
             - **Severity:** High\n\
             - **Line:** {line}\n\
             - **Detector:** prompt-injection\n\n\
             **Explanation.** This contract contains text aimed at the model (line {line}): \
             {what}: \u{201c}{excerpt}\u{201d}. A language model that reads it may leave \
             findings out or call the contract safe.\n\n\
             **Recommendation.** Remove the text, then audit again; until then, do not \
             trust a clean report of this contract.\n\n",
            n = i + 1,
            what = h.aim.describe(),
            excerpt = h.excerpt,
        ));
    }
    Some(out)
}

/// The hits in one joined piece.
fn scan_piece(piece: &Piece) -> Vec<InjectionHit> {
    let mut hits = Vec::new();
    // Hidden characters, on the raw text.
    for (line, text) in &piece.lines {
        if has_hidden_text(text) {
            hits.push(InjectionHit {
                line: *line,
                file: None,
                aim: Aim::Hidden,
                excerpt: hidden_summary(text),
            });
        }
    }
    // Per line: markers that only mean something at the start of a line.
    for (line, text) in &piece.lines {
        let folded = fold(text);
        let squeezed: String = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        for (aim, re) in LINE_PATTERNS.iter() {
            if re.is_match(&squeezed) {
                hits.push(InjectionHit {
                    line: *line,
                    file: None,
                    aim: *aim,
                    excerpt: excerpt(text),
                });
            }
        }
    }
    // The joined text, as words, with a map from offsets back to lines.
    let mut words = String::new();
    let mut compact = String::new();
    let mut word_starts = Vec::new();
    let mut compact_starts = Vec::new();
    for (line, text) in &piece.lines {
        let folded = fold(text);
        word_starts.push((words.len(), *line));
        words.push_str(&as_words(&folded));
        words.push(' ');
        compact_starts.push((compact.len(), *line));
        compact.extend(folded.chars().filter(|c| !c.is_whitespace()));
    }
    let line_at = |starts: &[(usize, usize)], at: usize| {
        starts
            .iter()
            .rev()
            .find(|(s, _)| *s <= at)
            .map_or(piece.first(), |(_, l)| *l)
    };
    let text_of = |line: usize| {
        piece
            .lines
            .iter()
            .skip_while(|(l, _)| *l < line)
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (aim, re) in WORD_PATTERNS.iter() {
        if let Some(m) = re.find(&words) {
            let line = line_at(&word_starts, m.start());
            hits.push(InjectionHit {
                line,
                file: None,
                aim: *aim,
                excerpt: excerpt(&text_of(line)),
            });
        }
    }
    for marker in ROLE_MARKERS {
        if let Some(at) = compact.find(marker) {
            let line = line_at(&compact_starts, at);
            hits.push(InjectionHit {
                line,
                file: None,
                aim: Aim::Role,
                excerpt: excerpt(&text_of(line)),
            });
        }
    }
    hits
}

#[cfg(test)]
mod tests;
