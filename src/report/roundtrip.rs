//! The round trip that keeps the builtin analyzer, the report grammar and the parser in step:
//! analyzer findings → markdown → parser → the same findings, on every test contract.

use std::path::{Path, PathBuf};

use super::model::Report;
use super::parse::parse_finished_report;
use super::write::write_report;
use crate::analyzer::{Analysis, analyze, render_markdown};

/// The one conversion from the analyzer's output to what our grammar carries: the analyzer
/// produces `report::Finding`s itself; only `confidence` and `function`, which the markdown
/// grammar has no field for, are left out.
fn from_analysis(a: &Analysis) -> Report {
    let mut report = a.report();
    for f in &mut report.findings {
        f.confidence = None;
        f.function = None;
    }
    report
}

/// The repository's test data (`testdata/`, origins and licences in its `SOURCES.md`).
fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"))
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
