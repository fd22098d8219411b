//! Writes a `Report` in our report grammar (docs/reports.md), the one the builtin analyzer emits and
//! the LLM prompt asks for, so that `parse_finished_report` reads back the same findings.

use std::fmt::Write;

use super::language::Language;
use super::model::{Finding, Location, Report};
use super::scan::{closes_fence, opens_fence};

/// The report: `# title`, `## Summary`, then `## Findings` with one `### n. Title` section
/// per finding (no findings section when there are none and nothing is unclassified).
/// Unclassified blocks come first under `## Findings`, verbatim (an open code fence closed),
/// so they read back as unclassified.
/// Numeric ids are written as `### 1.`; others as `### [H-01]`. Ends with one newline.
pub fn write_report(report: &Report, language: Language) -> String {
    let mut out = String::new();
    let title = report
        .title
        .as_deref()
        .map(one_line)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Security report: contract".to_owned());
    let _ = writeln!(out, "# {title}\n\n## Summary\n");
    let summary = prose_from(&report.summary, 0);
    if !summary.is_empty() {
        let _ = writeln!(out, "{summary}");
    }
    if report.findings.is_empty() && report.unclassified.is_empty() {
        return out;
    }
    out.push_str("\n## Findings\n");
    for u in &report.unclassified {
        let _ = write!(out, "\n{}\n", closed(u.text.trim_end()));
    }
    for (i, f) in report.findings.iter().enumerate() {
        out.push('\n');
        write_finding(&mut out, i + 1, f, language);
    }
    out
}

/// `text` with a closing fence added when it ends inside a code block, so it cannot swallow
/// what follows.
fn closed(text: &str) -> String {
    let mut fence = None;
    for line in text.lines() {
        fence = match fence {
            Some(f) if closes_fence(line, f) => None,
            Some(f) => Some(f),
            None => opens_fence(line),
        };
    }
    match fence {
        Some((c, n)) => format!("{text}\n{}", c.to_string().repeat(n)),
        None => text.to_owned(),
    }
}

/// One finding in the grammar, starting with its `###` heading.
pub fn write_finding(out: &mut String, position: usize, f: &Finding, language: Language) {
    let title = one_line(&f.title);
    if !f.id.is_empty() && f.id.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let _ = writeln!(out, "### {}. {title}", f.id.trim_end_matches('.'));
    } else if !f.id.is_empty() && !f.id.contains([']', '\n']) {
        let _ = writeln!(out, "### [{}] {title}", one_line(&f.id));
    } else {
        let _ = writeln!(out, "### {position}. {title}");
    }
    let _ = writeln!(out, "- **Severity:** {}", f.severity);
    if !f.locations.is_empty() {
        let lines: Vec<String> = f.locations.iter().map(location).collect();
        let _ = writeln!(out, "- **Line:** {}", lines.join(", "));
    }
    let _ = writeln!(out, "- **Detector:** {}", one_line(&f.rule));
    if let Some(swc) = &f.swc {
        let _ = writeln!(out, "- **SWC:** {}", one_line(swc));
    }
    if let Some(snippet) = &f.snippet {
        let fence = "`".repeat(longest_backtick_run(snippet).max(2) + 1);
        let _ = writeln!(out, "\n{fence}{}\n{snippet}\n{fence}", language.fence());
    }
    labelled(out, "Explanation", &f.description);
    labelled(out, "Recommendation", &f.recommendation);
}

/// `**Label.** text`, or the text on the next line when it starts with a character the
/// parser would take for the label's punctuation.
fn labelled(out: &mut String, label: &str, text: &str) {
    let text = prose(text);
    if text.is_empty() {
        return;
    }
    let gap = if text.starts_with([':', '.', '-', '–', '—']) {
        "\n"
    } else {
        " "
    };
    let _ = writeln!(out, "\n**{label}.**{gap}{text}");
}

/// `19`, `19-25`, `Vault.sol:19-25`.
fn location(l: &Location) -> String {
    let file = l
        .file
        .as_deref()
        .map(|f| format!("{}:", one_line(f).replace(' ', "%20")))
        .unwrap_or_default();
    match l.end_line {
        Some(end) => format!("{file}{}-{end}", l.line),
        None => format!("{file}{}", l.line),
    }
}

/// Prose that cannot break the layout: a line after the first that starts with markdown
/// punctuation (a heading, fence, list, table, bold label) gets a backslash escape, which
/// Markdown renders away and the parser removes; blank runs collapse.
fn prose(text: &str) -> String {
    prose_from(text, 1)
}

/// `prose`, escaping from line `first` on (0 for a text that starts a line of its own).
fn prose_from(text: &str, first: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    for (i, line) in text.trim().lines().enumerate() {
        let t = line.trim();
        if i >= first && t.starts_with(ESCAPED) {
            out.push(format!("\\{t}"));
        } else if t.is_empty() && out.last().is_some_and(String::is_empty) {
            continue;
        } else {
            out.push(t.to_owned());
        }
    }
    out.join("\n")
}

/// The characters that can start a structural line; `parse` unescapes `\` before them.
pub(crate) const ESCAPED: [char; 10] = ['#', '`', '~', '|', '*', '_', '>', '-', '+', '\\'];

/// Text on one line: control characters become spaces.
fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.trim().to_owned()
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::super::model::{Severity, Unclassified};
    use super::super::parse::parse_finished_report;
    use super::*;

    fn finding(id: &str, severity: Severity) -> Finding {
        Finding {
            id: id.into(),
            title: "Reentrancy in `withdraw()`".into(),
            severity,
            rule: "reentrancy".into(),
            swc: Some("SWC-107".into()),
            confidence: None,
            function: None,
            locations: vec![Location {
                file: None,
                line: 19,
                end_line: Some(25),
                out_of_range: false,
            }],
            description: "The call comes first.\n\nThen the write.".into(),
            recommendation: "Write first.".into(),
            snippet: Some("msg.sender.call{value: a}(\"\");\n// ``` ````".into()),
            complete: true,
            verdict: None,
            reason: None,
            found_by: None,
        }
    }

    #[test]
    fn writes_the_grammar_exactly() {
        let report = Report {
            title: Some("Security report: Vault.sol".into()),
            summary: "One finding.".into(),
            findings: vec![Finding {
                snippet: Some("x();".into()),
                description: "Because.".into(),
                ..finding("1", Severity::High)
            }],
            unclassified: vec![],
        };
        assert_eq!(
            write_report(&report, Language::Solidity),
            "# Security report: Vault.sol\n\n## Summary\n\nOne finding.\n\n## Findings\n\n\
             ### 1. Reentrancy in `withdraw()`\n- **Severity:** High\n- **Line:** 19-25\n\
             - **Detector:** reentrancy\n- **SWC:** SWC-107\n\n```solidity\nx();\n```\n\n\
             **Explanation.** Because.\n\n**Recommendation.** Write first.\n"
        );
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let mut with_file = finding("H-01", Severity::Critical);
        with_file.locations = vec![
            Location {
                file: Some("src/Vault.sol".into()),
                line: 3,
                end_line: None,
                out_of_range: false,
            },
            Location {
                file: None,
                line: 40,
                end_line: Some(41),
                out_of_range: false,
            },
        ];
        let mut bare = finding("3", Severity::Gas);
        bare.swc = None;
        bare.snippet = None;
        bare.locations.clear();
        bare.description = "`code` first\n# not a heading\n```\nnot a fence".into();
        let report = Report {
            title: Some("Security report: Vault.sol".into()),
            summary: "Two findings.".into(),
            findings: vec![finding("1", Severity::High), with_file, bare],
            unclassified: vec![Unclassified {
                title: "Odd".into(),
                text: "### 9. Odd\nNo severity here.\n".into(),
                report_line: 1,
            }],
        };
        let md = write_report(&report, Language::Vyper);
        let back = parse_finished_report(&md);
        assert_eq!(back.findings[..2], report.findings[..2], "{md}");
        assert_eq!(back.findings[2], report.findings[2], "{md}");
        assert!(md.contains("\n\\# not a heading\n\\```\n"), "{md}");
        assert_eq!(back.unclassified.len(), 1, "{md}");
        assert_eq!(
            back.unclassified[0].text.trim_end(),
            "### 9. Odd\nNo severity here."
        );
        assert!(md.contains("\n`````vyper\n"), "{md}");
        assert_eq!(back.title, report.title);
        assert_eq!(back.summary, report.summary);
    }
}
