//! `POST /api/project`, the preview the page shows before a project is sent, and
//! `POST /api/report` with a `.zip` as its body (options in the query string): against the
//! real server on a loopback port, with the test projects as JSON files and as real
//! archives. The preview must agree with what a report does with the same files (roles,
//! scope globs, the unresolved imports, the context check), and both refuse what a report
//! refuses, with the same codes.

mod support;

use auditstream::protocol::{ProjectPreview, literal_glob};
use serde_json::{Value, json};
use support::{
    client, error_code,
    projects::{as_json, project_files, zip_of},
    read_events, settings, spawn_app, text_of,
};

async fn post_json(addr: std::net::SocketAddr, body: Value) -> reqwest::Response {
    client()
        .post(format!("http://{addr}/api/project"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn post_zip(addr: std::net::SocketAddr, bytes: Vec<u8>) -> reqwest::Response {
    client()
        .post(format!("http://{addr}/api/project"))
        .header("content-type", "application/zip")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn role<'a>(p: &'a ProjectPreview, path: &str) -> &'a str {
    &p.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not in the preview"))
        .role
}

#[tokio::test]
async fn a_foundry_project_shows_its_scope_libraries_and_left_out_files() {
    let addr = spawn_app(settings(&[])).await;
    let resp = post_json(
        addr,
        json!({ "files": as_json(&project_files("foundry-vault")) }),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let p: ProjectPreview = resp.json().await.unwrap();
    assert_eq!(p.layout, "foundry");
    assert_eq!(role(&p, "src/Vault.sol"), "in_scope");
    assert_eq!(role(&p, "src/mocks/MockToken.sol"), "mock");
    assert_eq!(role(&p, "test/Vault.t.sol"), "test");
    assert_eq!(
        role(
            &p,
            "lib/openzeppelin-contracts/contracts/access/Ownable.sol"
        ),
        "library"
    );
    assert_eq!(role(&p, "foundry.toml"), "layout");
    let in_scope: usize = p
        .files
        .iter()
        .filter(|f| f.in_scope())
        .map(|f| f.lines)
        .sum();
    assert!(in_scope > 0);
    assert_eq!(p.lines_in_scope, in_scope);
    // The prompt holds at least the in-scope files' text (a token per 3 bytes).
    let scope_bytes: usize = p
        .files
        .iter()
        .filter(|f| f.in_scope())
        .map(|f| f.bytes)
        .sum();
    assert!(
        p.estimated_tokens > scope_bytes / 3,
        "{}",
        p.estimated_tokens
    );
    // Files sent as JSON come back without their text: the page has it already.
    assert!(p.contents.is_empty());
}

#[tokio::test]
async fn picking_files_one_by_one_is_a_scope_of_literal_globs() {
    let addr = spawn_app(settings(&[])).await;
    let files = project_files("foundry-vault");
    let whole: ProjectPreview = post_json(addr, json!({ "files": as_json(&files) }))
        .await
        .json()
        .await
        .unwrap();
    let only = "src/Treasury.sol";
    let picked: ProjectPreview = post_json(
        addr,
        json!({ "files": as_json(&files), "scope": [literal_glob(only)] }),
    )
    .await
    .json()
    .await
    .unwrap();
    let scoped: Vec<&str> = picked
        .files
        .iter()
        .filter(|f| f.in_scope())
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(scoped, [only]);
    assert_eq!(role(&picked, "src/Vault.sol"), "excluded");
    assert!(picked.lines_in_scope < whole.lines_in_scope);
    assert!(picked.estimated_tokens < whole.estimated_tokens);
}

#[tokio::test]
async fn a_zip_comes_back_with_its_files_text_and_its_root_folder_taken_off() {
    let addr = spawn_app(settings(&[])).await;
    let files = project_files("foundry-vault");
    let resp = post_zip(addr, zip_of("foundry-vault/", &files)).await;
    assert_eq!(resp.status(), 200);
    let p: ProjectPreview = resp.json().await.unwrap();
    assert_eq!(p.root.as_deref(), Some("foundry-vault"));
    assert_eq!(role(&p, "src/Vault.sol"), "in_scope");
    let vault = p
        .contents
        .iter()
        .find(|f| f.path == "src/Vault.sol")
        .unwrap();
    let original = files
        .iter()
        .find(|(path, _)| path == "src/Vault.sol")
        .unwrap();
    assert_eq!(vault.content.as_bytes(), original.1.as_slice());
    // What the page sends back as JSON reads the same.
    let again: ProjectPreview = post_json(addr, json!({ "files": p.contents }))
        .await
        .json()
        .await
        .unwrap();
    let roles = |p: &ProjectPreview| {
        p.files
            .iter()
            .filter(|f| f.role != "skipped")
            .map(|f| (f.path.clone(), f.role.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(roles(&again), roles(&p));
}

#[tokio::test]
async fn unresolved_imports_are_listed_with_who_asked() {
    let addr = spawn_app(settings(&[])).await;
    let p: ProjectPreview = post_json(
        addr,
        json!({ "files": as_json(&project_files("unresolved")) }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(!p.unresolved.is_empty());
    for u in &p.unresolved {
        assert!(u.line > 0 && u.file.ends_with(".sol"), "{u:?}");
    }
}

#[tokio::test]
async fn the_estimate_is_set_against_the_named_models_context() {
    let addr = spawn_app(settings(&[
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", "http://127.0.0.1:9/v1"),
        ("AUDITSTREAM_CONTEXT_TOKENS", "32768"),
    ]))
    .await;
    let resp = post_json(
        addr,
        json!({ "files": as_json(&project_files("hardhat-token")) }),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let p: ProjectPreview = resp.json().await.unwrap();
    assert_eq!(p.layout, "hardhat");
    assert_eq!(p.context_tokens, Some(32768));
    // The builtin analyzer has no context window.
    let builtin = spawn_app(settings(&[])).await;
    let p: ProjectPreview = post_json(
        builtin,
        json!({ "files": as_json(&project_files("hardhat-token")) }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(p.context_tokens, None);
}

#[tokio::test]
async fn what_a_report_refuses_the_preview_refuses_with_the_same_code() {
    let addr = spawn_app(settings(&[("AUDITSTREAM_MAX_ZIP_UNPACKED_BYTES", "4096")])).await;
    let cases = [
        (
            json!({ "files": [{ "path": "../Vault.sol", "content": "contract A {}" }] }),
            "path_climbs_out",
        ),
        (
            json!({ "files": [{ "path": "/etc/Vault.sol", "content": "contract A {}" }] }),
            "absolute_path",
        ),
        (
            json!({ "files": [
                { "path": "src/A.sol", "content": "contract A {}" },
                { "path": "src/A.sol", "content": "contract B {}" }
            ] }),
            "duplicate_path",
        ),
        (
            json!({ "files": [{ "path": "README.md", "content": "hi" }] }),
            "no_sources",
        ),
        (json!({ "files": [] }), "no_sources"),
        (
            json!({ "files": [{ "path": "src/A.sol", "content": "contract A {}" }], "scope": ["src/[A.sol"] }),
            "bad_scope_glob",
        ),
    ];
    for (body, code) in cases {
        let resp = post_json(addr, body.clone()).await;
        assert_eq!(resp.status(), 400, "{body}");
        assert_eq!(error_code(resp).await, code, "{body}");
    }
    let resp = post_zip(addr, b"PK not really a zip".to_vec()).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(resp).await, "not_a_zip");
    // An archive larger than the unpacked limit is refused before it is read whole: at
    // the edge and one byte over.
    let at_edge = vec![0u8; 4096];
    assert_ne!(
        error_code(post_zip(addr, at_edge).await).await,
        "zip_too_large_unpacked"
    );
    let resp = post_zip(addr, vec![0u8; 4097]).await;
    assert_eq!(resp.status(), 413);
    assert_eq!(error_code(resp).await, "zip_too_large_unpacked");
}

async fn post_zip_report(
    addr: std::net::SocketAddr,
    query: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    client()
        .post(format!("http://{addr}/api/report{query}"))
        .header("content-type", "application/zip")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_zip_posted_as_the_report_body_is_audited_as_the_project_files() {
    let addr = spawn_app(settings(&[("AUDITSTREAM_BUILTIN_PACE_MS", "0")])).await;
    let zip = zip_of("foundry-vault/", &project_files("foundry-vault"));
    let resp = post_zip_report(addr, "", zip.clone()).await;
    assert_eq!(resp.status(), 200);
    let text = text_of(&read_events(resp, std::time::Duration::from_secs(20)).await);
    assert!(
        text.starts_with("# Security report: foundry project"),
        "{text}"
    );
    let report = auditstream::report::parse_finished_report(&text);
    let files: Vec<String> = report
        .findings
        .iter()
        .filter_map(|f| f.locations.first()?.file.clone())
        .collect();
    assert!(files.iter().any(|f| f == "src/Vault.sol"), "{files:?}");
    // Options in the query string: the scope narrows it to one file.
    let resp = post_zip_report(
        addr,
        "?scope=src/VaultBase.sol&model=builtin/analyzer",
        zip.clone(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let text = text_of(&read_events(resp, std::time::Duration::from_secs(20)).await);
    let report = auditstream::report::parse_finished_report(&text);
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        assert_eq!(
            f.locations[0].file.as_deref(),
            Some("src/VaultBase.sol"),
            "{text}"
        );
    }
    // An option it does not know is named; a broken archive has its own code.
    let resp = post_zip_report(addr, "?scopes=src/A.sol", zip).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(resp).await, "invalid_query");
    let resp = post_zip_report(addr, "", b"PK broken".to_vec()).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(resp).await, "not_a_zip");
    let evil = zip_of(
        "",
        &[("../escape.sol".to_owned(), b"contract A {}".to_vec())],
    );
    let resp = post_zip_report(addr, "", evil).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(resp).await, "path_climbs_out");
}
