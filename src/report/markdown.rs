//! Writes a `Report` in our report grammar (DESIGN §7), the one the builtin analyzer emits and
//! the LLM prompt asks for, so that `parse_finished_report` reads back the same findings.

use std::fmt::Write;

use super::language::Language;
use super::model::{Finding, Location, Report};
use super::scan::{heading, opens_fence};

/// The report: `# title`, `## Summary`, then `## Findings` with one `### n. Title` section
/// per finding (no findings section when there are none and nothing is unclassified).
/// Unclassified blocks follow the findings verbatim, so they read back as unclassified.
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
    let summary = prose(&report.summary);
    if !summary.is_empty() {
        let _ = writeln!(out, "{summary}");
    }
    if report.findings.is_empty() && report.unclassified.is_empty() {
        return out;
    }
    out.push_str("\n## Findings\n");
    for (i, f) in report.findings.iter().enumerate() {
        out.push('\n');
        write_finding(&mut out, i + 1, f, language);
    }
    for u in &report.unclassified {
        let _ = write!(out, "\n{}\n", u.text.trim_end());
    }
    out
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
    let description = prose(&f.description);
    if !description.is_empty() {
        let _ = writeln!(out, "\n**Explanation.** {description}");
    }
    let recommendation = prose(&f.recommendation);
    if !recommendation.is_empty() {
        let _ = writeln!(out, "\n**Recommendation.** {recommendation}");
    }
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

/// Prose that cannot break the layout: lines that would read as a heading, a fence or a
/// table row get a backslash escape (which Markdown renders away), blank runs collapse.
fn prose(text: &str) -> String {
    let mut out = Vec::new();
    for (i, line) in text.trim().lines().enumerate() {
        let t = line.trim_start();
        let structural = opens_fence(line).is_some()
            || t.starts_with('|')
            || heading(line).is_some_and(|h| h.level < 7);
        if i > 0 && structural {
            out.push(format!("\\{t}"));
        } else if t.is_empty() && out.last().is_some_and(String::is_empty) {
            continue;
        } else {
            out.push(line.trim_end().to_owned());
        }
    }
    out.join("\n")
}

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
        assert_eq!(
            back.findings[2].description,
            "`code` first\n\\# not a heading\n\\```\nnot a fence"
        );
        assert_eq!(back.unclassified.len(), 1, "{md}");
        assert_eq!(back.unclassified[0].text, "### 9. Odd\nNo severity here.\n");
        assert!(md.contains("\n`````vyper\n"), "{md}");
        assert_eq!(back.title, report.title);
        assert_eq!(back.summary, report.summary);
    }
}
