//! The report's downloads: Markdown as written, JSON (`auditstream.report/1`) and SARIF
//! 2.1.0 from the findings model in `src/report/`. Pure: built from what is on screen.

use crate::{
    protocol::{Done, FindingCheck, apply_checks},
    report::{
        check_lines, detect_language,
        export::{
            json::{AuditedContract, ReportDocument, Timings},
            sarif::{SarifInput, SarifTool, to_sarif_string},
        },
        parse_finished_report,
    },
};

/// Everything the exports are made of.
pub struct ExportInput<'a> {
    pub markdown: &'a str,
    pub contract: &'a str,
    pub filename: Option<&'a str>,
    /// `provider/model` from the stream's `meta`.
    pub model: Option<&'a str>,
    pub done: Option<&'a Done>,
    /// How the stream ended when not cleanly (`stopped`, `error`).
    pub status: Option<&'a str>,
    /// The server's verdicts (`finding` events) and the analyzer's joined findings.
    pub checks: &'a [FindingCheck],
}

/// One download the reader offers: its button, its file and how it is built.
pub struct ExportFormat {
    /// The button's element id.
    pub id: &'static str,
    pub extension: &'static str,
    pub mime: &'static str,
    pub build: fn(&ExportInput<'_>) -> String,
}

/// The downloads, in button order: the same ids as the buttons' (`actions::DOWNLOADS`,
/// in the first download; this table and its writers are in the reader's part).
pub static EXPORTS: [ExportFormat; 3] = [
    ExportFormat {
        id: "download-md",
        extension: "md",
        mime: "text/markdown",
        build: as_written,
    },
    ExportFormat {
        id: "download-json",
        extension: "json",
        mime: "application/json",
        build: to_json,
    },
    ExportFormat {
        id: "download-sarif",
        extension: "sarif",
        mime: "application/sarif+json",
        build: to_sarif,
    },
];

/// The Markdown export: the report as the model wrote it.
fn as_written(input: &ExportInput<'_>) -> String {
    input.markdown.to_owned()
}

/// The download name for an export: `Vault.sol` → `Vault.report.md`.
pub fn export_name(filename: Option<&str>, extension: &str) -> String {
    let stem = filename
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f))
        .map(|f| f.rsplit_once('.').map_or(f, |(stem, _)| stem))
        .filter(|s| !s.is_empty())
        .unwrap_or("contract");
    format!("{stem}.report.{extension}")
}

fn contract_name(filename: Option<&str>) -> &str {
    filename.unwrap_or("contract")
}

/// The report on screen as data: parsed, with its verdicts.
fn checked_report(input: &ExportInput<'_>) -> crate::report::Report {
    let mut report = parse_finished_report(input.markdown);
    apply_checks(&mut report, input.markdown, input.checks);
    report
}

pub fn to_json(input: &ExportInput<'_>) -> String {
    let mut report = checked_report(input);
    check_lines(&mut report, input.contract, input.filename);
    let contract = AuditedContract {
        name: contract_name(input.filename).to_owned(),
        language: detect_language(input.contract, input.filename),
        sha256: None,
    };
    let mut doc = ReportDocument::new(report, contract, input.model.map(str::to_owned));
    if let Some(d) = input.done {
        doc.timings = Timings {
            ttft_ms: d.ttft_ms,
            duration_ms: Some(d.duration_ms),
            output_tokens: d.output_tokens,
        };
    }
    doc.status = input.status.map(str::to_owned);
    doc.to_json()
}

pub fn to_sarif(input: &ExportInput<'_>) -> String {
    let report = checked_report(input);
    let sarif_input = SarifInput {
        path: contract_name(input.filename),
        report: &report,
        source: Some(input.contract),
    };
    to_sarif_string(&[sarif_input], &SarifTool::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = "# Security report: Vault.sol\n\n## Findings\n\n### 1. Reentrancy\n- **Severity:** High\n- **Line:** 2\n";

    fn input() -> ExportInput<'static> {
        ExportInput {
            markdown: MD,
            contract: "pragma solidity ^0.8.0;\ncontract V {}\n",
            filename: Some("Vault.sol"),
            model: Some("fake/echo"),
            done: None,
            status: Some("stopped"),
            checks: &[],
        }
    }

    #[test]
    fn json_and_sarif_carry_the_findings() {
        let json: serde_json::Value = serde_json::from_str(&to_json(&input())).unwrap();
        assert_eq!(json["schema"], "auditstream.report/1");
        assert_eq!(json["findings"][0]["severity"], "High");
        assert_eq!(json["status"], "stopped");
        assert_eq!(json["model"], "fake/echo");
        let sarif: serde_json::Value = serde_json::from_str(&to_sarif(&input())).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["level"], "error");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "Vault.sol"
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
    }

    #[test]
    fn verdicts_reach_json_and_sarif_and_a_false_finding_is_only_a_note() {
        let checks = [FindingCheck {
            report_line: Some(5),
            id: "1".into(),
            title: "Reentrancy".into(),
            verdict: crate::report::Verdict::Unverified,
            reason: "line 2 of Vault.sol is outside `withdraw`".into(),
            found_by: crate::report::FoundBy::Model,
            finding: None,
        }];
        let input = ExportInput {
            checks: &checks,
            ..input()
        };
        let json: serde_json::Value = serde_json::from_str(&to_json(&input)).unwrap();
        let f = &json["findings"][0];
        assert_eq!(
            (f["verdict"].as_str(), f["found_by"].as_str()),
            (Some("unverified"), Some("model"))
        );
        assert_eq!(f["reason"], checks[0].reason);
        let sarif: serde_json::Value = serde_json::from_str(&to_sarif(&input)).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(
            result["level"], "note",
            "a High that does not hold raises no alert"
        );
        assert_eq!(result["properties"]["verdict"], "unverified");
        assert!(result["properties"].get("security-severity").is_none());
    }

    #[test]
    fn every_button_has_its_export_in_order() {
        let buttons: Vec<_> = super::super::actions::DOWNLOADS
            .iter()
            .map(|d| d.0)
            .collect();
        let exports: Vec<_> = EXPORTS.iter().map(|e| e.id).collect();
        assert_eq!(buttons, exports);
    }

    #[test]
    fn exports_are_named_after_the_contract() {
        assert_eq!(export_name(Some("Vault.sol"), "md"), "Vault.report.md");
        assert_eq!(export_name(Some("dir/a.b.vy"), "sarif"), "a.b.report.sarif");
        assert_eq!(export_name(None, "json"), "contract.report.json");
        assert_eq!(export_name(Some(".sol"), "md"), "contract.report.md");
    }
}
