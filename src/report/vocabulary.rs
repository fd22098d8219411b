//! The vocabulary of security reports: severity words, finding ids (`H-01`, `QA-3`), the
//! names of fields and sections. Pure string functions, shared by the block scanner and
//! the block parser; line references are `line_ref`.
//!
//! Written by hand rather than with `regex`: the patterns are few and small, the module is
//! compiled into the browser's wasm too, and each rule reads better as a named function.

use super::model::{Confidence, Severity};

/// A severity named by a word or two: `High`, `high risk`, `Non-Critical`, `QA`, `Gas`,
/// `🔴 Critical (Likelihood: Medium)`. Only the first word decides.
pub fn severity_word(text: &str) -> Option<Severity> {
    let words = words_of(text);
    let first = words.first()?;
    severity_of(first)
}

fn severity_of(word: &str) -> Option<Severity> {
    Some(match word {
        "critical" | "crit" => Severity::Critical,
        "high" => Severity::High,
        "medium" | "med" | "moderate" => Severity::Medium,
        "low" => Severity::Low,
        "info" | "informational" | "information" | "informative" | "note" | "notes"
        | "non-critical" | "noncritical" | "nc" | "qa" => Severity::Info,
        "gas" | "optimization" | "optimizations" | "optimisation" | "optimisations" => {
            Severity::Gas
        }
        _ => return None,
    })
}

/// `High`, `medium`, `Low (few false positives)`: a confidence, by its first word.
pub fn confidence_word(text: &str) -> Option<Confidence> {
    match words_of(text).first().map(String::as_str) {
        Some("high") => Some(Confidence::High),
        Some("medium") => Some(Confidence::Medium),
        Some("low") => Some(Confidence::Low),
        _ => None,
    }
}

/// A Slither detector name as its checklist's section headings give it: `reentrancy-eth`,
/// `solc-version`, `tx-origin`, `assembly` (lowercase ASCII, digits and inner dashes).
pub fn is_detector_name(text: &str) -> bool {
    (2..=64).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && !text.ends_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Lowercase words of `text`: letters, digits and inner `-`, everything else separates.
pub fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '&'))
        .map(|w| w.trim_matches('-').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A heading that groups findings by severity: `High`, `## Medium Risk`, `High Severity
/// Findings (3)`, `Low Risk and Non-Critical Issues`, `Gas Optimizations`, `QA Report`.
pub fn severity_group(text: &str) -> Option<Severity> {
    const FILLER: &[&str] = &[
        "additional",
        "information",
        "risk",
        "risks",
        "severity",
        "findings",
        "finding",
        "issues",
        "issue",
        "vulnerabilities",
        "vulnerability",
        "and",
        "&",
        "level",
        "priority",
        "report",
        "savings",
        "recommendations",
        "non-critical",
        "informational",
        "info",
        "low",
        "qa",
        "notes",
        "gas",
        "optimizations",
        "optimization",
        "optimisations",
        "severities",
    ];
    let words: Vec<String> = words_of(text)
        .into_iter()
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let severity = severity_of(words.first()?)?;
    words[1..]
        .iter()
        .all(|w| FILLER.contains(&w.as_str()))
        .then_some(severity)
}

/// A heading over all findings: `Findings`, `Detailed Findings`, `Vulnerabilities Found`,
/// `Findings & Recommendations`.
pub fn is_findings_container(text: &str) -> bool {
    const ANCHOR: &[&str] = &["findings", "issues", "vulnerabilities"];
    const FILLER: &[&str] = &[
        "detailed",
        "security",
        "audit",
        "identified",
        "found",
        "the",
        "list",
        "of",
        "technical",
        "all",
        "and",
        "&",
        "recommendations",
        "observations",
        "details",
        "discovered",
        "reported",
    ];
    let words: Vec<String> = words_of(text)
        .into_iter()
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    words.iter().any(|w| ANCHOR.contains(&w.as_str()))
        && words
            .iter()
            .all(|w| ANCHOR.contains(&w.as_str()) || FILLER.contains(&w.as_str()))
}

/// The report-level summary heading: `Summary`, `Executive Summary`, `Overview`.
pub fn is_summary_heading(text: &str) -> bool {
    let words = words_of(text).join(" ");
    matches!(
        words.as_str(),
        "summary" | "executive summary" | "audit summary" | "report summary" | "overview" | "tl dr"
    )
}

/// A section of the report around the findings, never a finding itself, even when it sits
/// under a findings heading: `Conclusion`, `Appendix: Gas table`, `Disclaimer`, `Scope`.
pub fn is_report_section(text: &str) -> bool {
    const NAMES: &[&str] = &[
        "summary",
        "overview",
        "introduction",
        "conclusion",
        "conclusions",
        "appendix",
        "disclaimer",
        "scope",
        "methodology",
        "about",
        "contents",
        "references",
        "glossary",
        "legend",
        "classification",
        "statistics",
        "revision",
        "changelog",
        "acknowledgements",
    ];
    let words: Vec<String> = words_of(text)
        .into_iter()
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let last = ["summary", "overview", "statistics"];
    words.first().is_some_and(|w| NAMES.contains(&w.as_str()))
        || words.last().is_some_and(|w| last.contains(&w.as_str()))
}

/// A finding id: a short letter prefix, a dash and a number (`H-01`, `QA-3`, `GAS-1`,
/// `TOB-VAULT-2`). Identifiers of other catalogues (`SWC-107`, `CWE-20`) are not ids.
pub fn finding_id(token: &str) -> Option<&str> {
    let (prefix, number) = token.rsplit_once('-')?;
    let first = prefix.split('-').next()?;
    let catalogue = ["swc", "cwe", "eip", "erc", "cve", "bip", "sip"];
    let ok = !number.is_empty()
        && number.len() <= 4
        && number.chars().all(|c| c.is_ascii_digit())
        && !first.is_empty()
        && first.len() <= 6
        && prefix.len() <= 24
        && prefix
            .split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && !catalogue.contains(&first.to_ascii_lowercase().as_str());
    ok.then_some(token)
}

/// The severity an id's prefix implies: `C-`, `H-`, `M-`, `L-`, `I-`/`N-`/`NC-`/`QA-`, `G-`.
pub fn id_severity(id: &str) -> Option<Severity> {
    let (prefix, _) = id.split_once('-')?;
    Some(match prefix.to_ascii_uppercase().as_str() {
        "C" | "CRIT" => Severity::Critical,
        "H" => Severity::High,
        "M" => Severity::Medium,
        "L" => Severity::Low,
        "I" | "N" | "NC" | "QA" | "INFO" => Severity::Info,
        "G" | "GAS" => Severity::Gas,
        _ => return None,
    })
}

/// What a `Key: value` label means inside a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Severity,
    /// `Impact` is a severity when its value is one (`Impact: High`), else a section.
    Impact,
    Confidence,
    Location,
    Rule,
    Swc,
    Function,
    Id,
    Description,
    Recommendation,
    /// A known section that is neither (proof of concept, tools used, status…).
    Other,
}

/// The label a field or section name stands for, if it is one a finding uses.
pub fn label(name: &str) -> Option<Label> {
    let name = words_of(name).join(" ");
    Some(match name.as_str() {
        "severity" | "risk" | "risk level" | "risk rating" | "severity level" | "rating" => {
            Label::Severity
        }
        "impact" => Label::Impact,
        "confidence" => Label::Confidence,
        "line" | "lines" | "line s" | "line number" | "line numbers" | "location" | "locations"
        | "location s" | "affected line s" | "target" | "targets" | "context" | "file"
        | "files" | "affected code" | "affected lines" | "affected file" | "affected files"
        | "lines of code" | "code location" | "instances" | "links" => Label::Location,
        "detector" | "rule" | "rule id" | "check" | "detector id" => Label::Rule,
        "swc" | "swc id" | "swc-id" | "swc reference" | "swc registry" => Label::Swc,
        "function" | "functions" | "affected function" | "affected functions" => Label::Function,
        "id" | "finding id" | "issue id" => Label::Id,
        "explanation"
        | "description"
        | "summary"
        | "vulnerability detail"
        | "vulnerability details"
        | "details"
        | "detail"
        | "root cause"
        | "issue"
        | "problem"
        | "finding description"
        | "bug description"
        | "vulnerability" => Label::Description,
        "recommendation"
        | "recommendations"
        | "recommended mitigation"
        | "recommended mitigation steps"
        | "mitigation"
        | "mitigations"
        | "remediation"
        | "fix"
        | "suggested fix"
        | "recommended fix"
        | "solution"
        | "suggestion" => Label::Recommendation,
        "proof of concept" | "poc" | "exploit scenario" | "attack scenario" | "code snippet"
        | "tool used" | "tools used" | "status" | "resolution" | "team response" | "response"
        | "references" | "likelihood" | "difficulty" | "type" | "category" => Label::Other,
        _ => return None,
    })
}

/// Section names that stay inside a finding even at the finding's own heading level
/// (`### 1. Reentrancy` followed by a sloppy `### Description`).
pub fn is_finding_part(name: &str) -> bool {
    let name = words_of(name).join(" ");
    matches!(
        name.as_str(),
        "description"
            | "explanation"
            | "impact"
            | "recommendation"
            | "recommended mitigation"
            | "recommended mitigation steps"
            | "mitigation"
            | "proof of concept"
            | "poc"
            | "details"
            | "vulnerability detail"
            | "vulnerability details"
            | "root cause"
            | "location"
            | "code snippet"
            | "lines of code"
            | "exploit scenario"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_are_not_finding_ids() {
        assert_eq!(finding_id("H-01"), Some("H-01"));
        assert_eq!(finding_id("TOB-VAULT-2"), Some("TOB-VAULT-2"));
        assert_eq!(finding_id("SWC-107"), None);
        assert_eq!(finding_id("H01"), None);
        assert_eq!(id_severity("QA-3"), Some(Severity::Info));
        assert_eq!(id_severity("G-1"), Some(Severity::Gas));
        assert_eq!(id_severity("C-2"), Some(Severity::Critical));
        assert_eq!(id_severity("TOB-VAULT-2"), None);
    }

    #[test]
    fn severity_groups_and_containers() {
        assert_eq!(severity_group("High"), Some(Severity::High));
        assert_eq!(severity_group("Medium Risk"), Some(Severity::Medium));
        assert_eq!(
            severity_group("High Severity Findings (2)"),
            Some(Severity::High)
        );
        assert_eq!(
            severity_group("Low Risk and Non-Critical Issues"),
            Some(Severity::Low)
        );
        assert_eq!(severity_group("Gas Optimizations"), Some(Severity::Gas));
        assert_eq!(severity_group("High level design"), None);
        assert!(is_findings_container("Detailed Findings"));
        assert!(!is_findings_container("Summary of Findings"));
        assert_eq!(
            severity_word("**High** (likelihood: low)"),
            Some(Severity::High)
        );
        assert_eq!(severity_word("🔴 Critical"), Some(Severity::Critical));
    }
}
