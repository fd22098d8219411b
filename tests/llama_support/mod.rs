//! A real model server for the tests that need one (issue 21): llama-cpp-python's
//! OpenAI-compatible server, as `scripts/model-server/install.sh` installs it, serving the
//! tiny model `scripts/model-server/tiny_model.py` writes, on a free loopback port, killed
//! on drop. Also the one way these tests tell that it stopped generating: its process CPU
//! time (`/proc/<pid>/stat`) stops growing.
//!
//! `scripts/test.sh` sets `AUDITSTREAM_TEST_LLAMA_PYTHON` to the venv's python. Without
//! it a test is skipped with a notice, unless `CI` is set, where it fails.
#![allow(dead_code)]

use std::{
    io::Read,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The repository's `scripts/model-server`.
pub fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/model-server")
}

/// The model server's python, or `None` (after a notice) when it is not installed
/// outside CI.
pub fn python() -> Option<PathBuf> {
    let Some(path) = std::env::var_os("AUDITSTREAM_TEST_LLAMA_PYTHON").filter(|p| !p.is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "AUDITSTREAM_TEST_LLAMA_PYTHON is not set: scripts/test.sh installs the model \
             server (scripts/model-server/install.sh) and sets it"
        );
        eprintln!(
            "SKIPPED: real model server tests (llama-cpp-python is not installed: run \
             scripts/model-server/install.sh and set AUDITSTREAM_TEST_LLAMA_PYTHON to the \
             python it prints, or run scripts/test.sh)"
        );
        return None;
    };
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "AUDITSTREAM_TEST_LLAMA_PYTHON={} is not a file",
        path.display()
    );
    Some(path)
}

/// Runs the model builder: the tiny GGUF at `out`.
pub fn write_tiny_model(python: &Path, out: &Path) {
    let status = Command::new(python)
        .arg(scripts().join("tiny_model.py"))
        .arg(out)
        .status()
        .expect("the model builder runs");
    assert!(status.success(), "tiny_model.py failed: {status}");
}

/// A running `python -m llama_cpp.server`. Dropping it kills the process.
pub struct LlamaServer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// The model id the server lists (`--model_alias` in `serve.sh`).
pub const MODEL_ALIAS: &str = "tiny-llama";

impl LlamaServer {
    /// Writes the tiny model and serves it with a context of `n_ctx` tokens; returns once
    /// `/v1/models` answers.
    pub async fn start(python: &Path, n_ctx: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("tiny.gguf");
        write_tiny_model(python, &model);
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(scripts().join("serve.sh"))
            .arg(port.to_string())
            .env("AUDITSTREAM_MODEL_SERVER_PYTHON", python)
            .env("AUDITSTREAM_MODEL_SERVER_MODEL", &model)
            .env("AUDITSTREAM_MODEL_SERVER_N_CTX", n_ctx.to_string())
            // Its log is read while it runs.
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("serve.sh starts");
        let mut server = Self { child, port, dir };
        server.wait_ready(Duration::from_secs(120)).await;
        server
    }

    /// `http://127.0.0.1:PORT/v1`, the base URL auditstream is given.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// The server process (serve.sh execs python, so it is the child itself).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(self.dir.path().join("server.log")) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    async fn wait_ready(&mut self, limit: Duration) {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let url = format!("{}/models", self.base_url());
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the model server exited ({status}):\n{}", self.log());
            }
            if let Ok(r) = client.get(&url).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the model server did not answer within {limit:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server's CPU time so far (user + system).
    pub fn cpu(&self) -> Duration {
        cpu_time(self.pid())
    }

    /// Waits until `needle` shows in the server's log, or panics after `limit`.
    pub async fn logged(&self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "{needle:?} not logged within {limit:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the server has used no CPU for `quiet`, or panics after `limit`.
    /// Returns how long after `since` it went on working, at most: from `since` to the
    /// last poll that saw its CPU time grow, plus one kernel tick (CPU time is counted
    /// in ticks of 1/`CLK_TCK` s, 10 ms here), so the figure is an upper bound with
    /// that resolution. Polls every 10 ms.
    pub async fn idle_after(&self, since: Instant, quiet: Duration, limit: Duration) -> Duration {
        let mut last = self.cpu();
        let mut last_change = since;
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let now = self.cpu();
            if now != last {
                (last, last_change) = (now, Instant::now());
            }
            if last_change.elapsed() >= quiet {
                return last_change.saturating_duration_since(since) + tick();
            }
            assert!(
                since.elapsed() < limit,
                "the model server still uses CPU {limit:?} after the request ended:\n{}",
                self.log()
            );
        }
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One kernel clock tick, the resolution of `/proc` CPU times.
pub fn tick() -> Duration {
    // SAFETY: sysconf has no preconditions.
    let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Duration::from_secs_f64(1.0 / per_sec as f64)
}

/// User plus system CPU time of `pid` (all its threads), from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // The command name is in parentheses and may hold spaces: count fields after it.
    let rest = &stat[stat.rfind(')').expect("(comm)") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the whole line (utime, stime) are 12 and 13 after `comm`.
    let ticks: u32 = fields[11].parse::<u32>().unwrap() + fields[12].parse::<u32>().unwrap();
    tick() * ticks
}
