//! Renders an `Analysis` as the markdown report of DESIGN §7. The shape is a contract: the
//! report parser reads it back and the LLM system prompt asks models for the same layout, so
//! change it only together with those.

use std::fmt::Write;

use super::{Analysis, Finding, Language, Severity};

/// The report: title, summary, the analysis note (and any parse damage), then one numbered
/// section per finding (no `## Findings` section when there are none). Ends with a newline.
pub fn render_markdown(analysis: &Analysis) -> String {
    let mut out = String::new();
    let name = analysis
        .filename
        .as_deref()
        .map(one_line)
        .filter(|n| !n.is_empty());
    let _ = writeln!(
        out,
        "# Security report: {}\n",
        name.as_deref().unwrap_or("contract")
    );
    let _ = writeln!(out, "## Summary\n\n{}\n", summary(analysis));
    out.push_str(match analysis.language {
        Language::Solidity => "> Offline analysis over a syntax tree (tree-sitter-solidity): pattern detectors, not a substitute for a full audit.\n",
        Language::Vyper => "> Offline analysis: Vyper gets only a few line-based checks; not a substitute for a full audit.\n",
    });
    for (lo, hi) in &analysis.damage {
        let lines = if lo == hi {
            format!("line {lo}")
        } else {
            format!("lines {lo}–{hi}")
        };
        let _ = writeln!(
            out,
            "> Could not parse {lines}; findings there may be missing."
        );
    }
    if analysis.findings.is_empty() {
        return out;
    }
    out.push_str("\n## Findings\n");
    for (i, f) in analysis.findings.iter().enumerate() {
        write_finding(&mut out, i + 1, f, analysis.language.fence());
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
        let counts: Vec<String> = Severity::ALL
            .iter()
            .map(|&s| (a.count(s), s))
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

fn write_finding(out: &mut String, n: usize, f: &Finding, fence_lang: &str) {
    let snippet = f.snippet.as_deref().unwrap_or("");
    // A fence longer than any backtick run in the snippet, so the snippet cannot close it.
    let longest_run = snippet.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    let line = f
        .locations
        .first()
        .map(|l| match l.end_line {
            Some(end) if end > l.line => format!("{}-{end}", l.line),
            _ => l.line.to_string(),
        })
        .unwrap_or_default();
    let _ = write!(
        out,
        "\n### {n}. {}\n- **Severity:** {}\n- **Line:** {line}\n- **Detector:** {}\n",
        one_line(&f.title),
        f.severity,
        f.rule,
    );
    if let Some(swc) = &f.swc {
        let _ = writeln!(out, "- **SWC:** {swc}");
    }
    let code: Vec<String> = snippet.lines().map(one_line).collect();
    let _ = write!(
        out,
        "\n{fence}{fence_lang}\n{}\n{fence}\n\n**Explanation.** {}\n\n**Recommendation.** {}\n",
        code.join("\n"),
        one_line(&f.description),
        one_line(&f.recommendation),
    );
}

/// Text on one line: line breaks and other control characters become spaces.
fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.trim().to_owned()
}
