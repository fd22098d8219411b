//! The benchmark's fake OpenAI-compatible model: a hand-written HTTP/1.1 server on
//! loopback that streams real chat-completion chunks (`data: {…"delta":{"content":…}}`
//! … `data: [DONE]`) with chunked encoding. Each request carries its own [`Plan`] inside
//! the contract text, so one server serves every scenario. Paced tokens carry their send
//! time (nanoseconds on the shared clock) as their text, and every socket's read side is
//! watched so the moment a client hangs up is recorded.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream, tcp::OwnedWriteHalf},
    sync::Notify,
    time::MissedTickBehavior,
};

use crate::util::{instant_of, now_ns, ns_of};

/// What the model does for one request; sent inside the contract text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Names the stream, e.g. to find its hang-up time.
    pub id: u64,
    /// Content tokens to send.
    pub tokens: u64,
    /// Pause between tokens in µs; 0 sends fixed words as fast as the socket takes them.
    pub gap_us: u64,
    /// Shared-clock time of the first paced token; 0 starts at once.
    pub start_ns: u64,
    /// After the tokens, send nothing more and keep the connection open.
    pub hang: bool,
}

const MARK: &[u8] = b"@@bench ";

impl Plan {
    /// A contract whose text tells the fake model this plan.
    pub fn contract(&self) -> String {
        format!(
            "// @@bench id={} n={} gap_us={} start_ns={} hang={}@@\ncontract Bench {{}}\n",
            self.id, self.tokens, self.gap_us, self.start_ns, self.hang as u8
        )
    }

    /// Finds the plan in a request body (the relay's prompt or our direct request).
    fn find(body: &[u8]) -> Option<Self> {
        let at = body.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
        let rest = &body[at..];
        let end = rest.windows(2).position(|w| w == b"@@")?;
        let mut plan = Plan::default();
        for pair in std::str::from_utf8(&rest[..end]).ok()?.split_whitespace() {
            let (k, v) = pair.split_once('=')?;
            let v: u64 = v.parse().ok()?;
            match k {
                "id" => plan.id = v,
                "n" => plan.tokens = v,
                "gap_us" => plan.gap_us = v,
                "start_ns" => plan.start_ns = v,
                "hang" => plan.hang = v != 0,
                _ => return None,
            }
        }
        Some(plan)
    }
}

#[derive(Default)]
struct Shared {
    /// Stream id → shared-clock time its client hung up (read side hit EOF).
    closes: Mutex<HashMap<u64, u64>>,
    closed: Notify,
    /// Connections whose response has started and not yet ended.
    open: AtomicUsize,
    /// Largest lateness of a paced token against its schedule, in ns.
    max_lag_ns: AtomicU64,
}

/// A running fake model; its accept loop stops when this is dropped.
pub struct Model {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Model {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Model {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind model");
        let addr = listener.local_addr().expect("model address");
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn({
            let shared = shared.clone();
            async move {
                while let Ok((sock, _)) = listener.accept().await {
                    tokio::spawn(serve(sock, shared.clone()));
                }
            }
        });
        Self { addr, shared, task }
    }

    /// The base URL the relay is configured with.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn open_responses(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }

    /// Returns and resets the largest schedule lag of paced tokens so far.
    pub fn take_max_lag_ns(&self) -> u64 {
        self.shared.max_lag_ns.swap(0, Ordering::SeqCst)
    }

    /// When the client of stream `id` hung up, waiting up to `limit` for it.
    pub async fn hang_up_time(&self, id: u64, limit: Duration) -> Option<u64> {
        let wait = async {
            loop {
                let notified = self.shared.closed.notified();
                if let Some(t) = self.shared.closes.lock().unwrap().remove(&id) {
                    return t;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.ok()
    }
}

async fn serve(sock: TcpStream, shared: Arc<Shared>) {
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.into_split();
    let Some(plan) = read_plan(&mut rd).await else {
        return;
    };
    shared.open.fetch_add(1, Ordering::SeqCst);
    // The read side is watched the whole time: EOF is the client hanging up.
    let hung_up = async move {
        let mut buf = [0u8; 256];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return now_ns(),
                Ok(_) => {}
            }
        }
    };
    let write = async {
        let finished = respond(&mut wr, &plan, &shared).await.is_ok() && !plan.hang;
        if !finished {
            // Hanging, or the write failed: wait for the hang-up to be seen.
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        at = hung_up => {
            shared.closes.lock().unwrap().insert(plan.id, at);
            shared.closed.notify_waiters();
        }
        () = write => {}
    }
    shared.open.fetch_sub(1, Ordering::SeqCst);
}

/// Reads one request (head and `content-length` body) and finds its plan.
async fn read_plan(rd: &mut tokio::net::tcp::OwnedReadHalf) -> Option<Plan> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = rd.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len.min(1 << 20) {
        let n = rd.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Plan::find(&buf[head_end..])
}

const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
cache-control: no-cache\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";

/// Report-like token texts for the fast mode, already JSON-escaped.
const WORDS: [&str; 10] = [
    "## ", "Re", "entr", "ancy", " in", " `", "withdraw", "()`", " is", ".\\n",
];

/// One chat-completion chunk carrying `content` (JSON-escaped), as OpenAI sends it.
fn push_delta(out: &mut Vec<u8>, content: &str) {
    out.extend_from_slice(
        b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\
\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"",
    );
    out.extend_from_slice(content.as_bytes());
    out.extend_from_slice(b"\"},\"finish_reason\":null}]}\n\n");
}

/// The finish chunk and the `[DONE]` terminator.
fn push_finish(out: &mut Vec<u8>) {
    out.extend_from_slice(
        b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\
\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\
\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
    );
}

/// Writes `payload` as one HTTP chunk with one write call.
async fn write_chunk(
    wr: &mut OwnedWriteHalf,
    frame: &mut Vec<u8>,
    payload: &[u8],
) -> std::io::Result<()> {
    frame.clear();
    frame.extend_from_slice(format!("{:x}\r\n", payload.len()).as_bytes());
    frame.extend_from_slice(payload);
    frame.extend_from_slice(b"\r\n");
    wr.write_all(frame).await
}

/// The response: head, the plan's tokens, then (unless hanging) finish, `[DONE]` and
/// the chunked terminator.
async fn respond(wr: &mut OwnedWriteHalf, plan: &Plan, shared: &Shared) -> std::io::Result<()> {
    wr.write_all(HEAD).await?;
    let mut payload = Vec::with_capacity(20 * 1024);
    let mut frame = Vec::with_capacity(20 * 1024);
    if plan.gap_us == 0 {
        // As fast as possible: ~16 KB writes, each one HTTP chunk of many events.
        let mut sent = 0;
        while sent < plan.tokens {
            payload.clear();
            while payload.len() < 16 * 1024 && sent < plan.tokens {
                push_delta(&mut payload, WORDS[(sent % WORDS.len() as u64) as usize]);
                sent += 1;
            }
            write_chunk(wr, &mut frame, &payload).await?;
        }
    } else {
        let start = instant_of(plan.start_ns).max(std::time::Instant::now());
        let gap = Duration::from_micros(plan.gap_us);
        let mut tick = tokio::time::interval_at(start.into(), gap);
        // Open loop, like a model that keeps generating whatever the reader does.
        tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
        for _ in 0..plan.tokens {
            let due = ns_of(tick.tick().await.into_std());
            let sent_at = now_ns();
            let lag = sent_at.saturating_sub(due);
            shared.max_lag_ns.fetch_max(lag, Ordering::Relaxed);
            payload.clear();
            push_delta(&mut payload, &format!("{sent_at} "));
            write_chunk(wr, &mut frame, &payload).await?;
        }
    }
    if plan.hang {
        return Ok(());
    }
    payload.clear();
    push_finish(&mut payload);
    write_chunk(wr, &mut frame, &payload).await?;
    wr.write_all(b"0\r\n\r\n").await?;
    wr.shutdown().await
}
