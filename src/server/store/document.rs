//! A stored report as the findings JSON export (`auditstream.report/1`, from
//! `crate::report`): built by the writer when a report ends, and for `GET
//! /api/reports/{id}` the same document plus the row's id, status, text and times.

use crate::{
    history::{ReportStatus, SeverityCounts, StoredReport},
    protocol::{FindingCheck, ProjectFile},
    report::{
        Report, detect_language,
        export::{AuditedContract, AuditedFile, ReportDocument, Timings},
        parse_finished_report, parse_report,
    },
};

/// What the document says about where a report came from.
pub struct Provenance<'a> {
    pub contract: &'a str,
    pub contract_sha256: &'a str,
    pub filename: Option<&'a str>,
    pub provider: &'a str,
    pub model: &'a str,
    /// A project's files (empty for one contract).
    pub files: &'a [ProjectFile],
}

/// The export document of `text` and its severity counts. A `done` report is read as
/// finished; any other as text that stopped partway.
pub fn document(
    origin: &Provenance<'_>,
    text: &str,
    status: ReportStatus,
    timings: Timings,
    checks: &[FindingCheck],
) -> (ReportDocument, SeverityCounts) {
    let mut report: Report = if status == ReportStatus::Done {
        parse_finished_report(text)
    } else {
        parse_report(text)
    };
    crate::protocol::apply_checks(&mut report, text, checks);
    let counts = SeverityCounts::of(&report);
    let language = if origin.files.is_empty() {
        detect_language(origin.contract, origin.filename)
    } else {
        super::files::project_language(origin.files)
    };
    let contract = AuditedContract {
        name: origin.filename.unwrap_or("contract").to_owned(),
        language,
        sha256: Some(origin.contract_sha256.to_owned()),
    };
    let model = Some(format!("{}/{}", origin.provider, origin.model));
    let mut doc = ReportDocument::new(report, contract, model);
    doc.files = origin
        .files
        .iter()
        .map(|f| AuditedFile {
            path: f.path.clone(),
            sha256: super::sha256_hex(&f.content),
        })
        .collect();
    doc.timings = timings;
    doc.status = (status != ReportStatus::Done).then(|| status.as_str().to_owned());
    (doc, counts)
}

/// `GET /api/reports/{id}`: the export document (stored at the end, or read from the text
/// so far) plus `id`, `status`, `text`, `source` (the contract), `error` and the times.
pub fn api_json(r: &StoredReport) -> serde_json::Value {
    let mut doc = r
        .findings
        .clone()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| {
            let origin = Provenance {
                contract: &r.contract,
                contract_sha256: &r.contract_sha256,
                filename: r.filename.as_deref(),
                provider: &r.provider,
                model: &r.model,
                files: &r.files,
            };
            let timings = Timings {
                ttft_ms: r.ttft_ms.and_then(|v| u64::try_from(v).ok()),
                duration_ms: r.duration_ms.and_then(|v| u64::try_from(v).ok()),
                output_tokens: r.output_tokens.and_then(|v| u64::try_from(v).ok()),
            };
            let (doc, _) = document(&origin, &r.text, r.status, timings, &r.checks);
            serde_json::to_value(doc).expect("plain data serializes")
        });
    if let Some(obj) = doc.as_object_mut() {
        let mut put = |k: &str, v: serde_json::Value| {
            obj.insert(k.to_owned(), v);
        };
        put("id", r.id.clone().into());
        put("status", r.status.as_str().into());
        put("text", r.text.clone().into());
        put("source", r.contract.clone().into());
        if !r.files.is_empty() {
            // A project's texts with their paths, as `source` is one contract's.
            put(
                "sources",
                serde_json::to_value(&r.files).expect("files serialize"),
            );
        }
        put("provider", r.provider.clone().into());
        put("filename", r.filename.clone().into());
        put("created_ms", r.created_ms.into());
        put("updated_ms", r.updated_ms.into());
        put(
            "counts",
            serde_json::to_value(r.counts).expect("counts serialize"),
        );
        put(
            "error",
            serde_json::to_value(&r.error).expect("error serializes"),
        );
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "# Security report: A.sol\n\n## Summary\nOne issue.\n\n## Findings\n\n\
### 1. Reentrancy in withdraw\n- **Severity:** High\n- **Line:** 12\n- **Detector:** reentrancy\n\n\
**Explanation.** State is written after the call.\n\n**Recommendation.** Update first.\n";

    fn origin() -> Provenance<'static> {
        Provenance {
            contract: "pragma solidity ^0.8.0;",
            contract_sha256: "ab",
            filename: Some("A.sol"),
            provider: "openai",
            model: "m",
            files: &[],
        }
    }

    #[test]
    fn a_finished_report_becomes_the_export_document_with_its_counts() {
        let (doc, counts) = document(
            &origin(),
            REPORT,
            ReportStatus::Done,
            Timings::default(),
            &[],
        );
        assert_eq!(doc.schema, "auditstream.report/1");
        assert_eq!(doc.findings.len(), 1);
        assert_eq!(counts.high, 1);
        assert_eq!(doc.model.as_deref(), Some("openai/m"));
        assert_eq!(doc.contract.sha256.as_deref(), Some("ab"));
        assert_eq!(doc.status, None);
        let (doc, _) = document(
            &origin(),
            REPORT,
            ReportStatus::Stopped,
            Timings::default(),
            &[],
        );
        assert_eq!(doc.status.as_deref(), Some("stopped"));
    }

    #[test]
    fn a_project_document_lists_its_files_with_their_hashes() {
        let files = [
            ProjectFile {
                path: "src/Pool.vy".into(),
                content: "# @version 0.3.10\n".into(),
            },
            ProjectFile {
                path: "src/Lib.vy".into(),
                content: "x".into(),
            },
        ];
        let origin = Provenance {
            contract: "",
            filename: Some("pool"),
            files: &files,
            ..origin()
        };
        let (doc, _) = document(&origin, REPORT, ReportStatus::Done, Timings::default(), &[]);
        let paths: Vec<&str> = doc.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["src/Pool.vy", "src/Lib.vy"]);
        assert_eq!(doc.files[1].sha256, crate::server::store::sha256_hex("x"));
        assert_eq!(doc.contract.name, "pool");
        assert_eq!(doc.contract.language, crate::report::Language::Vyper);
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["files"][0]["path"], "src/Pool.vy");
        // One contract's document has no `files` at all (the field is additive).
        let (single, _) = document(
            &super::tests::origin(),
            REPORT,
            ReportStatus::Done,
            Timings::default(),
            &[],
        );
        assert!(
            serde_json::to_value(&single)
                .unwrap()
                .get("files")
                .is_none()
        );
    }
}
