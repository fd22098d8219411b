//! The fallback chain (issue #11) over real loopback TCP: a model that fails before its
//! first token in a passing way (unreachable, no headers in time, 429, 5xx, Anthropic's
//! 529 overload) hands the report to the next of its provider's `fallback` list, and
//! `meta` says who answered and who failed; key and model refusals are answered as
//! before; the last failure of a chain is the answer; and a client that leaves while
//! the next model is being asked closes that connection.

mod support;

use std::{path::Path, time::Duration};

use auditstream::{
    protocol::{DecodedEvent, Meta, ReportEvent},
    server::{Settings, config::FileConfig},
};
use serde_json::json;
use support::{
    EventReader, TestApp, assert_well_formed,
    fake_model::{FakeModel, Script, Step, openai_delta, openai_finish},
    metric, post_report, start_app, start_openai_app, text_of,
};

const WAIT: Duration = Duration::from_secs(10);
const SSE: &str = "text/event-stream";
const SECOND_TEXT: &str = "## Summary\nfrom the second model";
const FALLBACKS: &str = "auditstream_fallbacks_total{from=\"first\",to=\"second\"}";

/// A fake OpenAI-compatible model that answers with `SECOND_TEXT`.
async fn healthy_model() -> FakeModel {
    let steps = vec![
        Step::Send(openai_delta(SECOND_TEXT)),
        Step::Send(openai_finish("stop", 7)),
    ];
    FakeModel::start(Script::stream(SSE, steps)).await
}

/// The app with provider `first` (of `kind` at `first_url`) as the default, whose
/// fallback list is `fallback`, and an OpenAI-compatible `second` at `second_url`.
async fn chain_app(
    kind: &str,
    first_url: &str,
    second_url: &str,
    fallback: &str,
    vars: &[(&str, &str)],
) -> TestApp {
    let toml = format!(
        r#"
default = "first/m1"

[[provider]]
name = "first"
kind = "{kind}"
base_url = "{first_url}"
models = ["m1"]
fallback = [{fallback}]

[[provider]]
name = "second"
kind = "openai"
base_url = "{second_url}/v1"
models = ["m2"]
"#
    );
    let file = FileConfig::parse(&toml, Path::new("auditstream.toml")).unwrap();
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let settings = Settings::from_parts(Some(file), |k| {
        vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
    .expect("valid chain settings");
    start_app(settings).await
}

/// The base URL the `openai` kind of `first` uses for a fake model.
fn openai_url(fake: &FakeModel) -> String {
    format!("{}/v1", fake.base_url())
}

/// A loopback address nothing listens on.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

async fn full_report(app: &TestApp) -> Vec<DecodedEvent> {
    let resp = post_report(app.addr, json!({"contract": "contract A {}"})).await;
    assert_eq!(resp.status(), 200);
    let events = EventReader::new(resp).rest(WAIT).await;
    assert_well_formed(&events);
    events
}

fn meta_of(events: &[DecodedEvent]) -> &Meta {
    match &events[0].event {
        ReportEvent::Meta(m) => m,
        other => panic!("meta comes first, got {other:?}"),
    }
}

fn ends_done(events: &[DecodedEvent]) -> bool {
    matches!(events.last().unwrap().event, ReportEvent::Done(_))
}

#[tokio::test]
async fn rate_limits_server_errors_and_overload_fall_back_and_meta_says_so() {
    let overloaded =
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let cases = [
        (
            "openai",
            429,
            r#"{"error":{"message":"quota"}}"#,
            "was rate-limited (HTTP 429)",
        ),
        (
            "openai",
            500,
            r#"{"error":{"message":"boom"}}"#,
            "failed (HTTP 500)",
        ),
        ("openai", 503, "unavailable", "was unavailable (HTTP 503)"),
        ("anthropic", 529, overloaded, "was overloaded (HTTP 529)"),
    ];
    for (kind, status, body, reason) in cases {
        let first = FakeModel::start(Script::error(status, body)).await;
        let second = healthy_model().await;
        let first_url = if kind == "openai" {
            openai_url(&first)
        } else {
            first.base_url()
        };
        let app = chain_app(kind, &first_url, &second.base_url(), r#""second/m2""#, &[]).await;
        let events = full_report(&app).await;

        assert!(ends_done(&events), "{status}: {events:?}");
        assert_eq!(text_of(&events), SECOND_TEXT, "{status}");
        let meta = meta_of(&events);
        assert_eq!(
            (meta.provider.as_str(), meta.model.as_str()),
            ("second", "m2")
        );
        assert_eq!(meta.fallbacks.len(), 1, "{status}");
        let failed = &meta.fallbacks[0];
        assert_eq!(
            (
                failed.provider.as_str(),
                failed.model.as_str(),
                failed.code.as_str()
            ),
            ("first", "m1", "upstream_rejected")
        );
        assert_eq!(failed.status, Some(status));
        assert!(
            failed.message.contains(&status.to_string()),
            "{}",
            failed.message
        );
        assert_eq!(
            meta.fallback_notice().unwrap(),
            format!("first/m1 {reason}; this report is by second/m2.")
        );
        assert_eq!(first.received().len(), 1);
        assert_eq!(second.received().len(), 1);
        let m = app.metrics().await;
        assert_eq!(metric(&m, FALLBACKS), Some(1.0), "{m}");
    }
}

#[tokio::test]
async fn an_unreachable_model_falls_back_to_the_builtin_analyzer() {
    let unused = healthy_model().await;
    let app = chain_app(
        "openai",
        &closed_port_url(),
        &unused.base_url(),
        r#""builtin/analyzer""#,
        &[("AUDITSTREAM_BUILTIN_PACE_MS", "0")],
    )
    .await;
    let events = full_report(&app).await;

    assert!(ends_done(&events), "{events:?}");
    assert!(text_of(&events).contains("# Security report"), "{events:?}");
    let meta = meta_of(&events);
    assert_eq!(
        (meta.provider.as_str(), meta.model.as_str()),
        ("builtin", "analyzer")
    );
    assert_eq!(meta.fallbacks.len(), 1);
    assert_eq!(meta.fallbacks[0].code, "upstream_unreachable");
    assert_eq!(meta.fallbacks[0].status, None);
    assert!(unused.received().is_empty());
    let m = app.metrics().await;
    let name = "auditstream_fallbacks_total{from=\"first\",to=\"builtin\"}";
    assert_eq!(metric(&m, name), Some(1.0), "{m}");
}

#[tokio::test]
async fn a_model_without_headers_in_time_falls_back_and_is_hung_up_on() {
    let first = FakeModel::start(Script {
        no_headers: true,
        ..Script::error(200, "")
    })
    .await;
    let second = healthy_model().await;
    let app = chain_app(
        "openai",
        &openai_url(&first),
        &second.base_url(),
        r#""second/m2""#,
        &[("AUDITSTREAM_CONNECT_TIMEOUT_SECS", "0.3")],
    )
    .await;
    let events = full_report(&app).await;

    assert!(ends_done(&events), "{events:?}");
    assert_eq!(text_of(&events), SECOND_TEXT);
    let meta = meta_of(&events);
    assert_eq!(meta.provider, "second");
    assert_eq!(meta.fallbacks[0].code, "upstream_timeout");
    assert!(
        first.hang_up(WAIT, |_| true).await.is_some(),
        "the slow model's connection is closed"
    );
}

#[tokio::test]
async fn key_and_model_refusals_do_not_fall_back_and_answer_as_before() {
    let cases = [
        (401, "rejected the API key"),
        (403, "rejected the API key"),
        (404, "does not know the model"),
    ];
    for (status, needle) in cases {
        let body = r#"{"error":{"message":"no"}}"#;
        let first = FakeModel::start(Script::error(status, body)).await;
        let second = healthy_model().await;
        let app = chain_app(
            "openai",
            &openai_url(&first),
            &second.base_url(),
            r#""second/m2", "builtin/analyzer""#,
            &[],
        )
        .await;
        let r = post_report(app.addr, json!({"contract": "c"})).await;
        let got_status = r.status();
        let v: serde_json::Value = r.json().await.unwrap();

        // The same answer as an app with no fallback at all.
        let plain = start_openai_app(&first, &[]).await;
        let r = post_report(plain.addr, json!({"contract": "c"})).await;
        let plain_status = r.status();
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(got_status, plain_status, "{status}");
        assert_eq!(got_status, 502, "{status}");
        assert_eq!(v["error"]["code"], p["error"]["code"]);
        assert_eq!(v["error"]["code"], "upstream_rejected");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{status}: {msg}");

        assert!(
            second.received().is_empty(),
            "{status}: the fallback was asked"
        );
        let m = app.metrics().await;
        assert_eq!(metric(&m, FALLBACKS), None, "{status}: {m}");
    }
}

#[tokio::test]
async fn a_chain_that_all_fails_answers_with_the_last_error() {
    let first = FakeModel::start(Script::error(503, "down")).await;
    let second = FakeModel::start(Script::error(500, r#"{"error":{"message":"boom"}}"#)).await;
    let app = chain_app(
        "openai",
        &openai_url(&first),
        &second.base_url(),
        r#""second/m2", "second/m3""#,
        &[],
    )
    .await;
    let r = post_report(app.addr, json!({"contract": "c"})).await;
    assert_eq!(r.status(), 502);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "upstream_rejected");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("second failed with HTTP 500"), "{msg}");
    // Both entries of the chain were asked, the last one for its own model.
    let models: Vec<String> = second
        .received()
        .iter()
        .map(|r| r.body["model"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(models, ["m2", "m3"]);

    // The last error decides the code too: an unreachable last model is `upstream_unreachable`.
    let first = FakeModel::start(Script::error(503, "down")).await;
    let app = chain_app(
        "openai",
        &openai_url(&first),
        &closed_port_url(),
        r#""second/m2""#,
        &[],
    )
    .await;
    let r = post_report(app.addr, json!({"contract": "c"})).await;
    assert_eq!(r.status(), 502);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "upstream_unreachable", "{v}");
}

#[tokio::test]
async fn stop_while_the_next_model_is_asked_closes_its_connection() {
    let first = FakeModel::start(Script::error(503, "down")).await;
    let second = FakeModel::start(Script {
        no_headers: true,
        ..Script::error(200, "")
    })
    .await;
    let app = chain_app(
        "openai",
        &openai_url(&first),
        &second.base_url(),
        r#""second/m2""#,
        &[],
    )
    .await;
    let request = post_report(app.addr, json!({"contract": "c"}));
    tokio::select! {
        r = request => panic!("answered while the second model says nothing: {}", r.status()),
        () = second.wait_requests(WAIT, 1) => {}
    }
    // The client is gone (its request future dropped): the second model's connection closes.
    assert!(
        second.hang_up(WAIT, |_| true).await.is_some(),
        "the second model's connection is still open"
    );
    second
        .wait_for(WAIT, "no open connection", |open, _| open == 0)
        .await;
}
