//! auditstream against a real model server (issue 21), not a fake: llama-cpp-python's
//! OpenAI-compatible server with the tiny random-weight model written at test time, on
//! 127.0.0.1. A report streams token by token and ends with the server's own finish
//! reason and count; Stop makes the server stop generating (its CPU time stops growing)
//! and the next report starts at once; a report the server cuts off for another request
//! ends `truncated`, never `done`; the picker lists the server's model; a prompt over the
//! server's context ends at once with a clear error; the CLI streams and Ctrl+C frees the
//! server.
//!
//! The tests take turns (`SERIAL`): each measures one server's CPU on two shared cores.

#[path = "llama_support/mod.rs"]
mod llama_support;
mod support;

use std::{
    path::Path,
    time::{Duration, Instant},
};

use auditstream::{
    protocol::{ReportEvent, StreamErrorCode},
    server::{AppState, Settings, catalog, config::FileConfig},
};
use llama_support::{LlamaServer, MODEL_ALIAS};
use tokio::{io::AsyncReadExt, sync::Mutex};

static SERIAL: Mutex<()> = Mutex::const_new(());

const WAIT: Duration = Duration::from_secs(60);
/// A normal context: the report prompt fits and leaves room for a report of some
/// hundreds of tokens, which the model always runs to the end of (finish `length`).
const N_CTX: u32 = 4096;
/// For the Stop tests: room for a report far longer than the measurement takes.
const N_CTX_LONG: u32 = 16384;
/// How long the server must use no CPU to count as idle: several 10 ms ticks.
const QUIET: Duration = Duration::from_millis(300);
/// CPU time the server must spend while a report is read before Stop: it is generating.
const BUSY: Duration = Duration::from_millis(100);

const CONTRACT: &str = "pragma solidity ^0.8.0;\n\
contract Bank {\n\
    mapping(address => uint256) balances;\n\
    function withdraw() external {\n\
        (bool ok, ) = msg.sender.call{value: balances[msg.sender]}(\"\");\n\
        require(ok);\n\
        balances[msg.sender] = 0;\n\
    }\n\
}\n";

/// The app in front of `server` as an OpenAI-compatible provider, with SQLite history.
async fn app(server: &LlamaServer, db: &Path) -> support::TestApp {
    let base = server.base_url();
    let db_url = auditstream::server::config::sqlite_url(db);
    let settings = support::settings(&[
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", base.as_str()),
        ("AUDITSTREAM_MODEL", MODEL_ALIAS),
        ("AUDITSTREAM_RATE_PER_MINUTE", "0"),
        ("AUDITSTREAM_DATABASE_URL", db_url.as_str()),
        ("AUDITSTREAM_HISTORY_BATCH_MS", "20"),
    ]);
    let state = AppState::new(settings)
        .with_history()
        .await
        .expect("history opens");
    support::start_app_with(state).await
}

async fn post(app: &support::TestApp, contract: &str) -> reqwest::Response {
    support::post_report(
        app.addr,
        serde_json::json!({"contract": contract, "filename": "Bank.sol"}),
    )
    .await
}

fn report_id(event: &ReportEvent) -> String {
    match event {
        ReportEvent::Meta(m) => m.report_id.clone(),
        other => panic!("meta first, got {other:?}"),
    }
}

/// Reads events until `n` tokens have arrived; returns the text so far.
async fn tokens(reader: &mut support::EventReader, n: usize) -> String {
    let (mut text, mut seen) = (String::new(), 0);
    while seen < n {
        match reader.next(WAIT).await.map(|e| e.event) {
            Some(ReportEvent::Token(t)) => {
                text.push_str(&t.text);
                seen += 1;
            }
            Some(ReportEvent::Meta(_)) => {}
            other => panic!("after {seen} tokens: {other:?}"),
        }
    }
    text
}

/// `GET /api/reports/{id}` once its status is not `streaming`.
async fn stored(app: &support::TestApp, id: &str) -> serde_json::Value {
    let url = format!("http://{}/api/reports/{id}", app.addr);
    let deadline = Instant::now() + WAIT;
    loop {
        let resp = support::client().get(&url).send().await.unwrap();
        if resp.status() == 200 {
            let v: serde_json::Value = resp.json().await.unwrap();
            if v["status"] != "streaming" {
                return v;
            }
        }
        assert!(Instant::now() < deadline, "report {id} still streaming");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn the_tiny_model_is_the_same_bytes_every_time() {
    let Some(python) = llama_support::python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.gguf"), dir.path().join("b.gguf"));
    llama_support::write_tiny_model(&python, &a);
    llama_support::write_tiny_model(&python, &b);
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(a.starts_with(b"GGUF"), "a GGUF file");
    assert!(a.len() > 500_000, "a few hundred thousand f32 weights");
    assert!(a == b, "two builds differ");
}

#[tokio::test]
async fn a_report_streams_and_ends_with_the_servers_reason_and_count() {
    let Some(python) = llama_support::python() else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let server = LlamaServer::start(&python, N_CTX).await;
    let db = tempfile::tempdir().unwrap();
    let app = app(&server, &db.path().join("h.db")).await;

    let asked = Instant::now();
    let resp = post(&app, CONTRACT).await;
    assert_eq!(resp.status(), 200);
    let mut reader = support::EventReader::new(resp);
    let mut events = Vec::new();
    let mut arrivals = Vec::new();
    while let Some(ev) = reader.next(WAIT).await {
        if matches!(ev.event, ReportEvent::Token(_)) {
            arrivals.push(asked.elapsed());
        }
        events.push(ev);
    }
    let ended = asked.elapsed();
    support::assert_well_formed(&events);
    let ReportEvent::Done(done) = &events.last().unwrap().event else {
        panic!("not done: {:?}\n{}", events.last(), server.log());
    };
    // The model never picks end-of-stream, so the server's token limit (the context left
    // after the prompt: auditstream sends no max_tokens) ends the report.
    assert_eq!(done.finish_reason, "length", "{done:?}");
    // llama-cpp-python streams no usage chunk, so the count is the relay's: one per
    // chunk of text the server sent, each one token. The relay may merge chunks into
    // one event, never split one.
    let count = done.output_tokens.expect("a token count");
    assert!(
        count >= arrivals.len() as u64 && count >= 100 && count < u64::from(N_CTX),
        "{count} tokens in {} events",
        arrivals.len()
    );
    // Incrementally: tokens came over the whole generation, not in one burst at the end.
    let first = arrivals[0];
    let middle = first + (ended - first) / 2;
    let early = arrivals.iter().filter(|&&t| t < middle).count();
    assert!(
        arrivals.len() >= 20 && early >= 5 && early < arrivals.len(),
        "{} tokens, {early} in the first half of {:?}",
        arrivals.len(),
        ended - first
    );
    let text = support::text_of(&events);
    assert!(!text.trim().is_empty());
    // The stored report is what the reader got.
    let saved = stored(&app, &report_id(&events[0].event)).await;
    assert_eq!(saved["status"], "done");
    assert_eq!(saved["text"], text);
    assert_eq!(saved["timings"]["output_tokens"], count);
    println!(
        "real model: {count} tokens, finish {}, {:?} tokens/s, first token after {:?} ms",
        done.finish_reason, done.tokens_per_sec, done.ttft_ms
    );
}

#[tokio::test]
async fn stop_ends_the_servers_generation_and_the_next_report_starts_at_once() {
    let Some(python) = llama_support::python() else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let server = LlamaServer::start(&python, N_CTX_LONG).await;
    let db = tempfile::tempdir().unwrap();
    let app = app(&server, &db.path().join("h.db")).await;

    let resp = post(&app, CONTRACT).await;
    let mut reader = support::EventReader::new(resp);
    let id = report_id(&reader.next(WAIT).await.unwrap().event);
    // Read on until it has clearly been generating as the tokens come: Stop lands on a
    // report that is streaming, not on one the reader had already stalled.
    let cpu = server.cpu();
    let mut before = tokens(&mut reader, 5).await;
    while server.cpu() < cpu + BUSY {
        before += &tokens(&mut reader, 1).await;
    }
    // Stop: the page aborts its fetch, which drops the response.
    let stopped = Instant::now();
    drop(reader);
    let to_idle = server
        .idle_after(stopped, QUIET, Duration::from_secs(10))
        .await;
    println!("STOP-TO-IDLE (llama-cpp-python, /api/report): {to_idle:?}");
    assert!(
        to_idle < Duration::from_secs(2),
        "the server went on for {to_idle:?} after Stop"
    );
    let saved = stored(&app, &id).await;
    assert_eq!(saved["status"], "stopped");
    assert!(saved["text"].as_str().unwrap().starts_with(&before));

    // The next report is not queued behind the stopped one.
    let asked = Instant::now();
    let resp = post(&app, CONTRACT).await;
    let mut next = support::EventReader::new(resp);
    tokens(&mut next, 1).await;
    let first = asked.elapsed();
    println!("next report's first token after Stop: {first:?}");
    assert!(first < Duration::from_secs(5), "{first:?}");
}

#[tokio::test]
async fn a_report_the_server_interrupts_for_another_is_truncated_never_done() {
    let Some(python) = llama_support::python() else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let server = LlamaServer::start(&python, N_CTX_LONG).await;
    let db = tempfile::tempdir().unwrap();
    let app = app(&server, &db.path().join("h.db")).await;

    let mut first = support::EventReader::new(post(&app, CONTRACT).await);
    let id = report_id(&first.next(WAIT).await.unwrap().event);
    let before = tokens(&mut first, 5).await;
    // A second report while the first streams: llama-cpp-python (interrupt_requests, its
    // default) ends the first with a bare `data: [DONE]` and serves the second.
    let mut second = support::EventReader::new(post(&app, CONTRACT).await);
    let rest = first.rest(WAIT).await;
    let Some(ReportEvent::Error(e)) = rest.last().map(|r| &r.event) else {
        panic!("the first report ended {:?}", rest.last());
    };
    assert_eq!(e.code, StreamErrorCode::Truncated, "{e:?}");
    assert!(e.partial, "{e:?}");
    assert!(e.message.contains("without a finish reason"), "{e:?}");
    let text = before + &support::text_of(&rest);
    let saved = stored(&app, &id).await;
    assert_eq!(saved["status"], "failed", "never done");
    assert_eq!(saved["text"], text, "the partial text is kept");
    assert_eq!(saved["error"]["code"], "truncated");
    // The second one is the one being served now.
    tokens(&mut second, 3).await;
}

#[tokio::test]
async fn the_model_picker_lists_the_servers_model() {
    let Some(python) = llama_support::python() else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let server = LlamaServer::start(&python, N_CTX).await;
    let toml = format!(
        "[[provider]]\nname = \"llama\"\nkind = \"openai\"\nbase_url = \"{}\"\nmodels = []\n",
        server.base_url()
    );
    let file = FileConfig::parse(&toml, Path::new("test.toml")).unwrap();
    let state = AppState::new(Settings::from_parts(Some(file), |_| None).unwrap());
    let list = tokio::time::timeout(WAIT, catalog::list(&state))
        .await
        .unwrap();
    let id = format!("llama/{MODEL_ALIAS}");
    let listed = list
        .iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} missing from {list:#?}"));
    assert!(listed.available, "{listed:?}");
}

#[tokio::test]
async fn a_prompt_over_the_servers_context_ends_at_once_with_a_clear_error() {
    let Some(python) = llama_support::python() else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let server = LlamaServer::start(&python, N_CTX).await;
    let db = tempfile::tempdir().unwrap();
    let app = app(&server, &db.path().join("h.db")).await;
    // Some 3 tokens a line in this model's vocabulary: far past 4096.
    let long: String = (0..4000)
        .map(|i| format!("// line {i}\n"))
        .collect::<String>()
        + CONTRACT;
    let asked = Instant::now();
    let resp = post(&app, &long).await;
    // llama-cpp-python 0.3.36 answers a streamed request with 200 before it looks at the
    // prompt; its ValueError then goes to its log only, and the body ends empty (no
    // event, no `[DONE]`). Its words cannot reach the page; what must is a prompt
    // and clear end: not a hang, not a `done`.
    assert_eq!(resp.status(), 200);
    let events = support::read_events(resp, WAIT).await;
    let took = asked.elapsed();
    support::assert_well_formed(&events);
    let Some(ReportEvent::Error(e)) = events.last().map(|r| &r.event) else {
        panic!("{:?}", events.last());
    };
    println!("over the context: {e:?} after {took:?}");
    assert_eq!(e.code, StreamErrorCode::Truncated, "{e:?}");
    assert!(!e.partial, "no text came: {e:?}");
    assert!(e.message.contains("without its terminator"), "{e:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    // The cause, as the server logged it.
    let cause = format!("exceed context window of {N_CTX}");
    server.logged(&cause, WAIT).await;
}

#[tokio::test]
async fn the_cli_streams_and_ctrl_c_ends_the_servers_generation() {
    let Some(python) = llama_support::python() else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let server = LlamaServer::start(&python, N_CTX_LONG).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Bank.sol"), CONTRACT).unwrap();
    let model = format!("openai/{MODEL_ALIAS}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_auditstream"))
        .args(["audit", "Bank.sol", "--model", &model])
        .current_dir(dir.path())
        .env_remove("AUDITSTREAM_CONFIG")
        .env("AUDITSTREAM_PROVIDER", "openai")
        .env("AUDITSTREAM_BASE_URL", server.base_url())
        .env("AUDITSTREAM_MODEL", MODEL_ALIAS)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut out = child.stdout.take().unwrap();
    // Text reaches the terminal in pieces while the server generates; read on until it
    // has clearly been generating as the text comes.
    let (mut seen, mut reads, mut buf) = (Vec::new(), 0, [0u8; 4096]);
    tokio::time::timeout(WAIT, async {
        let mut cpu = None;
        loop {
            let n = out.read(&mut buf).await.expect("stdout");
            assert!(n > 0, "stdout closed: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
            reads += 1;
            // CPU time counted from the first text on the terminal.
            let from = *cpu.get_or_insert_with(|| server.cpu());
            if seen.len() >= 200 && reads >= 3 && server.cpu() >= from + BUSY {
                break;
            }
        }
    })
    .await
    .expect("the report streams to stdout");
    let pid = child.id().expect("running") as libc::pid_t;
    let interrupted = Instant::now();
    // SAFETY: sending SIGINT to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let to_idle = server
        .idle_after(interrupted, QUIET, Duration::from_secs(10))
        .await;
    println!("STOP-TO-IDLE (llama-cpp-python, CLI Ctrl+C): {to_idle:?}");
    assert!(
        to_idle < Duration::from_secs(2),
        "the server went on for {to_idle:?} after Ctrl+C"
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the binary exits")
        .unwrap();
    assert_eq!(status.code(), Some(130));
}
