//! Microsoft's SARIF Multitool, as the SARIF tests run it: where it is, and its
//! `validate` with GitHub's rules read back as `(level, ruleId, message)`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Multitool binary: `$AUDITSTREAM_SARIF_MULTITOOL`, or the one npm installed. Called
/// directly because npm's `bin` wrapper passes arguments through a shell, which would split
/// `Gh;Sarif` at the semicolon.
pub fn multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AUDITSTREAM_SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    p.is_file().then_some(p)
}

/// Runs `validate --rule-kind "Gh;Sarif"` on `sarif` and returns the validation log's
/// results as `(level, ruleId, message)`.
pub fn validate(tool: &Path, dir: &Path, sarif: &str) -> Vec<(String, String, String)> {
    let input = dir.join("auditstream.sarif");
    let output = dir.join("validation.sarif");
    std::fs::write(&input, sarif).expect("write SARIF");
    let run = Command::new(tool)
        .arg("validate")
        .arg("--rule-kind")
        .arg("Gh;Sarif")
        // `--level` and `--log` take lists: a plain option must follow them, or they would
        // swallow the input file.
        .arg("--level")
        .arg("Error;Warning;Note")
        .arg("--log")
        .arg("ForceOverwrite")
        .arg("--output")
        .arg(&output)
        .arg(&input)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("the Multitool runs");
    let log = std::fs::read_to_string(&output).unwrap_or_else(|e| {
        panic!(
            "no validation log ({e}); the Multitool said:\n{}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let log: serde_json::Value = serde_json::from_str(&log).expect("validation log is JSON");
    let runs = log["runs"].as_array().expect("runs");
    // A tool failure shows up as a notification, not a result.
    for run in runs {
        for n in run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert_ne!(n["level"], "error", "the Multitool failed: {n}");
        }
    }
    runs.iter()
        .flat_map(|r| r["results"].as_array().cloned().unwrap_or_default())
        .map(|r| {
            (
                r["level"].as_str().unwrap_or("warning").to_owned(),
                r["ruleId"].as_str().unwrap_or("").to_owned(),
                r["message"].to_string(),
            )
        })
        .collect()
}

/// Validates `sarif` and panics on any error; without the Multitool, passes only when
/// `AUDITSTREAM_SKIP_SARIF_VALIDATION=1` says so.
pub fn assert_valid(sarif: &str) {
    let Some(tool) = multitool() else {
        assert_eq!(
            std::env::var("AUDITSTREAM_SKIP_SARIF_VALIDATION").as_deref(),
            Ok("1"),
            "Microsoft's SARIF Multitool is not installed: run `scripts/install.sh --test` \
             (or `cd tools && npm ci`), or set AUDITSTREAM_SKIP_SARIF_VALIDATION=1 to skip"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let errors: Vec<_> = validate(&tool, dir.path(), sarif)
        .into_iter()
        .filter(|(level, ..)| level == "error")
        .collect();
    assert!(errors.is_empty(), "the Multitool found errors: {errors:#?}");
}

/// Every `artifactLocation.uri` of a log, wherever it sits.
pub fn uris(v: &serde_json::Value, out: &mut Vec<(String, Option<String>)>) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(loc) = map.get("artifactLocation") {
                out.push((
                    loc["uri"].as_str().unwrap_or("").to_owned(),
                    loc["uriBaseId"].as_str().map(str::to_owned),
                ));
            }
            if let Some(loc) = map.get("location")
                && loc.get("uri").is_some()
            {
                out.push((
                    loc["uri"].as_str().unwrap_or("").to_owned(),
                    loc["uriBaseId"].as_str().map(str::to_owned),
                ));
            }
            map.values().for_each(|x| uris(x, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| uris(x, out)),
        _ => {}
    }
}
