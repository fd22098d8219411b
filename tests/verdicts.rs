//! How far the verdicts can be trusted, measured through the real binary the way a user
//! (and our held-back corpus) runs them: `auditstream export REPORT.md --source FILE
//! --format json` over model-style reports whose findings are labelled real or false
//! (testdata/verify/cases.json). Floors are asserted, the table is printed (docs/
//! verification.md keeps the last one): at least 90% of false findings marked unverified
//! or contradicted, at most 5% of real ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_auditstream");

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/verify")
}

/// The findings of `auditstream export` JSON: (id, verdict, reason, found by).
fn export(report: &Path, source: &Path) -> Vec<(String, String, String, String)> {
    let out = Command::new(BIN)
        .arg("export")
        .arg(report)
        .arg("--source")
        .arg(source)
        .args(["--format", "json"])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = doc["findings"].as_array().expect("findings").clone();
    findings
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (s("id"), s("verdict"), s("reason"), s("found_by"))
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    total: usize,
    flagged: usize,
}

/// The corpus written alongside the checks.
#[test]
fn false_findings_are_caught_and_real_ones_kept() {
    measure(&corpus());
}

/// The corpus written by an author who saw neither the checks nor the other corpus
/// (testdata/verify/blind/README.md): the honest figure.
#[test]
fn false_findings_of_an_independent_corpus_are_caught_and_real_ones_kept() {
    measure(&corpus().join("blind"));
}

fn measure(root: &Path) {
    let cases: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("cases.json")).expect("cases.json"),
    )
    .expect("cases.json is JSON");
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    let mut escaped = Vec::new();
    let mut wrongly = Vec::new();
    let mut unread = Vec::new();
    for case in cases["cases"].as_array().expect("cases") {
        let report = root.join(case["report"].as_str().expect("report"));
        let sources = case["sources"].as_array().expect("sources");
        assert_eq!(sources.len(), 1, "one contract per case");
        let source = root.join(sources[0].as_str().expect("source"));
        let got = export(&report, &source);
        let labels = case["findings"].as_object().expect("labels");
        for (id, label) in labels {
            let label = label.as_str().expect("label");
            let Some((_, verdict, reason, _)) = got.iter().find(|(gid, ..)| gid == id) else {
                unread.push(format!("{} {id}", report.display()));
                continue;
            };
            let flagged = matches!(verdict.as_str(), "unverified" | "contradicted");
            let kind = label.to_owned();
            let t = by_kind.entry(kind.clone()).or_default();
            t.total += 1;
            t.flagged += usize::from(flagged);
            let name = format!(
                "{} {id} ({label}): {verdict}: {reason}",
                report.file_name().unwrap().to_string_lossy()
            );
            match (label == "real", flagged) {
                (true, true) => wrongly.push(name),
                (false, false) => escaped.push(name),
                _ => {}
            }
        }
        // Every model finding is checked; the analyzer's own additions say so.
        for (id, verdict, _, found_by) in &got {
            assert!(!verdict.is_empty(), "{id} has no verdict");
            assert!(
                labels.contains_key(id) || found_by == "analyzer",
                "{}: finding {id} is neither labelled nor the analyzer's",
                report.display()
            );
        }
    }
    let sum = |real: bool| {
        by_kind
            .iter()
            .filter(|(k, _)| (k.as_str() == "real") == real)
            .fold((0, 0), |(t, f), (_, v)| (t + v.total, f + v.flagged))
    };
    let (false_total, caught) = sum(false);
    let (real_total, flagged_real) = sum(true);
    println!("| kind | findings | marked unverified or contradicted |");
    println!("|---|---|---|");
    for (kind, t) in &by_kind {
        println!("| {kind} | {} | {} |", t.total, t.flagged);
    }
    let catch = caught as f64 / false_total as f64;
    let false_flag = flagged_real as f64 / real_total as f64;
    println!(
        "caught {caught}/{false_total} false findings ({:.0}%), flagged {flagged_real}/{real_total} real ones ({:.0}%)",
        catch * 100.0,
        false_flag * 100.0
    );
    for e in &escaped {
        println!("escaped: {e}");
    }
    for w in &wrongly {
        println!("wrongly flagged: {w}");
    }
    assert!(unread.is_empty(), "the parser did not read: {unread:#?}");
    assert!(catch >= 0.90, "catch rate {catch:.2} < 0.90: {escaped:#?}");
    assert!(
        false_flag <= 0.05,
        "false-flag rate {false_flag:.2} > 0.05: {wrongly:#?}"
    );
}
