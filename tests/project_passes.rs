//! A project larger than the model's context window, reported in passes, against the real
//! server and a fake OpenAI-compatible model on loopback ports: each file in scope is
//! audited in full in exactly one pass, with the interfaces of what it imports; the passes
//! stream as one report (one title, a section per pass, findings numbered across passes,
//! one summary); Stop during a pass closes that pass's connection and no later pass is
//! asked for; `AUDITSTREAM_MAX_PASSES` caps the passes and holds at its edge. The project
//! is made here, three contracts sized against the window.

mod support;

use std::time::Duration;

use auditstream::report::parse_finished_report;
use auditstream::server::{
    prompt::SYSTEM_PROMPT,
    providers::{REPORT_TOKENS, estimated_tokens},
};
use serde_json::{Value, json};
use support::{
    EventReader, TestApp, assert_well_formed,
    fake_model::{FakeModel, ModelRequest, Script, Step, openai_delta, openai_finish},
    post_report, read_events, start_openai_app, text_of,
};

const WAIT: Duration = Duration::from_secs(20);

/// A Foundry project of three contracts of about `TOKENS_PER_FILE` prompt tokens each;
/// `C` imports `B`.
fn project() -> Vec<Value> {
    let contract = |name: &str, import: &str| {
        let mut body = format!(
            "// SPDX-License-Identifier: MIT\npragma solidity 0.8.24;\n{import}\ncontract {name} {{\n    uint256 public total;\n"
        );
        // Long bodies, few functions: a small interface for the passes that import it.
        for f in 0..3 {
            body.push_str(&format!("    function f{f}(uint256 x) external {{\n"));
            let mut i = 0;
            while body.len() < TOKENS_PER_FILE * (f + 1) {
                body.push_str(&format!("        total += x * {i};\n"));
                i += 1;
            }
            body.push_str("    }\n");
        }
        body.push_str("}\n");
        body
    };
    vec![
        json!({ "path": "foundry.toml", "content": "[profile.default]\nsrc = \"src\"\n" }),
        json!({ "path": "src/A.sol", "content": contract("A", "") }),
        json!({ "path": "src/B.sol", "content": contract("B", "") }),
        json!({ "path": "src/C.sol", "content": contract("C", "import {B} from \"./B.sol\";") }),
    ]
}

const TOKENS_PER_FILE: usize = 1500;

/// A window with room for one file of `project()` a pass, not two.
fn window() -> String {
    let fixed = estimated_tokens(SYSTEM_PROMPT) + REPORT_TOKENS;
    (fixed + TOKENS_PER_FILE * 3 / 2).to_string()
}

fn user_message(r: &ModelRequest) -> String {
    r.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "user")
        .unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One finding per answer, numbered as the prompt asks (a model that follows it).
fn answer(r: &ModelRequest) -> Script {
    let user = user_message(r);
    let first: usize = user
        .split("numbered from ")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let file = user
        .split("File `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or("src/A.sol")
        .to_owned();
    let text = format!(
        "### {first}. Reentrancy in {file}\n- **Severity:** High\n- **Line:** {file}:3\n\n**Explanation.** State after the call.\n"
    );
    let mut body = openai_delta(&text);
    body.extend(openai_finish("stop", 20));
    Script::stream("text/event-stream", vec![Step::Send(body)])
}

/// The app in front of `fake` with the window of `window()`, without the analyzer's
/// candidates (they are not sent with passes), and at most `max_passes` passes.
async fn app(fake: &FakeModel, max_passes: Option<&str>) -> TestApp {
    let window = window();
    let mut vars = vec![
        ("AUDITSTREAM_CONTEXT_TOKENS", window.as_str()),
        ("AUDITSTREAM_ANALYZER_GUIDES", "0"),
    ];
    vars.extend(max_passes.map(|n| ("AUDITSTREAM_MAX_PASSES", n)));
    start_openai_app(fake, &vars).await
}

#[tokio::test]
async fn a_project_over_the_window_streams_as_one_report_in_passes() {
    let fake = FakeModel::respond_with(None, answer).await;
    let app = app(&fake, None).await;
    let resp = post_report(app.addr, json!({ "files": project() })).await;
    assert_eq!(resp.status(), 200);
    let events = read_events(resp, WAIT).await;
    assert_well_formed(&events);
    let text = text_of(&events);
    let asked = fake.received();
    let n = asked.len();
    assert!(n >= 2, "{n} passes");
    assert!(
        text.starts_with("# Security report: foundry project"),
        "{text}"
    );
    for k in 1..=n {
        assert!(
            text.contains(&format!("## Pass {k} of {n}: ")),
            "pass {k}: {text}"
        );
        assert!(user_message(&asked[k - 1]).contains(&format!("This is pass {k} of {n}")));
    }
    // Every in-scope file is audited in full in exactly one pass, and the pass of C has
    // the interface of B, which it imports.
    let c = asked
        .iter()
        .map(user_message)
        .find(|u| u.contains("File `src/C.sol` (in scope: audit it)"))
        .unwrap();
    assert!(
        c.contains("Interface of `src/B.sol` (audited in another pass"),
        "{c}"
    );
    assert_eq!(n, 3);
    for path in ["src/A.sol", "src/B.sol", "src/C.sol"] {
        let full = asked
            .iter()
            .filter(|r| user_message(r).contains(&format!("File `{path}` (in scope: audit it)")))
            .count();
        assert_eq!(full, 1, "{path}");
    }
    // Findings are numbered once across passes, and one summary counts them all.
    let report = parse_finished_report(&text);
    let ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    let expected: Vec<String> = (1..=n).map(|k| k.to_string()).collect();
    assert_eq!(ids, expected, "{text}");
    assert_eq!(text.matches("## Summary").count(), 1);
    assert!(
        text.contains(&format!("audited in {n} passes; {n} finding(s): {n} High.")),
        "{text}"
    );
}

#[tokio::test]
async fn stop_during_a_pass_closes_it_and_no_later_pass_starts() {
    // The first pass writes a line and then hangs, as a slow model would.
    let fake = FakeModel::respond_with(None, |_| {
        Script::stream(
            "text/event-stream",
            vec![
                Step::Send(openai_delta("### 1. Slow finding\n")),
                Step::Hang,
            ],
        )
    })
    .await;
    let app = app(&fake, None).await;
    let resp = post_report(app.addr, json!({ "files": project() })).await;
    assert_eq!(resp.status(), 200);
    let mut reader = EventReader::new(resp);
    let mut text = String::new();
    while !text.contains("Slow finding") {
        let ev = reader.next(WAIT).await.expect("the first pass's text");
        if let auditstream::protocol::ReportEvent::Token(t) = ev.event {
            text.push_str(&t.text);
        }
    }
    assert!(text.contains("## Pass 1 of "), "{text}");
    drop(reader);
    assert!(
        fake.hang_up(WAIT, |_| true).await.is_some(),
        "the running pass's connection closed"
    );
    // Nothing asks for the next pass afterwards: the server counts the report stopped,
    // with one request made.
    app.wait_metric(WAIT, "auditstream_reports_total{outcome=\"stopped\"}", 1.0)
        .await;
    app.wait_metric(WAIT, "auditstream_active_streams", 0.0)
        .await;
    assert_eq!(fake.received().len(), 1);
}

#[tokio::test]
async fn max_passes_holds_at_its_edge() {
    let fake = FakeModel::respond_with(None, answer).await;
    let open = app(&fake, None).await;
    let resp = post_report(open.addr, json!({ "files": project() })).await;
    read_events(resp, WAIT).await;
    let passes = fake.received().len();
    let at_edge = passes.to_string();
    let one_less = (passes - 1).to_string();
    let edge = app(&fake, Some(&at_edge)).await;
    let resp = post_report(edge.addr, json!({ "files": project() })).await;
    assert_eq!(resp.status(), 200);
    read_events(resp, WAIT).await;
    let under = app(&fake, Some(&one_less)).await;
    let resp = post_report(under.addr, json!({ "files": project() })).await;
    assert_eq!(resp.status(), 413);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "project_exceeds_context");
}
