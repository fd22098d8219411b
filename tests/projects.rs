//! Whole projects end to end. The real binary: `auditstream audit DIR`, several files that
//! import each other, a `.zip`, `--scope`/`--exclude`, and SARIF written from another
//! folder (paths relative to the project root under `%SRCROOT%`, never a bare absolute
//! path), validated by the Multitool; and a project asked of a fake model in one prompt.

mod sarif_tool;
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::fake_model::{FakeModel, Script, Step, openai_delta, openai_finish};

const BIN: &str = env!("CARGO_BIN_EXE_auditstream");

fn projects() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/projects")
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("AUDITSTREAM_PROVIDER")
        .env_remove("AUDITSTREAM_CONFIG")
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// `(rule, file, line)` of a finding's first location.
type At = (String, String, u64);

/// `(contract name, its findings)` of each document of a JSON array.
fn findings(doc: &serde_json::Value) -> Vec<(String, Vec<At>)> {
    let docs = match doc.as_array() {
        Some(many) => many.clone(),
        None => vec![doc.clone()],
    };
    docs.iter()
        .map(|d| {
            let list = d["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let at = &f["locations"][0];
                    (
                        f["rule"].as_str().unwrap().to_owned(),
                        at["file"].as_str().unwrap_or("").to_owned(),
                        at["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect();
            (d["contract"]["name"].as_str().unwrap().to_owned(), list)
        })
        .collect()
}

fn line_of(path: &Path, needle: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().position(|l| l.contains(needle)).expect(needle) as u64 + 1
}

#[test]
fn a_foundry_folder_is_one_project() {
    let root = projects().join("foundry-vault");
    let o = run(&root, &["audit", ".", "--format", "json"]);
    let err = stderr(&o);
    let got = findings(&json(&o));
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["src/Treasury.sol", "src/Vault.sol", "src/VaultBase.sol"]
    );
    assert!(
        err.contains("foundry project, 3 file(s) in scope, 3 read as context, 0 unresolved"),
        "{err}"
    );
    let withdraw = line_of(
        &root.join("src/Vault.sol"),
        "msg.sender.call{value: amount}",
    );
    assert!(
        got[1]
            .1
            .contains(&("reentrancy".into(), "src/Vault.sol".into(), withdraw)),
        "{got:?}"
    );
    // The test file and the mock are not reported on; OpenZeppelin is context.
    for (_, list) in &got {
        assert!(
            list.iter()
                .all(|(_, file, _)| file.starts_with("src/") && !file.contains("mocks"))
        );
    }
}

#[test]
fn several_files_that_import_each_other_are_one_project() {
    let root = projects().join("clash");
    let together = findings(&json(&run(
        &root,
        &[
            "audit",
            "src/VaultB.sol",
            "src/b/Token.sol",
            "--format",
            "json",
        ],
    )));
    assert_eq!(together.len(), 2);
    let vault = &together
        .iter()
        .find(|(n, _)| n == "src/VaultB.sol")
        .unwrap()
        .1;
    assert!(
        !vault.iter().any(|(rule, ..)| rule == "selfdestruct"),
        "b/Token.sol's `fromDeployer` guards `close`: {vault:?}"
    );
    let alone = findings(&json(&run(
        &root,
        &["audit", "src/VaultB.sol", "--format", "json"],
    )));
    assert!(
        alone[0].1.iter().any(|(rule, ..)| rule == "selfdestruct"),
        "{alone:?}"
    );
}

#[test]
fn scope_and_exclude_globs() {
    let root = projects().join("foundry-vault");
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["audit", ".", "--format", "json"];
        all.extend(args);
        findings(&json(&run(&root, &all)))
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    };
    assert_eq!(
        names(&["--exclude", "src/Treasury.sol"]),
        ["src/Vault.sol", "src/VaultBase.sol"]
    );
    assert_eq!(
        names(&[
            "--scope",
            "src/Vault*.sol",
            "--exclude",
            "src/VaultBase.sol"
        ]),
        ["src/Vault.sol"]
    );
    assert_eq!(
        names(&["--scope", "src/mocks/**"]),
        ["src/mocks/MockToken.sol"]
    );
    let bad = run(&root, &["audit", ".", "--scope", "src/["]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("(bad_scope_glob)"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn sarif_from_another_folder_is_relative_to_the_project_root() {
    let elsewhere = tempfile::tempdir().unwrap();
    let root = projects().join("hardhat-token");
    let o = run(
        elsewhere.path(),
        &["audit", root.to_str().unwrap(), "--format", "sarif"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run0 = &sarif["runs"][0];
    let base = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with("/hardhat-token/"),
        "{base}"
    );
    let artifacts: Vec<&str> = run0["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["location"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(artifacts, ["contracts/Sale.sol", "contracts/Token.sol"]);
    let mut uris = Vec::new();
    sarif_tool::uris(&sarif, &mut uris);
    for (uri, id) in &uris {
        assert!(!uri.starts_with('/'), "{uri}");
        assert_eq!(id.as_deref(), Some("%SRCROOT%"), "{uri}");
    }
    sarif_tool::assert_valid(&text);
}

#[test]
fn one_file_outside_the_working_folder_gets_a_file_uri() {
    let elsewhere = tempfile::tempdir().unwrap();
    let file = projects().join("cycle/Member.sol");
    let o = run(
        elsewhere.path(),
        &["audit", file.to_str().unwrap(), "--format", "sarif"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut uris = Vec::new();
    sarif_tool::uris(&sarif, &mut uris);
    assert!(!uris.is_empty());
    for (uri, id) in &uris {
        assert!(
            uri.starts_with("file:///") && uri.ends_with("/cycle/Member.sol"),
            "{uri}"
        );
        assert_eq!(id, &None);
    }
    sarif_tool::assert_valid(&text);
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Every file under `dir`, as `(path relative to base, bytes)`.
fn files_under(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(base, &p, out);
        } else {
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
}

#[test]
fn a_zipped_project_is_audited_and_a_hostile_zip_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    files_under(&projects(), &projects().join("hardhat-token"), &mut files);
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    std::fs::write(dir.path().join("token.zip"), zip_of(&entries)).unwrap();
    let got = findings(&json(&run(
        dir.path(),
        &["audit", "token.zip", "--format", "json"],
    )));
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["contracts/Sale.sol", "contracts/Token.sol"]);
    let evil = zip_of(&[
        ("contracts/A.sol", b"contract A {}"),
        ("../../evil.sol", b"x"),
    ]);
    std::fs::write(dir.path().join("evil.zip"), evil).unwrap();
    let o = run(dir.path(), &["audit", "evil.zip"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("(path_climbs_out)"), "{}", stderr(&o));
    std::fs::write(dir.path().join("fake.zip"), b"not a zip at all").unwrap();
    let o = run(dir.path(), &["audit", "fake.zip"]);
    assert!(stderr(&o).contains("(not_a_zip)"), "{}", stderr(&o));
}

#[tokio::test]
async fn a_project_goes_to_the_model_in_one_prompt_and_its_findings_back_to_their_files() {
    let report = "# Security report: foundry project\n\n## Summary\n\nTwo issues.\n\n## Findings\n\n### 1. Reentrancy in withdraw\n- **Severity:** High\n- **Line:** src/Vault.sol:24\n- **Detector:** reentrancy\n\n**Explanation.** Bad.\n\n**Recommendation.** Fix.\n\n### 2. tx.origin\n- **Severity:** Medium\n- **Line:** src/VaultBase.sol:24\n- **Detector:** tx-origin\n\n**Explanation.** Bad.\n\n**Recommendation.** Fix.\n";
    let model = FakeModel::start(Script::stream(
        "text/event-stream",
        vec![
            Step::Send(openai_delta(report)),
            Step::Send(openai_finish("stop", 40)),
        ],
    ))
    .await;
    let root = projects().join("foundry-vault");
    let out = tokio::process::Command::new(BIN)
        .args(["audit", ".", "--format", "json", "--model", "openai/test"])
        .current_dir(&root)
        .env_remove("AUDITSTREAM_CONFIG")
        .env("AUDITSTREAM_PROVIDER", "openai")
        .env("AUDITSTREAM_BASE_URL", model.base_url())
        .env("AUDITSTREAM_MODEL", "test")
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), out)
        .await
        .expect("the binary exits")
        .unwrap();
    let doc = json(&out);
    // The model's findings only: the analyzer's own, which the model missed, join the
    // report marked `found_by: analyzer` (docs/verification.md).
    let mut model_only = doc.clone();
    for d in model_only.as_array_mut().unwrap() {
        d["findings"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["found_by"] != "analyzer");
    }
    let joined = doc
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["findings"].as_array().unwrap())
        .filter(|f| f["found_by"] == "analyzer")
        .count();
    assert!(joined > 0, "the analyzer's findings join the model's");
    let got = findings(&model_only);
    assert_eq!(model.received().len(), 1, "one prompt for the project");
    let user = model.received()[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(user.contains("File `src/Vault.sol` (in scope"), "{user}");
    assert!(user.contains("modifier onlyOwner();"), "{user}");
    let by_file: Vec<(&str, Vec<&str>)> = got
        .iter()
        .map(|(n, list)| (n.as_str(), list.iter().map(|(r, ..)| r.as_str()).collect()))
        .collect();
    assert_eq!(
        by_file,
        [
            ("src/Treasury.sol", vec![]),
            ("src/Vault.sol", vec!["reentrancy"]),
            ("src/VaultBase.sol", vec!["tx-origin"]),
        ]
    );
}
