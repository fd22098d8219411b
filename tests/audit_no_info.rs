//! `auditstream audit --no-info`: the offline analyzer's Info findings (hygiene notes) are
//! left out of the exported report, and nothing else is.

#![cfg(feature = "ssr")]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_auditstream");

/// The `(rule, severity)` of each finding in the JSON export of `file`.
fn findings(extra: &[&str], file: &str) -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/analyzer/reentrancy");
    let out = Command::new(BIN)
        .args(["audit", "--format", "json", "--quiet"])
        .args(extra)
        .arg(file)
        .current_dir(dir)
        .env_remove("AUDITSTREAM_PROVIDER")
        .env_remove("AUDITSTREAM_CONFIG")
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn no_info_drops_only_the_info_findings() {
    let file = "transfer_then_write.sol";
    let all = findings(&[], file);
    let lean = findings(&["--no-info"], file);
    assert!(all.iter().any(|(_, s)| s == "Info"), "{all:?}");
    assert!(lean.iter().all(|(_, s)| s != "Info"), "{lean:?}");
    let kept: Vec<_> = all.into_iter().filter(|(_, s)| s != "Info").collect();
    assert!(!kept.is_empty());
    assert_eq!(lean, kept);
}
