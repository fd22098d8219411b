//! The guards in front of `POST /api/report`, each at its edge over real loopback TCP:
//! the body read timeout (raw TCP clients that stall or dribble), the origin check, the
//! per-client rate limit and the concurrent-stream cap.

mod support;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use auditstream::protocol::ReportEvent;
use serde_json::json;
use support::{
    EventReader, TestApp, client, error_code,
    fake_model::{FakeModel, Script, Step, openai_delta},
    metric, post_report, settings, start_app, start_openai_app,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(10);

/// The builtin analyzer at full speed, with `extra` settings.
async fn builtin_app(extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("AUDITSTREAM_BUILTIN_PACE_MS", "0")];
    vars.extend_from_slice(extra);
    start_app(settings(&vars)).await
}

/// Sends a request head announcing a 200-byte JSON body, then `first` body bytes.
async fn raw_request(addr: SocketAddr, first: &[u8]) -> tokio::net::TcpStream {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/report HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(first).await.unwrap();
    s
}

/// Reads an HTTP response until the connection closes or `limit` passes.
async fn read_response(rd: &mut (impl AsyncReadExt + Unpin), limit: Duration) -> String {
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = rd.read(&mut chunk).await {
            buf.extend_from_slice(&chunk[..n]);
            if String::from_utf8_lossy(&buf).contains("}}") {
                break;
            }
        }
    })
    .await;
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_off_with_408() {
    let app = builtin_app(&[("AUDITSTREAM_BODY_TIMEOUT_SECS", "0.3")]).await;
    let t0 = Instant::now();
    let mut s = raw_request(app.addr, br#"{"contract":"#).await;
    let resp = read_response(&mut s, WAIT).await;
    let took = t0.elapsed();
    assert!(resp.starts_with("HTTP/1.1 408"), "{resp}");
    assert!(resp.contains(r#""code":"body_timeout""#), "{resp}");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "answered after {took:?}"
    );
}

#[tokio::test]
async fn a_dribbled_body_is_cut_off_at_the_deadline_not_per_byte() {
    let app = builtin_app(&[("AUDITSTREAM_BODY_TIMEOUT_SECS", "0.3")]).await;
    let t0 = Instant::now();
    let s = raw_request(app.addr, b"{").await;
    let (mut rd, mut wr) = s.into_split();
    // One byte every 20 ms: never idle long, but 200 bytes would take 4 s.
    let dribble = tokio::spawn(async move {
        for _ in 0..199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if wr.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let resp = read_response(&mut rd, WAIT).await;
    let took = t0.elapsed();
    dribble.abort();
    assert!(resp.starts_with("HTTP/1.1 408"), "{resp}");
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
}

#[tokio::test]
async fn only_our_own_origin_or_a_configured_one_may_post() {
    let app = builtin_app(&[
        ("AUDITSTREAM_ALLOWED_ORIGINS", "https://app.example.com"),
        ("AUDITSTREAM_RATE_PER_MINUTE", "0"),
    ])
    .await;
    let port = app.addr.port();
    let own = format!("http://127.0.0.1:{port}");
    let other_port = format!("http://127.0.0.1:{}", port.wrapping_add(1));
    let other_host = format!("http://localhost:{port}");
    let cases: [(Option<&str>, u16); 7] = [
        (None, 200),
        (Some(&own), 200),
        (Some("https://app.example.com"), 200),
        (Some(&other_port), 403),
        (Some(&other_host), 403),
        (Some("https://evil.example"), 403),
        (Some("null"), 403),
    ];
    for (origin, want) in cases {
        let mut req = client()
            .post(format!("http://{}/api/report", app.addr))
            .json(&json!({"contract": "c"}));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), want, "Origin: {origin:?}");
        if want == 403 {
            assert_eq!(error_code(r).await, "cross_origin");
        }
    }
}

async fn post_from(addr: SocketAddr, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut req = client()
        .post(format!("http://{addr}/api/report"))
        .json(&json!({"contract": "c"}));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

async fn assert_rate_limited(r: reqwest::Response) {
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=61).contains(&retry), "Retry-After: {retry}");
    assert_eq!(error_code(r).await, "rate_limited");
}

#[tokio::test]
async fn the_rate_limit_allows_the_burst_and_refuses_the_next_request() {
    // One request a minute refills nothing during the test: the burst is the edge.
    let app = builtin_app(&[
        ("AUDITSTREAM_RATE_PER_MINUTE", "1"),
        ("AUDITSTREAM_RATE_BURST", "3"),
    ])
    .await;
    for i in 0..3 {
        // A forged X-Forwarded-For changes nothing while it is not trusted.
        let r = post_from(app.addr, Some(&format!("198.51.100.{i}"))).await;
        assert_eq!(r.status(), 200, "request {i} is within the burst");
    }
    assert_rate_limited(post_from(app.addr, Some("198.51.100.99")).await).await;
    // Only the report route is limited.
    for _ in 0..5 {
        app.metrics().await;
    }
    let m = app.metrics().await;
    let name = "auditstream_requests_refused_total{code=\"rate_limited\"}";
    assert_eq!(metric(&m, name), Some(1.0), "{m}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let app = builtin_app(&[
        ("AUDITSTREAM_RATE_PER_MINUTE", "1"),
        ("AUDITSTREAM_RATE_BURST", "2"),
        ("AUDITSTREAM_TRUST_FORWARDED_FOR", "1"),
    ])
    .await;
    for _ in 0..2 {
        assert_eq!(post_from(app.addr, Some("203.0.113.1")).await.status(), 200);
    }
    assert_rate_limited(post_from(app.addr, Some("203.0.113.1")).await).await;
    // The proxy appends the address it saw; what the client put in front is ignored.
    assert_rate_limited(post_from(app.addr, Some("203.0.113.2, 203.0.113.1")).await).await;
    assert_eq!(post_from(app.addr, Some("203.0.113.2")).await.status(), 200);
    // Without the header the peer (127.0.0.1) has its own, untouched budget.
    assert_eq!(post_from(app.addr, None).await.status(), 200);
}

#[tokio::test]
async fn a_rate_of_zero_switches_the_limit_off() {
    let app = builtin_app(&[("AUDITSTREAM_RATE_PER_MINUTE", "0")]).await;
    for i in 0..40 {
        let r = post_from(app.addr, None).await;
        assert_eq!(r.status(), 200, "request {i}");
    }
}

#[tokio::test]
async fn the_stream_cap_refuses_the_third_of_two_and_frees_slots_on_exit() {
    let steps = vec![Step::Send(openai_delta("working ")), Step::Hang];
    let fake = FakeModel::start(Script::stream("text/event-stream", steps)).await;
    let app = start_openai_app(&fake, &[("AUDITSTREAM_MAX_STREAMS", "2")]).await;
    let open_stream = || async {
        let resp = post_report(app.addr, json!({"contract": "c"})).await;
        assert_eq!(resp.status(), 200);
        let mut reader = EventReader::new(resp);
        while !matches!(
            reader.next(WAIT).await.expect("an event").event,
            ReportEvent::Token(_)
        ) {}
        reader
    };
    let first = open_stream().await;
    let _second = open_stream().await;

    let r = post_report(app.addr, json!({"contract": "c"})).await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    assert_eq!(error_code(r).await, "busy");
    assert_eq!(
        fake.received().len(),
        2,
        "a refused request never reaches the model"
    );

    drop(first);
    app.wait_metric(WAIT, "auditstream_active_streams", 1.0)
        .await;
    let _third = open_stream().await;
    let r = post_report(app.addr, json!({"contract": "c"})).await;
    assert_eq!(r.status(), 503, "the freed slot is taken again");
    let m = app.metrics().await;
    let name = "auditstream_requests_refused_total{code=\"busy\"}";
    assert_eq!(metric(&m, name), Some(2.0));
}
