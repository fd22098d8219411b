//! Shared test support: the real app on a loopback port, a reader for its SSE
//! responses, and the fake model server.
#![allow(dead_code)]

pub mod fake_model;

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use auditstream::{
    protocol::ReportEvent,
    server::{AppState, Settings, build_router},
    sse,
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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = LeptosOptions::builder().output_name("auditstream").build();
    let app = build_router(AppState::new(settings), options);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
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

/// One received SSE event, decoded into the protocol type.
#[derive(Debug)]
pub struct Received {
    pub id: String,
    pub event: ReportEvent,
}

/// Reads a whole report stream (bounded by `limit`) into its events.
pub async fn read_events(resp: reqwest::Response, limit: Duration) -> Vec<Received> {
    let mut out = Vec::new();
    let mut decoder = sse::Decoder::new();
    let mut body = resp.bytes_stream();
    let read = async {
        while let Some(chunk) = body.next().await {
            for ev in decoder.push(&chunk.expect("body chunk")) {
                out.push(Received {
                    id: ev.id.clone(),
                    event: ReportEvent::from_sse(&ev.event, &ev.data).expect("protocol event"),
                });
            }
        }
    };
    tokio::time::timeout(limit, read)
        .await
        .expect("stream ended in time");
    out
}

/// The concatenated text of all `token` events.
pub fn text_of(events: &[Received]) -> String {
    events
        .iter()
        .filter_map(|r| match &r.event {
            ReportEvent::Token(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

/// Asserts the stream's shape: ids 1..=n, `meta` first, exactly one terminal event, last.
pub fn assert_well_formed(events: &[Received]) {
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
