//! Crash safety with the real binary: a server killed with SIGKILL in the middle of a
//! report loses at most the batch it had not committed. After a restart on the same data
//! directory the report is `interrupted`, and its saved text is an exact prefix of what
//! the client received, containing everything the server had shown as saved before. On
//! a shared PostgreSQL another server interrupts a killed one's report within seconds,
//! by its lapsed instance lease, and never one of a server that lives.

#[path = "history_support/mod.rs"]
mod history_support;
mod support;

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::Duration,
};

use auditstream::protocol::{ReportDecoder, ReportEvent};
use futures_util::StreamExt;
use support::fake_model::{FakeModel, Script, Step, openai_delta};

const WAIT: Duration = Duration::from_secs(30);

/// The server process; killed when dropped, so a failing test leaves nothing running.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(data_dir: &std::path::Path, model_base: &str) -> Self {
        let dir = data_dir.to_str().unwrap();
        Self::start_with(model_base, &[("AUDITSTREAM_DATA_DIR", dir)])
    }

    /// The binary in front of `model_base`, with `env` besides.
    fn start_with(model_base: &str, env: &[(&str, &str)]) -> Self {
        // A free port: bound, read and released for the server to take.
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_auditstream"))
            .env_remove("AUDITSTREAM_DATABASE_URL")
            .env_remove("AUDITSTREAM_CONFIG")
            .env("LEPTOS_OUTPUT_NAME", "auditstream")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("AUDITSTREAM_PROVIDER", "openai")
            .env("AUDITSTREAM_BASE_URL", model_base)
            .env("AUDITSTREAM_MODEL", "m")
            .env("AUDITSTREAM_HISTORY_BATCH_MS", "200")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let server = Self { child, addr };
        let deadline = std::time::Instant::now() + WAIT;
        while TcpStream::connect(addr).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the server never listened on {addr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn kill_9(&mut self) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: signalling our own child process, which is still running.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
        self.child.wait().unwrap();
    }

    async fn report(&self, id: &str) -> Option<serde_json::Value> {
        let resp = support::client()
            .get(format!("http://{}/api/reports/{id}", self.addr))
            .send()
            .await
            .unwrap();
        (resp.status() == 200).then_some(resp.json().await.unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_at_most_its_last_batch() {
    let mut steps = Vec::new();
    for i in 0..2000 {
        steps.push(Step::Send(openai_delta(&format!("t{i} "))));
        steps.push(Step::Pause(Duration::from_millis(5)));
    }
    steps.push(Step::Hang);
    let fake = FakeModel::start(Script::stream("text/event-stream", steps)).await;
    let base = format!("{}/v1", fake.base_url());
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::start(data.path(), &base);

    let resp = support::client()
        .post(format!("http://{}/api/report", server.addr))
        .json(&serde_json::json!({"contract": "contract A {}", "filename": "A.sol"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = Body::new(resp);
    let id = match body.next().await.expect("meta") {
        ReportEvent::Meta(m) => m.report_id,
        other => panic!("meta first, got {other:?}"),
    };

    // Stream until the server has shown some text as saved, then a little more.
    let deadline = tokio::time::Instant::now() + WAIT;
    let committed = loop {
        body.token().await;
        if let Some(r) = server.report(&id).await {
            let text = r["text"].as_str().unwrap().to_owned();
            if !text.is_empty() {
                assert_eq!(r["status"], "streaming");
                break text;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing was ever committed"
        );
    };
    for _ in 0..20 {
        body.token().await;
    }

    server.kill_9();
    // Whatever the server wrote before it died still reaches the client; then the body ends.
    while body.next().await.is_some() {}
    let received = body.text;

    let server = Server::start(data.path(), &base);
    let r = server.report(&id).await.expect("the report survived");
    assert_eq!(r["status"], "interrupted");
    let saved = r["text"].as_str().unwrap();
    assert!(
        received.starts_with(saved),
        "the saved text is an exact prefix of what the client received"
    );
    assert!(
        saved.starts_with(&committed) && saved.len() >= committed.len(),
        "nothing already committed was lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_killed_servers_report_is_interrupted_by_another_within_seconds() {
    let Some(db) = history_support::TestDb::postgres().await else {
        return;
    };
    let lease = Duration::from_secs(1);
    let mut steps = Vec::new();
    for i in 0..4000 {
        steps.push(Step::Send(openai_delta(&format!("t{i} "))));
        steps.push(Step::Pause(Duration::from_millis(5)));
    }
    steps.push(Step::Hang);
    let fake = FakeModel::start(Script::stream("text/event-stream", steps)).await;
    let base = format!("{}/v1", fake.base_url());
    let shared = [
        ("AUDITSTREAM_DATABASE_URL", db.url.as_str()),
        ("AUDITSTREAM_INSTANCE_LEASE_SECS", "1"),
        ("AUDITSTREAM_HISTORY_BATCH_MS", "50"),
    ];
    let mut a = Server::start_with(&base, &shared);
    let b = Server::start_with(&base, &shared);

    let resp = support::client()
        .post(format!("http://{}/api/report", a.addr))
        .json(&serde_json::json!({"contract": "contract A {}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = Body::new(resp);
    let id = match body.next().await.expect("meta") {
        ReportEvent::Meta(m) => m.report_id,
        other => panic!("meta first, got {other:?}"),
    };
    // Past three leases with A alive: B never takes A's report for dead.
    let alive_until = tokio::time::Instant::now() + 3 * lease;
    while tokio::time::Instant::now() < alive_until {
        body.token().await;
    }
    let r = b.report(&id).await.expect("B reads A's report");
    assert_eq!(r["status"], "streaming");
    assert!(!r["text"].as_str().unwrap().is_empty(), "text committed");

    a.kill_9();
    let killed = std::time::Instant::now();
    while body.next().await.is_some() {}
    let received = body.text;
    let deadline = killed + Duration::from_secs(10);
    let r = loop {
        let r = b.report(&id).await.expect("the report survived");
        if r["status"] == "interrupted" {
            break r;
        }
        assert_eq!(r["status"], "streaming");
        assert!(std::time::Instant::now() < deadline, "still streaming");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let after = killed.elapsed();
    // The lease, plus B's renewal period, plus a margin for a loaded machine.
    assert!(
        after < lease + lease / 3 + Duration::from_secs(2),
        "{after:?}"
    );
    let saved = r["text"].as_str().unwrap();
    assert!(!saved.is_empty() && received.starts_with(saved));
    assert_eq!(fake.received().len(), 1, "never generated again");
}

/// The client side of one report: events as they arrive, and the token text so far. A
/// connection cut by the kill ends the body like a close does.
struct Body {
    bytes:
        std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    decoder: ReportDecoder,
    queued: std::collections::VecDeque<ReportEvent>,
    text: String,
}

impl Body {
    fn new(resp: reqwest::Response) -> Self {
        Self {
            bytes: Box::pin(resp.bytes_stream()),
            decoder: ReportDecoder::new(),
            queued: Default::default(),
            text: String::new(),
        }
    }

    /// The next event (its text added to `text`), or `None` once the body has ended.
    async fn next(&mut self) -> Option<ReportEvent> {
        while self.queued.is_empty() {
            let chunk = tokio::time::timeout(WAIT, self.bytes.next())
                .await
                .expect("the body moves or ends");
            let Some(Ok(chunk)) = chunk else { return None };
            self.queued.extend(
                self.decoder
                    .push(&chunk)
                    .unwrap()
                    .into_iter()
                    .map(|e| e.event),
            );
        }
        let ev = self.queued.pop_front()?;
        if let ReportEvent::Token(t) = &ev {
            self.text.push_str(&t.text);
        }
        Some(ev)
    }

    /// Reads one token event.
    async fn token(&mut self) {
        match self.next().await {
            Some(ReportEvent::Token(_)) => {}
            other => panic!("a token, got {other:?}"),
        }
    }
}
