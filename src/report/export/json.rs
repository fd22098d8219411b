//! The JSON export, `"schema": "auditstream.report/1"`: one report with what produced it.
//! The shape is documented in docs/reports.md; a breaking change bumps the schema's number, an
//! added optional field does not.

use serde::{Deserialize, Serialize};

use super::super::language::Language;
use super::super::model::{Finding, Report, Unclassified};

/// The schema id written into every document.
pub const JSON_SCHEMA: &str = "auditstream.report/1";

/// The program that wrote the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    /// This crate: `auditstream` and its version.
    fn default() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// The audited contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditedContract {
    /// The file name as given, or `"contract"`.
    pub name: String,
    pub language: Language,
    /// Lowercase hex SHA-256 of the source, when the caller had the source at hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// One file of an audited project, as the report's `files` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditedFile {
    /// Relative to the project's root, `/`-separated.
    pub path: String,
    /// Lowercase hex SHA-256 of the file's text.
    pub sha256: String,
}

/// How the report was produced; `null` when unknown (a report read back from markdown).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    pub ttft_ms: Option<u64>,
    pub duration_ms: Option<u64>,
    pub output_tokens: Option<u64>,
}

/// The whole document. Serialize it with `serde_json`; it reads back with `from_str`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDocument {
    /// Always `JSON_SCHEMA`.
    pub schema: String,
    pub tool: Tool,
    /// `provider/model`, e.g. `builtin/analyzer` or `ollama/qwen2.5-coder:7b`.
    pub model: Option<String>,
    pub contract: AuditedContract,
    /// A project's files, in the order they were sent; absent for one contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<AuditedFile>,
    pub timings: Timings,
    /// How the stream ended when not cleanly: `stopped`, `truncated`, `error`, ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub title: Option<String>,
    pub summary: String,
    pub findings: Vec<Finding>,
    pub unclassified: Vec<Unclassified>,
}

impl ReportDocument {
    /// Wraps `report` with what produced it.
    pub fn new(report: Report, contract: AuditedContract, model: Option<String>) -> Self {
        ReportDocument {
            schema: JSON_SCHEMA.to_owned(),
            tool: Tool::default(),
            model,
            contract,
            files: Vec::new(),
            timings: Timings::default(),
            status: None,
            title: report.title,
            summary: report.summary,
            findings: report.findings,
            unclassified: report.unclassified,
        }
    }

    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serializes");
        s.push('\n');
        s
    }

    /// The report inside.
    pub fn report(&self) -> Report {
        Report {
            title: self.title.clone(),
            summary: self.summary.clone(),
            findings: self.findings.clone(),
            unclassified: self.unclassified.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::parse::parse_finished_report;
    use super::*;

    const REPORT: &str = "# Security report: Vault.sol\n\n## Summary\n\nOne.\n\n## Findings\n\n\
        ### 1. Reentrancy\n- **Severity:** High\n- **Line:** 19-25\n- **Detector:** reentrancy\n\
        - **SWC:** SWC-107\n\n**Explanation.** Call first.\n\n**Recommendation.** Write first.\n\n\
        ### 2. Odd\nno severity\n";

    #[test]
    fn the_document_has_the_documented_shape() {
        let mut doc = ReportDocument::new(
            parse_finished_report(REPORT),
            AuditedContract {
                name: "Vault.sol".into(),
                language: Language::Solidity,
                sha256: Some("ab".repeat(32)),
            },
            Some("builtin/analyzer".into()),
        );
        doc.timings.ttft_ms = Some(12);
        let v: serde_json::Value = serde_json::from_str(&doc.to_json()).expect("valid JSON");
        assert_eq!(v["schema"], "auditstream.report/1");
        assert_eq!(v["tool"]["name"], "auditstream");
        assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["model"], "builtin/analyzer");
        assert_eq!(v["contract"]["language"], "Solidity");
        assert_eq!(v["contract"]["sha256"].as_str().map(str::len), Some(64));
        assert_eq!(v["timings"]["ttft_ms"], 12);
        assert!(v["timings"]["duration_ms"].is_null());
        assert!(v.get("status").is_none());
        assert_eq!(v["title"], "Security report: Vault.sol");
        let f = &v["findings"][0];
        assert_eq!(f["id"], "1");
        assert_eq!(f["severity"], "High");
        assert_eq!(f["rule"], "reentrancy");
        assert_eq!(f["swc"], "SWC-107");
        assert_eq!(f["locations"][0]["line"], 19);
        assert_eq!(f["locations"][0]["end_line"], 25);
        assert_eq!(f["description"], "Call first.");
        assert_eq!(v["unclassified"][0]["title"], "Odd");
        let back: ReportDocument = serde_json::from_value(v).expect("reads back");
        assert_eq!(back, doc);
    }
}
