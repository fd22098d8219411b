//! The round trip that keeps the builtin analyzer, the report grammar and the parser in step:
//! analyzer findings → markdown → parser → the same findings, on every test contract.

use std::path::{Path, PathBuf};

use super::markdown::write_report;
use super::model::{Finding, Location, Report, Severity};
use super::parse::parse_finished_report;
use crate::analyzer::{self, Analysis, analyze, render_markdown};

/// The one conversion from the analyzer's output to the findings model. When the analyzer
/// produces `report::Finding` itself, this becomes a plain copy.
fn from_analysis(a: &Analysis) -> Report {
    let findings = a
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| Finding {
            id: (i + 1).to_string(),
            title: f.title.clone(),
            severity: match f.severity {
                analyzer::Severity::Critical => Severity::Critical,
                analyzer::Severity::High => Severity::High,
                analyzer::Severity::Medium => Severity::Medium,
                analyzer::Severity::Low => Severity::Low,
                analyzer::Severity::Info => Severity::Info,
            },
            rule: f.detector.to_owned(),
            swc: None,
            confidence: None,
            function: None,
            locations: vec![Location {
                file: None,
                line: u32::try_from(f.line).expect("line fits u32"),
                end_line: None,
                out_of_range: false,
            }],
            description: f.explanation.clone(),
            recommendation: f.recommendation.clone(),
            snippet: Some(f.snippet.clone()),
            complete: true,
        })
        .collect();
    Report {
        title: Some(format!(
            "Security report: {}",
            a.filename.as_deref().unwrap_or("contract")
        )),
        summary: String::new(),
        findings,
        unclassified: Vec::new(),
    }
}

/// The shared test data: next to the crate, or under `$AUDITSTREAM_TESTDATA`.
fn testdata() -> PathBuf {
    let beside = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata"));
    if beside.is_dir() {
        return beside;
    }
    match std::env::var_os("AUDITSTREAM_TESTDATA").map(PathBuf::from) {
        Some(dir) if dir.is_dir() => dir,
        _ => panic!(
            "test data not found at {} and AUDITSTREAM_TESTDATA is not set",
            beside.display()
        ),
    }
}

/// Every `.sol` and `.vy` file under `dir`, recursively, sorted.
fn contracts(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "sol" || e == "vy") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn analyzer_findings_survive_markdown_and_back_on_every_contract() {
    let root = testdata();
    let mut files = 0;
    let mut findings = 0;
    for folder in ["contracts", "swc"] {
        for path in contracts(&root.join(folder)) {
            let source = std::fs::read(&path).expect("readable contract");
            let source = String::from_utf8_lossy(&source);
            let name = path.file_name().and_then(|n| n.to_str());
            let analysis = analyze(&source, name);
            let expected = from_analysis(&analysis);
            let ours = parse_finished_report(&write_report(&expected, analysis.language));
            assert_eq!(ours.findings, expected.findings, "{}", path.display());
            // The analyzer's own markdown is the same grammar.
            let theirs = parse_finished_report(&render_markdown(&analysis));
            assert_eq!(theirs.findings, expected.findings, "{}", path.display());
            assert!(theirs.unclassified.is_empty(), "{}", path.display());
            files += 1;
            findings += expected.findings.len();
        }
    }
    assert!(
        files >= 40,
        "only {files} contracts found under {}",
        root.display()
    );
    assert!(findings >= 40, "only {findings} findings compared");
}
