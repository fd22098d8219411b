//! The system under test: the real app router (`build_router`, openai provider pointed at
//! the fake model), served the way `src/main.rs` serves it. It runs in-process for the
//! timing scenarios, and alone in a child process (this same binary, `--serve-child`)
//! for the memory scenario, so that process's RSS is the server's and nothing else's.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Write},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    time::Duration,
};

use auditstream::server::{AppState, Settings, build_router, serve};
use axum::serve::ListenerExt;
use leptos::prelude::LeptosOptions;

/// The environment the relay runs with: the openai provider at the fake model, limits
/// that never cut a benchmark stream short, and no rate limit. History is off unless the
/// bench runs with `AUDITSTREAM_HISTORY=on` (SQLite under `AUDITSTREAM_DATA_DIR`, default
/// `target/bench-history`, or `AUDITSTREAM_DATABASE_URL`).
pub fn settings(model_base_url: &str) -> Settings {
    let env = |k: &str, default: &str| std::env::var(k).unwrap_or_else(|_| default.to_owned());
    let vars: HashMap<&str, String> = [
        ("AUDITSTREAM_HISTORY", env("AUDITSTREAM_HISTORY", "off")),
        (
            "AUDITSTREAM_DATA_DIR",
            env("AUDITSTREAM_DATA_DIR", "target/bench-history"),
        ),
        (
            "AUDITSTREAM_DATABASE_URL",
            env("AUDITSTREAM_DATABASE_URL", ""),
        ),
        ("AUDITSTREAM_PROVIDER", "openai".to_owned()),
        ("AUDITSTREAM_BASE_URL", model_base_url.to_owned()),
        ("AUDITSTREAM_MODEL", "bench".to_owned()),
        ("AUDITSTREAM_MAX_STREAMS", "100000".to_owned()),
        ("AUDITSTREAM_RATE_PER_MINUTE", "0".to_owned()),
        ("AUDITSTREAM_STALL_TIMEOUT_SECS", "600".to_owned()),
        ("AUDITSTREAM_MAX_DURATION_SECS", "600".to_owned()),
        ("AUDITSTREAM_CONNECT_TIMEOUT_SECS", "30".to_owned()),
        ("AUDITSTREAM_KEEPALIVE_SECS", "15".to_owned()),
        ("AUDITSTREAM_BUILTIN_PACE_MS", "0".to_owned()),
        // On by default, as served; `off` for the A/B of what checking findings costs.
        (
            "AUDITSTREAM_VERIFY_FINDINGS",
            env("AUDITSTREAM_VERIFY_FINDINGS", "on"),
        ),
    ]
    .into_iter()
    .collect();
    Settings::from_lookup(|k| vars.get(k).cloned()).expect("bench settings are valid")
}

fn options() -> LeptosOptions {
    LeptosOptions::builder().output_name("auditstream").build()
}

/// Serves the app on a free loopback port of the current runtime with
/// `auditstream::server::serve`, exactly as `src/main.rs` does. `nodelay` instead serves
/// the same router with TCP_NODELAY set on accepted sockets, which `serve` does not do
/// (a what-if row in the table).
pub async fn spawn(model_base_url: &str, nodelay: bool) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind app");
    let addr = listener.local_addr().expect("app address");
    let state = AppState::new(settings(model_base_url))
        .with_history()
        .await
        .expect("bench history opens");
    if nodelay {
        let app =
            build_router(state, options()).into_make_service_with_connect_info::<SocketAddr>();
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
    } else {
        tokio::spawn(serve(listener, state, options()));
    }
    addr
}

/// The child process's whole life: serve the app like `src/main.rs` (a default
/// multi-thread runtime, `serve`), print the address, and exit when stdin
/// closes or after five minutes at most.
pub fn child_main(args: &[String]) {
    let base_url = args
        .first()
        .expect("--serve-child <model base url>")
        .clone();
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(300));
        std::process::exit(3);
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("child runtime");
    rt.block_on(async move {
        let addr = spawn(&base_url, false).await;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening {addr}");
        let _ = out.flush();
        std::future::pending::<()>().await
    });
}

/// A relay running in a child process.
pub struct ChildRelay {
    pub addr: SocketAddr,
    child: Child,
}

impl ChildRelay {
    /// Starts this binary as `--serve-child` and waits for its address.
    pub fn start(model_base_url: &str) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
        let mut child = Command::new(exe)
            .arg("--serve-child")
            .arg(model_base_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("spawn child relay: {e}"))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|a| a.parse().ok());
        match (read, addr) {
            (Ok(_), Some(addr)) => Ok(Self { addr, child }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("child relay did not start: {line:?}"))
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildRelay {
    fn drop(&mut self) {
        // Closing stdin ends the child; kill it too in case it is stuck.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
