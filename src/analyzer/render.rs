//! Renders an `Analysis` as the markdown report of docs/reports.md through the report module's one
//! writer (`report::write_report`), so the analyzer's output, the LLM prompt and the parser
//! cannot drift apart. This file adds only what is the analyzer's own: the summary sentence
//! and the notes on how the analysis was done and what could not be parsed.

use std::fmt::Write;

use super::{Analysis, Language, Severity};
use crate::report::write_report;

/// The report: title, summary (with the analysis notes), then one numbered section per
/// finding (no `## Findings` section when there are none). Ends with a newline.
pub fn render_markdown(analysis: &Analysis) -> String {
    write_report(&analysis.report(), analysis.language)
}

/// The summary paragraph and the notes under it, as `Report::summary`.
pub fn summary_with_notes(analysis: &Analysis) -> String {
    let mut out = summary(analysis);
    out.push_str("\n\n");
    out.push_str(match analysis.language {
        Language::Solidity => "Offline analysis over a syntax tree (tree-sitter-solidity): pattern detectors, not a substitute for a full audit.",
        Language::Vyper => "Offline analysis: Vyper gets only a few line-based checks; not a substitute for a full audit.",
    });
    for (lo, hi) in &analysis.damage {
        let lines = if lo == hi {
            format!("line {lo}")
        } else {
            format!("lines {lo}–{hi}")
        };
        let _ = write!(
            out,
            "\n\nCould not parse {lines}; findings there may be missing."
        );
    }
    out
}

/// `Solidity source, pragma `^0.4.24`, 25 lines. 3 findings: 1 high, 1 medium, 1 low.`
fn summary(a: &Analysis) -> String {
    let pragma = a
        .pragma
        .as_deref()
        .map(|p| format!(", pragma `{}`", p.replace('`', "")))
        .unwrap_or_default();
    let lines = plural(a.lines, "line");
    let verdict = if a.findings.is_empty() {
        "No issues found by the offline checks.".to_owned()
    } else {
        let counts: Vec<String> = Severity::all()
            .map(|s| (a.count(s), s))
            .filter(|(n, _)| *n > 0)
            .map(|(n, s)| format!("{n} {}", s.as_str().to_ascii_lowercase()))
            .collect();
        format!(
            "{}: {}.",
            plural(a.findings.len(), "finding"),
            counts.join(", ")
        )
    };
    format!("{} source{pragma}, {lines}. {verdict}", a.language)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
