//! Every fault between the model and the browser has one clear outcome (docs/protocol.md):
//! each test below drives one over real loopback TCP against the fake model server and
//! checks what the client sees, that the model connection is closed, and the metrics.

mod support;

use std::time::{Duration, Instant};

use auditstream::protocol::{DecodedEvent, ReportEvent, StreamErrorCode};
use serde_json::json;
use support::{
    EventReader, assert_well_formed,
    fake_model::{FakeModel, Script, Step, openai_delta, openai_finish},
    metric, post_report, start_openai_app, text_of,
};

const WAIT: Duration = Duration::from_secs(10);
const SSE: &str = "text/event-stream";

fn last_error(events: &[DecodedEvent]) -> &auditstream::protocol::StreamError {
    match &events.last().expect("events").event {
        ReportEvent::Error(e) => e,
        other => panic!("expected an error event, got {other:?}"),
    }
}

async fn report_events(addr: std::net::SocketAddr) -> Vec<DecodedEvent> {
    let resp = post_report(addr, json!({"contract": "contract A {}"})).await;
    assert_eq!(resp.status(), 200);
    let events = EventReader::new(resp).rest(WAIT).await;
    assert_well_formed(&events);
    events
}

#[tokio::test]
async fn a_failing_or_rate_limiting_model_is_a_502_that_says_so() {
    let cases = [
        (500, r#"{"error":{"message":"boom"}}"#, "HTTP 500"),
        (503, "overloaded", "try again later"),
        (429, r#"{"error":{"message":"quota"}}"#, "rate-limiting"),
    ];
    for (status, body, needle) in cases {
        let fake = FakeModel::start(Script::error(status, body)).await;
        let app = start_openai_app(&fake, &[]).await;
        let r = post_report(app.addr, json!({"contract": "c"})).await;
        assert_eq!(r.status(), 502, "model status {status}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "upstream_rejected");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{status}: {msg}");
        let m = app.metrics().await;
        let name = "auditstream_upstream_errors_total{code=\"upstream_rejected\"}";
        assert_eq!(metric(&m, name), Some(1.0), "{m}");
    }
}

#[tokio::test]
async fn a_model_that_goes_silent_is_stalled_keeps_the_text_and_is_hung_up_on() {
    let steps = vec![Step::Send(openai_delta("partial ")), Step::Hang];
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let app = start_openai_app(&fake, &[("AUDITSTREAM_STALL_TIMEOUT_SECS", "0.3")]).await;
    let events = report_events(app.addr).await;
    assert_eq!(text_of(&events), "partial ");
    let e = last_error(&events);
    assert_eq!(e.code, StreamErrorCode::Stalled, "{}", e.message);
    assert!(e.partial);
    fake.wait_for(WAIT, "the stalled connection to close", |open, closed| {
        open == 0 && closed == 1
    })
    .await;
    app.wait_metric(WAIT, "auditstream_reports_total{outcome=\"stalled\"}", 1.0)
        .await;
}

#[tokio::test]
async fn a_report_past_its_deadline_is_a_timeout_and_the_model_is_cut_off() {
    // A model that would talk for 20 s, one token every 50 ms.
    let mut steps = Vec::new();
    for _ in 0..400 {
        steps.push(Step::Send(openai_delta("word ")));
        steps.push(Step::Pause(Duration::from_millis(50)));
    }
    steps.push(Step::Send(openai_finish("stop", 400)));
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let app = start_openai_app(&fake, &[("AUDITSTREAM_MAX_DURATION_SECS", "0.5")]).await;
    let t0 = Instant::now();
    let events = report_events(app.addr).await;
    let took = t0.elapsed();
    let e = last_error(&events);
    assert_eq!(e.code, StreamErrorCode::Timeout, "{}", e.message);
    assert!(e.partial && e.message.contains("0.5 s"), "{}", e.message);
    assert!(took < Duration::from_secs(3), "ended after {took:?}");
    fake.wait_for(WAIT, "the model connection to close", |open, closed| {
        open == 0 && closed == 1
    })
    .await;
}

#[tokio::test]
async fn a_stream_that_ends_without_its_terminator_is_truncated() {
    // A clean chunked end, but no `[DONE]`: the model did not say it was finished.
    let steps = vec![Step::Send(openai_delta("half a report"))];
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let app = start_openai_app(&fake, &[]).await;
    let events = report_events(app.addr).await;
    assert_eq!(text_of(&events), "half a report");
    let e = last_error(&events);
    assert_eq!((e.code, e.partial), (StreamErrorCode::Truncated, true));
    let m = app.metrics().await;
    let name = "auditstream_reports_total{outcome=\"truncated\"}";
    assert_eq!(metric(&m, name), Some(1.0));
}

#[tokio::test]
async fn malformed_model_frames_are_skipped_counted_and_never_fatal() {
    let mut body = openai_delta("a");
    body.extend(b"data: {not json\n\n");
    body.extend(openai_delta("b"));
    body.extend(b"data: {\"unexpected\":true}\n\n");
    body.extend(b"data: \xff\xfe\n\n");
    body.extend(openai_delta("c"));
    body.extend(openai_finish("stop", 3));
    let fake = FakeModel::start(Script::stream(SSE, vec![Step::Send(body)])).await;
    let app = start_openai_app(&fake, &[]).await;
    let events = report_events(app.addr).await;
    assert_eq!(text_of(&events), "abc");
    assert!(matches!(events.last().unwrap().event, ReportEvent::Done(_)));
    app.wait_metric(WAIT, "auditstream_malformed_frames_total", 3.0)
        .await;
    let m = app.metrics().await;
    assert_eq!(
        metric(&m, "auditstream_reports_total{outcome=\"done\"}"),
        Some(1.0)
    );
}

#[tokio::test]
async fn a_client_that_stops_is_recorded_as_stopped_and_frees_everything() {
    let steps = vec![
        Step::Send(openai_delta("one ")),
        Step::Send(openai_delta("two ")),
        Step::Hang,
    ];
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let app = start_openai_app(&fake, &[]).await;
    let resp = post_report(app.addr, json!({"contract": "c"})).await;
    let mut reader = EventReader::new(resp);
    let mut tokens = 0;
    while tokens < 2 {
        let ev = reader.next(WAIT).await.expect("an event");
        tokens += usize::from(matches!(ev.event, ReportEvent::Token(_)));
    }
    app.wait_metric(WAIT, "auditstream_active_streams", 1.0)
        .await;
    drop(reader);
    fake.wait_for(WAIT, "the model connection to close", |open, closed| {
        open == 0 && closed == 1
    })
    .await;
    app.wait_metric(WAIT, "auditstream_reports_total{outcome=\"stopped\"}", 1.0)
        .await;
    app.wait_metric(WAIT, "auditstream_active_streams", 0.0)
        .await;
    let m = app.metrics().await;
    assert_eq!(metric(&m, "auditstream_tokens_relayed_total"), Some(2.0));
}

#[tokio::test]
async fn keep_alive_pings_flow_while_the_model_is_silent() {
    let fake = FakeModel::start(Script::stream(SSE, vec![Step::Hang])).await;
    let app = start_openai_app(&fake, &[("AUDITSTREAM_KEEPALIVE_SECS", "0.1")]).await;
    let resp = post_report(app.addr, json!({"contract": "c"})).await;
    let mut reader = EventReader::new(resp);
    let deadline = Instant::now() + WAIT;
    let mut pings = 0;
    while pings < 2 {
        assert!(Instant::now() < deadline, "no pings in {WAIT:?}");
        assert!(reader.read_chunk(WAIT).await, "the stream ended");
        pings = String::from_utf8_lossy(&reader.raw)
            .matches(": ping\n\n")
            .count();
    }
    let first = reader.next(WAIT).await.expect("meta");
    assert!(matches!(first.event, ReportEvent::Meta(_)));
}

#[tokio::test]
async fn shutdown_gives_a_grace_period_then_a_shutdown_event_and_stops_the_server() {
    let steps = vec![Step::Send(openai_delta("so far ")), Step::Hang];
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let app = start_openai_app(&fake, &[("AUDITSTREAM_SHUTDOWN_GRACE_SECS", "0.3")]).await;
    let addr = app.addr;
    let resp = post_report(addr, json!({"contract": "c"})).await;
    let mut reader = EventReader::new(resp);
    let first_token =
        |r: Option<DecodedEvent>| matches!(r.expect("an event").event, ReportEvent::Token(_));
    while !first_token(reader.next(WAIT).await) {}

    let t0 = Instant::now();
    app.shutdown();
    let rest = reader.rest(WAIT).await;
    let waited = t0.elapsed();
    let e = last_error(&rest);
    assert_eq!(
        (e.code, e.partial),
        (StreamErrorCode::Shutdown, true),
        "{e:?}"
    );
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "the shutdown event came after {waited:?}, not after the 0.3 s grace"
    );
    fake.wait_for(WAIT, "the model connection to close", |open, _| open == 0)
        .await;
    app.stopped(WAIT).await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the server still accepts connections"
    );
}

#[tokio::test]
async fn a_report_that_ends_within_the_grace_period_finishes_normally() {
    let steps = vec![
        Step::Send(openai_delta("first ")),
        Step::Pause(Duration::from_millis(200)),
        Step::Send(openai_delta("last")),
        Step::Send(openai_finish("stop", 2)),
    ];
    let fake = FakeModel::start(Script::stream(SSE, steps)).await;
    let app = start_openai_app(&fake, &[("AUDITSTREAM_SHUTDOWN_GRACE_SECS", "5")]).await;
    let resp = post_report(app.addr, json!({"contract": "c"})).await;
    let mut reader = EventReader::new(resp);
    let mut events = Vec::new();
    while !matches!(
        events.last().map(|r: &DecodedEvent| &r.event),
        Some(ReportEvent::Token(_))
    ) {
        events.push(reader.next(WAIT).await.expect("an event"));
    }
    app.shutdown();
    // New connections are refused at once while the old report finishes.
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(app.addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after {WAIT:?}");
        tokio::task::yield_now().await;
    }
    events.extend(reader.rest(WAIT).await);
    assert_well_formed(&events);
    assert_eq!(text_of(&events), "first last");
    assert!(matches!(events.last().unwrap().event, ReportEvent::Done(_)));
    app.stopped(WAIT).await;
}
