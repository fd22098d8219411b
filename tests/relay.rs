//! `POST /api/report` end to end over real TCP: the real router on a loopback port in
//! front of a fake OpenAI-compatible model that streams real-format chunks.

mod support;

use std::time::Duration;

use auditstream::protocol::{ReportEvent, StreamErrorCode, decode_body};
use futures_util::StreamExt;
use serde_json::json;
use support::{
    assert_well_formed, error_code,
    fake_model::{FakeModel, Script, Step, openai_delta, openai_finish},
    post_report, read_events, settings, spawn_app, start_openai_app, text_of,
};

const WAIT: Duration = Duration::from_secs(10);
const SSE: &str = "text/event-stream";

/// The app with the fake as its OpenAI-compatible default provider, plus `extra` settings.
async fn app_for(fake: &FakeModel, extra: &[(&str, &str)]) -> std::net::SocketAddr {
    let mut vars = vec![
        ("AUDITSTREAM_MODEL", "qwen2.5-coder:7b"),
        ("AUDITSTREAM_API_KEY", "sk-test-secret-key"),
    ];
    vars.extend_from_slice(extra);
    start_openai_app(fake, &vars).await.addr
}

/// Cuts `bytes` into writes at every `step` bytes and inside every multi-byte character.
fn awkward_writes(bytes: &[u8], step: usize) -> Vec<Step> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut cuts: Vec<usize> = (step..bytes.len()).step_by(step).collect();
    cuts.extend(
        text.char_indices()
            .filter(|(_, c)| c.len_utf8() > 1)
            .map(|(i, _)| i + 1),
    );
    cuts.sort_unstable();
    cuts.dedup();
    let mut steps = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        steps.push(Step::Send(bytes[from..cut].to_vec()));
        steps.push(Step::Pause(Duration::from_millis(1)));
        from = cut;
    }
    steps
}

#[tokio::test]
async fn tokens_arrive_in_order_and_byte_exact_then_one_done() {
    let deltas = [
        "## Sum",
        "mary\n\n",
        "Ré",
        "entrancy — ",
        "🔥 in `withdraw()`",
        "\r\n\"quoted\"\n",
    ];
    let mut body: Vec<u8> = deltas.iter().flat_map(|d| openai_delta(d)).collect();
    body.extend(openai_finish("stop", 42));
    let fake = FakeModel::start(Script::stream(SSE, awkward_writes(&body, 7))).await;
    let addr = app_for(&fake, &[]).await;

    let resp = post_report(
        addr,
        json!({"contract": "contract A {}", "filename": "A.sol"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert_eq!(h["content-type"], "text/event-stream");
    assert_eq!(h["cache-control"], "no-cache, no-transform");
    assert_eq!(h["x-accel-buffering"], "no");
    assert!(h.get("content-encoding").is_none());

    let events = read_events(resp, WAIT).await;
    assert_well_formed(&events);
    let tokens: Vec<&str> = events
        .iter()
        .filter_map(|r| match &r.event {
            ReportEvent::Token(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        tokens, deltas,
        "every delta arrives whole, in order, byte-exact"
    );
    match &events[0].event {
        ReportEvent::Meta(m) => assert_eq!(
            (m.provider.as_str(), m.model.as_str()),
            ("openai", "qwen2.5-coder:7b")
        ),
        other => panic!("expected meta, got {other:?}"),
    }
    match &events.last().unwrap().event {
        ReportEvent::Done(d) => {
            assert_eq!(d.finish_reason, "stop");
            assert_eq!(d.output_tokens, Some(42));
            assert!(d.ttft_ms.is_some());
        }
        other => panic!("expected done, got {other:?}"),
    }

    let req = &fake.received()[0];
    assert!(
        req.head.starts_with("POST /v1/chat/completions "),
        "{}",
        req.head
    );
    assert!(
        req.head
            .to_ascii_lowercase()
            .contains("authorization: bearer sk-test-secret-key")
    );
    assert_eq!(req.body["model"], "qwen2.5-coder:7b");
    assert_eq!(req.body["stream"], true);
    let user = req.body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("contract A {}") && user.contains("A.sol"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_hangs_up_closes_the_model_connection_and_leaves_no_task() {
    let mut steps: Vec<Step> = (0..5)
        .map(|i| Step::Send(openai_delta(&format!("t{i} "))))
        .collect();
    steps.push(Step::Hang);
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let addr = app_for(&fake, &[]).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();

    let resp = post_report(addr, json!({"contract": "contract A {}"})).await;
    assert_eq!(resp.status(), 200);
    let mut body = Box::pin(decode_body(resp.bytes_stream()));
    let mut tokens = 0;
    while tokens < 3 {
        let events = body.next().await.expect("more events").unwrap();
        tokens += events
            .iter()
            .filter(|e| matches!(e.event, ReportEvent::Token(_)))
            .count();
    }
    assert_eq!(fake.open_connections(), 1);
    drop(body);

    fake.wait_for(WAIT, "the model connection to close", |open, closed| {
        open == 0 && closed == 1
    })
    .await;
    let settled = tokio::time::timeout(WAIT, async {
        while metrics.num_alive_tasks() > baseline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(
        settled.is_ok(),
        "tasks still alive after the client left: {} > baseline {baseline}",
        metrics.num_alive_tasks()
    );
}

#[tokio::test]
async fn an_upstream_that_ends_without_done_is_truncated_never_done() {
    let steps = vec![
        Step::Send(openai_delta("partial ")),
        Step::Send(openai_delta("text")),
        Step::Cut,
    ];
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let addr = app_for(&fake, &[]).await;
    let events = read_events(post_report(addr, json!({"contract": "c"})).await, WAIT).await;
    assert_well_formed(&events);
    assert_eq!(text_of(&events), "partial text");
    match &events.last().unwrap().event {
        ReportEvent::Error(e) => {
            assert_eq!(e.code, StreamErrorCode::Truncated);
            assert!(e.partial);
        }
        other => panic!("expected a truncated error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_mid_stream_model_error_is_an_upstream_error_event() {
    let err = br#"data: {"error":{"message":"stream failed after output","type":"server_error"}}

"#;
    let steps = vec![
        Step::Send(openai_delta("Hello")),
        Step::Send(err.to_vec()),
        Step::Send(b"data: [DONE]\n\n".to_vec()),
    ];
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let addr = app_for(&fake, &[]).await;
    let events = read_events(post_report(addr, json!({"contract": "c"})).await, WAIT).await;
    assert_well_formed(&events);
    match &events.last().unwrap().event {
        ReportEvent::Error(e) => {
            assert_eq!(e.code, StreamErrorCode::UpstreamError);
            assert!(
                e.message.contains("stream failed after output"),
                "{}",
                e.message
            );
            assert!(e.partial);
        }
        other => panic!("expected upstream_error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_builtin_analyzer_streams_a_real_report_through_the_same_route() {
    let addr = spawn_app(settings(&[("AUDITSTREAM_BUILTIN_PACE_MS", "0")])).await;
    let contract = "pragma solidity ^0.8.0;\ncontract W {\n  address owner;\n  function kill() public {\n    require(tx.origin == owner);\n    selfdestruct(payable(owner));\n  }\n}\n";
    let events = read_events(
        post_report(addr, json!({"contract": contract, "filename": "W.sol"})).await,
        WAIT,
    )
    .await;
    assert_well_formed(&events);
    let text = text_of(&events);
    assert!(text.starts_with("# Security report: W.sol"), "{text}");
    for needle in [
        "tx-origin",
        "selfdestruct",
        "floating-pragma",
        "**Line:** 5",
    ] {
        assert!(text.contains(needle), "report lacks {needle}:\n{text}");
    }
    assert!(matches!(events.last().unwrap().event, ReportEvent::Done(_)));
}

/// Every error answered before the stream: its status and its JSON code.
#[tokio::test]
async fn pre_stream_errors_have_their_status_and_code() {
    let addr = spawn_app(settings(&[
        ("AUDITSTREAM_MAX_CONTRACT_BYTES", "1000"),
        ("AUDITSTREAM_BUILTIN_PACE_MS", "0"),
    ]))
    .await;
    let url = format!("http://{addr}/api/report");
    let c = support::client();

    let r = c
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"contract\":")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (400, "invalid_json")
    );
    let r = c
        .post(&url)
        .header("content-type", "application/json")
        .body(b"{\"contract\":\"\xff\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (400, "invalid_json"),
        "invalid UTF-8"
    );
    let r = post_report(addr, json!({"contract": " \n\t "})).await;
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (400, "empty_contract")
    );
    let r = c
        .post(&url)
        .header("content-type", "text/plain")
        .body("contract A {}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (415, "unsupported_media_type")
    );
    let r = c.post(&url).body("contract A {}").send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (415, "unsupported_media_type"),
        "no content type"
    );
    let r = post_report(addr, json!({"contract": "c", "model": "nope/x"})).await;
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (400, "invalid_model")
    );

    // The limit at its edge: exactly the limit streams, one byte more is refused.
    let at_limit = "a".repeat(1000);
    let r = post_report(addr, json!({"contract": at_limit})).await;
    assert_eq!(r.status(), 200);
    let r = post_report(addr, json!({"contract": "a".repeat(1001)})).await;
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (413, "too_large")
    );
    let r = post_report(addr, json!({"contract": "a".repeat(5000)})).await;
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (413, "too_large"),
        "far over the body limit"
    );
}

#[tokio::test]
async fn an_unreachable_model_is_a_502_that_says_where() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}/v1");
    let addr = spawn_app(settings(&[
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", &base),
    ]))
    .await;
    let r = post_report(addr, json!({"contract": "c"})).await;
    assert_eq!(r.status(), 502);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "upstream_unreachable");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
}

#[tokio::test]
async fn a_model_that_refuses_is_a_502_that_says_what_to_fix_without_the_key() {
    let fake = FakeModel::start(Script::error(
        401,
        r#"{"error":{"message":"Incorrect API key provided: sk-test-secret-key.","type":"invalid_request_error"}}"#,
    ))
    .await;
    let addr = app_for(&fake, &[]).await;
    let r = post_report(addr, json!({"contract": "c"})).await;
    assert_eq!(r.status(), 502);
    let body = r.text().await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "upstream_rejected");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("API key"),
        "{body}"
    );
    assert!(
        !body.contains("sk-test-secret-key"),
        "the key leaked: {body}"
    );

    let fake = FakeModel::start(Script::error(
        404,
        r#"{"error":{"message":"model not found"}}"#,
    ))
    .await;
    let addr = app_for(&fake, &[]).await;
    let r = post_report(addr, json!({"contract": "c"})).await;
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("qwen2.5-coder:7b"),
        "{v}"
    );
}

#[tokio::test]
async fn a_model_that_never_answers_is_a_504() {
    let fake = FakeModel::start(Script {
        no_headers: true,
        ..Script::stream(SSE, vec![])
    })
    .await;
    let addr = app_for(&fake, &[("AUDITSTREAM_CONNECT_TIMEOUT_SECS", "0.3")]).await;
    let r = post_report(addr, json!({"contract": "c"})).await;
    assert_eq!(
        (r.status().as_u16(), error_code(r).await.as_str()),
        (504, "upstream_timeout")
    );
}

#[tokio::test]
async fn the_chosen_model_is_asked_and_echoed_in_meta() {
    let mut body = openai_delta("ok");
    body.extend(openai_finish("stop", 1));
    let fake = FakeModel::start(Script::stream(SSE, vec![Step::Send(body)])).await;
    let addr = app_for(&fake, &[]).await;
    let resp = post_report(
        addr,
        json!({"contract": "c", "model": "openai/deepseek-coder:33b"}),
    )
    .await;
    let events = read_events(resp, WAIT).await;
    assert_well_formed(&events);
    match &events[0].event {
        ReportEvent::Meta(m) => assert_eq!(
            (m.provider.as_str(), m.model.as_str()),
            ("openai", "deepseek-coder:33b")
        ),
        other => panic!("expected meta, got {other:?}"),
    }
    assert_eq!(fake.received()[0].body["model"], "deepseek-coder:33b");
}
