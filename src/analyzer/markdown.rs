//! Renders an `Analysis` as the markdown report. The shape is a contract: the report parser
//! reads it back and the LLM system prompt asks models for the same layout, so change it only
//! together with those.

use std::fmt::Write;

use super::{Analysis, Finding, Severity};

/// The report: title, summary, disclaimer, then one numbered section per finding (no
/// `## Findings` section when there are none). Ends with a newline.
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
    out.push_str("> Offline analysis: line-based heuristics, not a substitute for a full audit.\n");
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
    // A fence longer than any backtick run in the snippet, so the snippet cannot close it.
    let longest_run = f
        .snippet
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    let _ = write!(
        out,
        "\n### {n}. {}\n- **Severity:** {}\n- **Line:** {}\n- **Detector:** {}\n\n{fence}{fence_lang}\n{}\n{fence}\n\n\
         **Explanation.** {}\n\n**Recommendation.** {}\n",
        one_line(&f.title),
        f.severity,
        f.line,
        f.detector,
        one_line(&f.snippet),
        one_line(&f.explanation),
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

#[cfg(test)]
mod tests {
    use super::super::{Language, analyze};
    use super::*;

    fn finding(severity: Severity, line: usize, snippet: &str) -> Finding {
        Finding {
            detector: "tx-origin",
            title: "Authorization with tx.origin".into(),
            severity,
            line,
            explanation: "Because.\nReally.".into(),
            recommendation: "Use msg.sender.".into(),
            snippet: snippet.into(),
        }
    }

    fn analysis(findings: Vec<Finding>) -> Analysis {
        Analysis {
            language: Language::Solidity,
            filename: Some("Vault.sol".into()),
            lines: 25,
            pragma: Some("^0.4.24".into()),
            findings,
        }
    }

    #[test]
    fn summary_counts_by_severity() {
        let a = analysis(vec![
            finding(Severity::High, 3, "a"),
            finding(Severity::Medium, 4, "b"),
            finding(Severity::Low, 1, "c"),
            finding(Severity::Low, 9, "d"),
        ]);
        let md = render_markdown(&a);
        assert!(md.contains("\n## Summary\n\nSolidity source, pragma `^0.4.24`, 25 lines. 4 findings: 1 high, 1 medium, 2 low.\n\n"), "{md}");
        let one = render_markdown(&analysis(vec![finding(Severity::Critical, 2, "x")]));
        assert!(one.contains("25 lines. 1 finding: 1 critical.\n"), "{one}");
    }

    #[test]
    fn sections_come_in_order_with_numbered_findings() {
        let md = render_markdown(&analysis(vec![
            finding(Severity::High, 18, "require(tx.origin == owner);"),
            finding(Severity::Low, 7, "pragma solidity ^0.4.24;"),
        ]));
        assert!(md.starts_with("# Security report: Vault.sol\n\n## Summary\n\n"));
        assert!(md.ends_with("**Recommendation.** Use msg.sender.\n") && !md.ends_with("\n\n"));
        let marks = [
            "## Summary",
            "> Offline analysis: line-based heuristics, not a substitute for a full audit.",
            "## Findings",
            "### 1. Authorization with tx.origin",
            "### 2. ",
        ];
        let positions: Vec<usize> = marks
            .iter()
            .map(|m| md.find(m).unwrap_or_else(|| panic!("missing {m}")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        let first = &md[positions[3]..positions[4]];
        let expected_lines = [
            "### 1. Authorization with tx.origin",
            "- **Severity:** High",
            "- **Line:** 18",
            "- **Detector:** tx-origin",
            "",
            "```solidity",
            "require(tx.origin == owner);",
            "```",
            "",
            "**Explanation.** Because. Really.",
            "",
            "**Recommendation.** Use msg.sender.",
            "",
        ];
        assert_eq!(first.lines().collect::<Vec<_>>(), expected_lines);
    }

    #[test]
    fn no_findings_means_no_findings_section() {
        let mut a = analysis(vec![]);
        a.filename = None;
        a.pragma = None;
        a.lines = 1;
        let md = render_markdown(&a);
        assert_eq!(
            md,
            "# Security report: contract\n\n## Summary\n\nSolidity source, 1 line. No issues found by the offline checks.\n\n\
             > Offline analysis: line-based heuristics, not a substitute for a full audit.\n"
        );
    }

    #[test]
    fn vyper_reports_use_a_vyper_fence() {
        let a = analyze(
            "# @version ^0.3.7\n@external\ndef kill():\n    selfdestruct(msg.sender)\n",
            Some("Kill.vy"),
        );
        let md = render_markdown(&a);
        assert!(
            md.contains("\n```vyper\nselfdestruct(msg.sender)\n```\n"),
            "{md}"
        );
        assert!(!md.contains("```solidity"));
        assert!(
            md.contains("Vyper source, pragma `^0.3.7`, 4 lines. 2 findings: 1 high, 1 low."),
            "{md}"
        );
    }

    #[test]
    fn hostile_text_cannot_break_the_layout() {
        let mut a = analysis(vec![finding(
            Severity::Info,
            1,
            "x = 1; // ```evil``` ````",
        )]);
        a.filename = Some("bad\nname.sol".into());
        let md = render_markdown(&a);
        assert!(md.starts_with("# Security report: bad name.sol\n"));
        assert!(
            md.contains("\n`````solidity\nx = 1; // ```evil``` ````\n`````\n"),
            "{md}"
        );
    }
}
