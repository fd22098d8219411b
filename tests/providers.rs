//! Every recorded real stream in `testdata/streams/`, replayed by a fake model
//! server on a real loopback port, split at random byte offsets, through the full
//! `POST /api/report` route with the matching provider adapter.

mod support;

use std::{path::PathBuf, time::Duration};

use auditstream::protocol::{ReportEvent, StreamErrorCode};
use serde_json::{Value, json};
use support::{
    Lcg, assert_well_formed,
    fake_model::{FakeModel, Script, Step},
    post_report, read_events, settings, spawn_app, text_of,
};

/// The repository's test data (`testdata/`, origins and licences in its `SOURCES.md`).
fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"))
}

fn random_writes(bytes: &[u8], seed: u64) -> Vec<Step> {
    let mut rng = Lcg(seed);
    let mut steps = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len = 1 + rng.below(400) as usize;
        let end = (at + len).min(bytes.len());
        steps.push(Step::Send(bytes[at..end].to_vec()));
        at = end;
    }
    steps
}

/// Provider kind and response content type for an index `format`.
fn provider_for(format: &str) -> (&'static str, &'static str) {
    if format.starts_with("ndjson") {
        ("ollama", "application/x-ndjson")
    } else if format.contains("Anthropic") {
        ("anthropic", "text/event-stream")
    } else {
        ("openai", "text/event-stream")
    }
}

/// The app with `kind` as its default provider, pointed at `fake`.
async fn app_for(kind: &str, fake: &FakeModel, extra: &[(&str, &str)]) -> std::net::SocketAddr {
    // OpenAI-compatible base URLs end in /v1; the others are the server root.
    let base = format!(
        "{}{}",
        fake.base_url(),
        if kind == "openai" { "/v1" } else { "" }
    );
    let mut vars = vec![
        ("AUDITSTREAM_PROVIDER", kind),
        ("AUDITSTREAM_BASE_URL", base.as_str()),
    ];
    vars.extend_from_slice(extra);
    spawn_app(settings(&vars)).await
}

/// One HTTP response's worth of the file. vercel's programmatic-tool-calling recording
/// holds fifteen responses in a row; the index describes the last.
fn one_response(bytes: &[u8]) -> &[u8] {
    let starts: Vec<usize> = bytes
        .windows(20)
        .enumerate()
        .filter(|(_, w)| *w == b"event: message_start")
        .map(|(i, _)| i)
        .collect();
    match starts.last() {
        Some(&last) if starts.len() > 1 => &bytes[last..],
        _ => bytes,
    }
}

fn expected_text(e: &Value) -> String {
    let text = match &e["expected_text"] {
        Value::String(s) => s.clone(),
        Value::Object(per_choice) => per_choice["0"].as_str().unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    text + e["expected_refusal"].as_str().unwrap_or_default()
}

/// The finish reason the index lists; none for a stream whose terminator came without
/// one (Ollama's bare `"done":true`, llama-cpp-python's interrupted `[DONE]`).
fn expected_finish(e: &Value) -> Option<String> {
    for key in ["finish_reason", "stop_reason", "done"] {
        match &e[key] {
            Value::String(s) => return Some(s.clone()),
            Value::Object(per_choice) => return per_choice["0"].as_str().map(str::to_owned),
            _ => {}
        }
    }
    None
}

/// Ollama's rate from its final line: `eval_count / eval_duration` (nanoseconds).
fn ollama_rate(bytes: &[u8]) -> Option<f64> {
    let last = std::str::from_utf8(bytes)
        .ok()?
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())?;
    let v: Value = serde_json::from_str(last).ok()?;
    let (count, nanos) = (v["eval_count"].as_f64()?, v["eval_duration"].as_f64()?);
    Some(count / (nanos / 1e9))
}

fn first_error_message(e: &Value) -> Option<String> {
    let errors = &e["in_stream_errors"];
    let first = errors.get(0)?;
    Some(first.as_str().or(first["message"].as_str())?.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_stream_replays_through_the_route() {
    let dir = testdata().join("streams");
    let index: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let mut replayed = 0;
    for (n, e) in index.iter().enumerate() {
        let file = e["file"].as_str().unwrap();
        let bytes = std::fs::read(testdata().join(file)).unwrap();
        let (kind, content_type) = provider_for(e["format"].as_str().unwrap());
        for seed in [1, 2, 3] {
            let body = one_response(&bytes);
            let fake = FakeModel::start(Script::stream(
                content_type,
                random_writes(body, seed * 1000 + n as u64),
            ))
            .await;
            let addr = app_for(
                kind,
                &fake,
                &[("AUDITSTREAM_MODEL", "m"), ("AUDITSTREAM_API_KEY", "k-123")],
            )
            .await;
            let resp = post_report(addr, json!({"contract": "contract A {}"})).await;
            assert_eq!(resp.status(), 200, "{file}");
            let events = read_events(resp, Duration::from_secs(10)).await;
            assert_well_formed(&events);
            let what = format!("{file} (seed {seed})");
            let finish = expected_finish(e);
            match (first_error_message(e), &events.last().unwrap().event) {
                (Some(msg), ReportEvent::Error(err)) => {
                    assert_eq!(err.code, StreamErrorCode::UpstreamError, "{what}");
                    assert!(
                        err.message.contains(&msg),
                        "{what}: {} lacks {msg}",
                        err.message
                    );
                }
                // A terminator without a finish reason: cut off, the text kept.
                (None, ReportEvent::Error(err)) if finish.is_none() => {
                    assert_eq!(err.code, StreamErrorCode::Truncated, "{what}");
                    assert!(err.message.contains("without a finish reason"), "{what}");
                    assert_eq!(text_of(&events), expected_text(e), "{what}");
                }
                (None, ReportEvent::Done(d)) => {
                    assert_eq!(text_of(&events), expected_text(e), "{what}");
                    assert_eq!(Some(d.finish_reason.clone()), finish, "{what}");
                    if let Some(rate) = ollama_rate(&bytes) {
                        let got = d.tokens_per_sec.expect("Ollama's own rate is passed on");
                        assert!((got - rate).abs() < 1e-6, "{what}: {got} != {rate}");
                    }
                }
                (want, got) => panic!("{what}: expected error {want:?}, got {got:?}"),
            }
            let head = &fake.received()[0].head.to_ascii_lowercase();
            match kind {
                "openai" => assert!(
                    head.starts_with("post /v1/chat/completions")
                        && head.contains("authorization: bearer k-123")
                ),
                "anthropic" => assert!(
                    head.starts_with("post /v1/messages")
                        && head.contains("x-api-key: k-123")
                        && head.contains("anthropic-version: 2023-06-01")
                ),
                _ => assert!(head.starts_with("post /api/chat")),
            }
        }
        replayed += 1;
    }
    assert_eq!(replayed, index.len());
    assert_eq!(replayed, 54, "every recorded stream is covered");
}

/// A stream cut before its terminator is `truncated` for every provider.
#[tokio::test]
async fn every_provider_reports_a_cut_stream_as_truncated() {
    let cases = [
        (
            "openai",
            "text/event-stream",
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
        ),
        (
            "anthropic",
            "text/event-stream",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
        ),
        (
            "ollama",
            "application/x-ndjson",
            "{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n",
        ),
    ];
    for (kind, ct, body) in cases {
        let fake = FakeModel::start(Script::stream(
            ct,
            vec![Step::Send(body.as_bytes().to_vec()), Step::Cut],
        ))
        .await;
        let addr = app_for(kind, &fake, &[]).await;
        let events = read_events(
            post_report(addr, json!({"contract": "c"})).await,
            Duration::from_secs(10),
        )
        .await;
        assert_well_formed(&events);
        assert_eq!(text_of(&events), "Hi", "{kind}");
        match &events.last().unwrap().event {
            ReportEvent::Error(e) => assert_eq!(
                (e.code, e.partial),
                (StreamErrorCode::Truncated, true),
                "{kind}"
            ),
            other => panic!("{kind}: expected truncated, got {other:?}"),
        }
    }
}
