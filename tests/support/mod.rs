//! Shared test support: the real app on a loopback port, a reader for its SSE
//! responses, the fake model server, and the test projects as requests send them.
#![allow(dead_code)]

pub mod cluster;
pub mod fake_model;
pub mod projects;
pub mod resumable;

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use auditstream::{
    protocol::{DecodedEvent, ReportDecoder, ReportEvent, decode_body},
    server::{AppState, Settings, serve},
};
use futures_util::StreamExt;
use leptos::prelude::LeptosOptions;

/// Settings as the server would read them from these environment variables.
pub fn settings(vars: &[(&str, &str)]) -> Settings {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned()).expect("valid test settings")
}

/// The whole app (the router `main` serves) on 127.0.0.1 with a free port.
pub async fn spawn_app(settings: Settings) -> SocketAddr {
    start_app(settings).await.addr
}

/// A running app, with its state (metrics, the shutdown token) at hand.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Serves the app exactly as `main` does (`auditstream::server::serve`), on a free port.
pub async fn start_app(settings: Settings) -> TestApp {
    start_app_with(AppState::new(settings)).await
}

/// `start_app` with a state built by the caller (for example with history opened).
pub async fn start_app_with(state: AppState) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = LeptosOptions::builder().output_name("auditstream").build();
    let mut served = Box::pin(serve(listener, state.clone(), options));
    // One poll here starts the server's helper tasks (graceful-shutdown watcher, rate
    // limit housekeeping) before we return, so tests that count live tasks see them
    // in their baseline.
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(served.as_mut().poll(cx))).await;
    assert!(first.is_pending(), "the server stopped at once: {first:?}");
    let served = tokio::spawn(served);
    TestApp {
        addr,
        state,
        served,
    }
}

impl TestApp {
    /// What SIGTERM does in `main`: begin the graceful shutdown.
    pub fn shutdown(&self) {
        self.state.shutdown.cancel();
    }

    /// Waits for the server to finish (after `shutdown`), or panics after `limit`.
    pub async fn stopped(self, limit: Duration) {
        let r = tokio::time::timeout(limit, self.served).await;
        let served = r.unwrap_or_else(|_| panic!("the server still runs after {limit:?}"));
        served.expect("server task").expect("server result");
    }

    /// The `/metrics` exposition.
    pub async fn metrics(&self) -> String {
        metrics_text(self.addr).await
    }

    /// Waits until the metric `line_prefix` (e.g. `auditstream_active_streams`) has
    /// `value`, polling `/metrics`, or panics after `limit`.
    pub async fn wait_metric(&self, limit: Duration, name: &str, value: f64) {
        wait_metric(self.addr, limit, name, value).await;
    }
}

/// `GET /metrics` as text.
pub async fn metrics_text(addr: SocketAddr) -> String {
    let r = client()
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// The value of the sample named exactly `name` (labels included), if present.
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// Polls `/metrics` until the sample `name` equals `value`, or panics after `limit`.
pub async fn wait_metric(addr: SocketAddr, limit: Duration, name: &str, value: f64) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let text = metrics_text(addr).await;
        let got = metric(&text, name);
        if got == Some(value) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} is {got:?}, not {value}, after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// POSTs a JSON body to `/api/report`.
pub async fn post_report(addr: SocketAddr, body: serde_json::Value) -> reqwest::Response {
    client()
        .post(format!("http://{addr}/api/report"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Reads a whole report stream (bounded by `limit`) into its events. An event after the
/// terminal one fails the read.
pub async fn read_events(resp: reqwest::Response, limit: Duration) -> Vec<DecodedEvent> {
    let mut out = Vec::new();
    let read = async {
        let body = decode_body(resp.bytes_stream());
        futures_util::pin_mut!(body);
        while let Some(events) = body.next().await {
            out.extend(events.expect("a body of protocol events"));
        }
    };
    tokio::time::timeout(limit, read)
        .await
        .expect("stream ended in time");
    out
}

/// The concatenated text of all `token` events.
pub fn text_of(events: &[DecodedEvent]) -> String {
    events
        .iter()
        .filter_map(|r| match &r.event {
            ReportEvent::Token(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

/// Asserts the stream's shape: ids 1..=n, `meta` first, exactly one terminal event, last.
pub fn assert_well_formed(events: &[DecodedEvent]) {
    assert!(!events.is_empty(), "no events");
    for (i, r) in events.iter().enumerate() {
        assert_eq!(r.id, (i + 1).to_string(), "ids count from 1");
    }
    assert!(
        matches!(events[0].event, ReportEvent::Meta(_)),
        "meta comes first"
    );
    let terminals = events.iter().filter(|r| r.event.is_terminal()).count();
    assert_eq!(terminals, 1, "exactly one done or error");
    assert!(
        events.last().unwrap().event.is_terminal(),
        "the terminal event is last"
    );
}

/// A JSON error body's `error.code`.
pub async fn error_code(resp: reqwest::Response) -> String {
    let v: serde_json::Value = resp.json().await.expect("JSON error body");
    v["error"]["code"].as_str().expect("error.code").to_owned()
}

/// The app in front of `fake` as an OpenAI-compatible provider, plus `extra` settings.
pub async fn start_openai_app(fake: &fake_model::FakeModel, extra: &[(&str, &str)]) -> TestApp {
    let base = format!("{}/v1", fake.base_url());
    let mut vars = vec![
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", base.as_str()),
        ("AUDITSTREAM_MODEL", "m"),
    ];
    vars.extend_from_slice(extra);
    start_app(settings(&vars)).await
}

/// Reads a report stream event by event, keeping the raw bytes too (comments such as
/// `: ping` never reach the decoder's events).
pub struct EventReader {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    decoder: ReportDecoder,
    queued: std::collections::VecDeque<DecodedEvent>,
    pub raw: Vec<u8>,
}

impl EventReader {
    pub fn new(resp: reqwest::Response) -> Self {
        Self {
            body: Box::pin(resp.bytes_stream()),
            decoder: ReportDecoder::new(),
            queued: Default::default(),
            raw: Vec::new(),
        }
    }

    /// Reads one more chunk; false at the end of the body.
    pub async fn read_chunk(&mut self, limit: Duration) -> bool {
        let next = tokio::time::timeout(limit, self.body.next())
            .await
            .unwrap_or_else(|_| panic!("no bytes within {limit:?}"));
        let Some(chunk) = next else { return false };
        let chunk = chunk.expect("body chunk");
        self.raw.extend_from_slice(&chunk);
        let events = self.decoder.push(&chunk).expect("protocol events");
        self.queued.extend(events);
        assert_eq!(self.decoder.after_end(), 0, "events after the terminal one");
        true
    }

    /// The next event, or `None` at the end of the body.
    pub async fn next(&mut self, limit: Duration) -> Option<DecodedEvent> {
        loop {
            if let Some(ev) = self.queued.pop_front() {
                return Some(ev);
            }
            if !self.read_chunk(limit).await {
                return None;
            }
        }
    }

    /// Every remaining event.
    pub async fn rest(&mut self, limit: Duration) -> Vec<DecodedEvent> {
        let mut out = Vec::new();
        while let Some(ev) = self.next(limit).await {
            out.push(ev);
        }
        out
    }
}

/// A small deterministic generator, so a failing split or storm can be replayed from
/// its seed.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}
