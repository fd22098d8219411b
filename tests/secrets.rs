//! API keys never leave the server, and contracts never reach the logs: every response
//! (errors, streams, the page, the model list, metrics) and every log line, at TRACE,
//! while the key is used, rejected and echoed back by the model.

mod support;

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use auditstream::server::catalog;
use serde_json::json;
use support::{
    fake_model::{FakeModel, Script, Step, openai_delta, openai_finish},
    post_report, read_events, settings, start_app,
};

const KEY: &str = "sk-live-7f3a9c1e5b2d4086";
const MARKER: &str = "CONTRACT_MARKER_91d2e7";

/// Everything every subscriber layer writes, for the whole test binary.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || LogWriter(sink.clone()))
            .init();
        buf
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);
impl Write for LogWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn openai_settings(base: &str) -> auditstream::server::Settings {
    settings(&[
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", base),
        ("AUDITSTREAM_API_KEY", KEY),
        ("AUDITSTREAM_RATE_PER_MINUTE", "0"),
    ])
}

fn contract() -> String {
    format!(
        "// {MARKER}\npragma solidity ^0.8.0;\ncontract A {{ function f() public {{ selfdestruct(payable(msg.sender)); }} }}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_contracts_stay_on_the_server() {
    let logs = logs();
    let mut seen = String::new();

    // 1. The model rejects the key and echoes it in its error.
    let echo = format!(
        r#"{{"error":{{"message":"Incorrect API key provided: {KEY}","type":"invalid_request_error"}}}}"#
    );
    let rejecting = FakeModel::start(Script::error(401, &echo)).await;
    let app = start_app(openai_settings(&rejecting.base_url())).await;
    let r = post_report(app.addr, json!({"contract": contract()})).await;
    assert_eq!(r.status(), 502);
    seen += &r.text().await.unwrap();
    assert!(
        rejecting.received()[0].head.contains(KEY),
        "the key did go upstream, where it belongs"
    );

    // 2. A normal stream, the page, the model list and the metrics of the same server.
    let mut body: Vec<u8> = openai_delta("## Summary\n");
    body.extend(openai_finish("stop", 3));
    let streaming =
        FakeModel::start(Script::stream("text/event-stream", vec![Step::Send(body)])).await;
    let app = start_app(openai_settings(&format!("{}/v1", streaming.base_url()))).await;
    let r = post_report(
        app.addr,
        json!({"contract": contract(), "model": "openai/unknown-model"}),
    )
    .await;
    let events = read_events(r, Duration::from_secs(10)).await;
    seen += &format!("{events:?}");
    let c = support::client();
    seen += &c
        .get(format!("http://{}/", app.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    seen += &app.metrics().await;
    seen += &serde_json::to_string(&catalog::list(&app.state).await).unwrap();
    seen += &format!("{:?}", app.state.settings);

    assert!(
        seen.contains("openai/"),
        "the responses were really collected"
    );
    assert!(!seen.contains(KEY), "the key reached a response");
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    assert!(
        logs.contains("report"),
        "logs were really captured:\n{logs}"
    );
    assert!(!logs.contains(KEY), "the key reached the logs");
    assert!(!logs.contains(MARKER), "the contract reached the logs");
}
