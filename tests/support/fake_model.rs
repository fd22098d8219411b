//! The one fake model server, shared by the integration tests and the relay benchmark
//! (which includes this file by path). It speaks HTTP/1.1 by hand on a real loopback
//! port so the caller controls every byte and every write boundary (split mid-line,
//! mid-UTF-8), whatever the wire format: OpenAI or Anthropic SSE, Ollama NDJSON, or
//! garbage. It watches each socket's read side, so it knows the moment a client hangs
//! up, and it counts the bytes it managed to write, so a test can see backpressure:
//! once the client stops reading, the writes block and the count stops.

use std::{
    fmt,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpSocket, TcpStream, tcp::OwnedWriteHalf},
    sync::Notify,
    time::MissedTickBehavior,
};

/// Largest request head read; a longer one is not a request this server answers.
const MAX_HEAD: usize = 64 * 1024;

/// One step of a scripted response body.
#[derive(Clone, Debug)]
pub enum Step {
    /// Write these bytes as one HTTP chunk and flush.
    Send(Vec<u8>),
    /// Write these bytes as one HTTP chunk, this many times over (a long stream that
    /// costs no memory up front).
    Repeat(Vec<u8>, usize),
    /// Chunks on a clock, like a model generating at its own pace.
    Paced(Paced),
    /// Wait before the next step.
    Pause(Duration),
    /// Send nothing more, and keep the connection open until the client leaves.
    Hang,
    /// Close the connection abruptly, without the chunked terminator.
    Cut,
}

/// `count` chunks, one every `every` from `start` (or from when the step begins,
/// whichever is later). Open loop: a tick missed while a write blocked is sent at once,
/// and its lateness is recorded (`FakeModel::take_max_lag`). Each chunk is made by
/// `chunk` at the moment it is written, from that moment, so it can carry its own
/// send time.
#[derive(Clone)]
pub struct Paced {
    pub start: Option<Instant>,
    pub every: Duration,
    pub count: u64,
    pub chunk: Arc<dyn Fn(Instant) -> Vec<u8> + Send + Sync>,
}

impl fmt::Debug for Paced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paced")
            .field("start", &self.start)
            .field("every", &self.every)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

/// What the fake server answers to a request.
#[derive(Clone, Debug)]
pub struct Script {
    pub status: u16,
    pub content_type: &'static str,
    pub steps: Vec<Step>,
    /// Accept the connection but never answer with headers.
    pub no_headers: bool,
}

impl Script {
    pub fn stream(content_type: &'static str, steps: Vec<Step>) -> Self {
        Self {
            status: 200,
            content_type,
            steps,
            no_headers: false,
        }
    }
    pub fn error(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "application/json",
            steps: vec![Step::Send(body.as_bytes().to_vec())],
            no_headers: false,
        }
    }
}

/// A request the fake server received.
#[derive(Clone, Debug)]
pub struct ModelRequest {
    pub head: String,
    pub body: serde_json::Value,
}

/// Decides the answer to each request.
type Responder = dyn Fn(&ModelRequest) -> Script + Send + Sync;

#[derive(Default)]
struct Shared {
    open: AtomicUsize,
    closed: AtomicUsize,
    /// Response bytes written so far, over every connection.
    written: AtomicU64,
    /// Largest lateness of a paced chunk against its schedule, in ns.
    max_lag_ns: AtomicU64,
    changed: Notify,
    received: Mutex<Vec<ModelRequest>>,
    /// Each client that hung up before its response ended: its request and when its
    /// EOF was seen.
    hang_ups: Mutex<Vec<(ModelRequest, Instant)>>,
}

/// A running fake model; its accept loop stops when this is dropped.
pub struct FakeModel {
    pub addr: std::net::SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeModel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeModel {
    /// Answers every request with `script`.
    pub async fn start(script: Script) -> Self {
        Self::start_with(script, None).await
    }

    /// Like `start`, with the kernel send buffer of every accepted socket fixed at
    /// `send_buffer` bytes (inherited from the listener), so backpressure shows sooner.
    pub async fn start_with(script: Script, send_buffer: Option<u32>) -> Self {
        Self::respond_with(send_buffer, move |_| script.clone()).await
    }

    /// Answers each request with the script `respond` makes for it.
    pub async fn respond_with(
        send_buffer: Option<u32>,
        respond: impl Fn(&ModelRequest) -> Script + Send + Sync + 'static,
    ) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        if let Some(bytes) = send_buffer {
            socket.set_send_buffer_size(bytes).unwrap();
        }
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener: TcpListener = socket.listen(1024).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let respond: Arc<Responder> = Arc::new(respond);
        let task = tokio::spawn({
            let shared = shared.clone();
            async move {
                while let Ok((sock, _)) = listener.accept().await {
                    shared.open.fetch_add(1, Ordering::SeqCst);
                    shared.changed.notify_waiters();
                    tokio::spawn(serve(sock, respond.clone(), shared.clone()));
                }
            }
        });
        Self { addr, shared, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections currently open.
    pub fn open_connections(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }

    pub fn closed_connections(&self) -> usize {
        self.shared.closed.load(Ordering::SeqCst)
    }

    /// Response bytes (head and body) written to clients so far.
    pub fn bytes_written(&self) -> u64 {
        self.shared.written.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<ModelRequest> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Returns and resets the largest lateness of a paced chunk so far.
    pub fn take_max_lag(&self) -> Duration {
        Duration::from_nanos(self.shared.max_lag_ns.swap(0, Ordering::SeqCst))
    }

    /// When the client of the first request matching `which` hung up (left before its
    /// response ended), waiting up to `limit` for it; that hang-up is then forgotten.
    pub async fn hang_up(
        &self,
        limit: Duration,
        which: impl Fn(&ModelRequest) -> bool,
    ) -> Option<Instant> {
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                {
                    let mut hang_ups = self.shared.hang_ups.lock().unwrap();
                    if let Some(i) = hang_ups.iter().position(|(r, _)| which(r)) {
                        return hang_ups.swap_remove(i).1;
                    }
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.ok()
    }

    /// Waits until `n` requests have been read in full, or panics after `limit`.
    pub async fn wait_requests(&self, limit: Duration, n: usize) {
        let result = tokio::time::timeout(limit, async {
            loop {
                let notified = self.shared.changed.notified();
                if self.received().len() >= n {
                    return;
                }
                notified.await;
            }
        })
        .await;
        assert!(
            result.is_ok(),
            "fake model: {} requests, not {n}, after {limit:?}",
            self.received().len()
        );
    }

    /// Waits until `pred` holds for (open, closed) connection counts, or panics after `limit`.
    pub async fn wait_for(&self, limit: Duration, what: &str, pred: impl Fn(usize, usize) -> bool) {
        let result = tokio::time::timeout(limit, async {
            loop {
                let notified = self.shared.changed.notified();
                if pred(self.open_connections(), self.closed_connections()) {
                    return;
                }
                notified.await;
            }
        })
        .await;
        assert!(
            result.is_ok(),
            "fake model: timed out after {limit:?} waiting for {what} (open {}, closed {})",
            self.open_connections(),
            self.closed_connections()
        );
    }
}

async fn serve(mut sock: TcpStream, respond: Arc<Responder>, shared: Arc<Shared>) {
    // Every write leaves at once, so the script's write boundaries are what the client sees.
    let _ = sock.set_nodelay(true);
    if let Some(req) = read_request(&mut sock).await {
        let script = respond(&req);
        shared.received.lock().unwrap().push(req.clone());
        shared.changed.notify_waiters();
        let (mut rd, mut wr) = sock.into_split();
        // The read side tells us when the client hangs up.
        let hung_up = async move {
            let mut buf = [0u8; 512];
            loop {
                match rd.read(&mut buf).await {
                    Ok(0) | Err(_) => return Instant::now(),
                    Ok(_) => {}
                }
            }
        };
        // Set once the whole response (terminator included) or a `Cut` went out.
        let ended = std::sync::atomic::AtomicBool::new(false);
        let write = async {
            if !script.no_headers {
                let end = write_response(&mut wr, &script, &shared).await;
                ended.store(matches!(end, Ok(End::Complete)), Ordering::SeqCst);
            }
            // Done or failed, the connection stays until the client leaves.
            std::future::pending::<()>().await
        };
        tokio::select! {
            at = hung_up => {
                if !ended.load(Ordering::SeqCst) {
                    shared.hang_ups.lock().unwrap().push((req, at));
                }
            }
            () = write => {}
        }
    }
    shared.open.fetch_sub(1, Ordering::SeqCst);
    shared.closed.fetch_add(1, Ordering::SeqCst);
    shared.changed.notify_waiters();
}

/// How a scripted response ended on our side.
enum End {
    /// Everything was sent (terminator or `Cut`): a client that leaves now did not hang up.
    Complete,
    /// `Hang`: the response is still open.
    Hanging,
}

/// Writes the scripted response.
async fn write_response(
    wr: &mut OwnedWriteHalf,
    script: &Script,
    shared: &Shared,
) -> std::io::Result<End> {
    // One response per connection, said out loud, so the relay's client never reuses a
    // connection this server is about to close.
    let head = format!(
        "HTTP/1.1 {} X\r\ncontent-type: {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        script.status, script.content_type
    );
    wr.write_all(head.as_bytes()).await?;
    wr.flush().await?;
    shared
        .written
        .fetch_add(head.len() as u64, Ordering::SeqCst);
    let mut frame = Vec::new();
    for step in &script.steps {
        match step {
            Step::Send(bytes) => send_chunk(wr, &mut frame, bytes, shared).await?,
            Step::Repeat(bytes, times) => {
                for _ in 0..*times {
                    send_chunk(wr, &mut frame, bytes, shared).await?;
                }
            }
            Step::Paced(paced) => send_paced(wr, &mut frame, paced, shared).await?,
            Step::Pause(d) => tokio::time::sleep(*d).await,
            Step::Hang => return Ok(End::Hanging),
            Step::Cut => {
                wr.shutdown().await?;
                return Ok(End::Complete);
            }
        }
    }
    wr.write_all(b"0\r\n\r\n").await?;
    wr.flush().await?;
    wr.shutdown().await?;
    Ok(End::Complete)
}

async fn send_paced(
    wr: &mut OwnedWriteHalf,
    frame: &mut Vec<u8>,
    paced: &Paced,
    shared: &Shared,
) -> std::io::Result<()> {
    let start = paced
        .start
        .map_or_else(Instant::now, |s| s.max(Instant::now()));
    let mut tick = tokio::time::interval_at(start.into(), paced.every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    for _ in 0..paced.count {
        let due = tick.tick().await.into_std();
        let now = Instant::now();
        let lag = u64::try_from(now.saturating_duration_since(due).as_nanos()).unwrap_or(u64::MAX);
        shared.max_lag_ns.fetch_max(lag, Ordering::Relaxed);
        send_chunk(wr, frame, &(paced.chunk)(now), shared).await?;
    }
    Ok(())
}

/// One HTTP chunk in one write, flushed; counted once the kernel has taken all of it.
async fn send_chunk(
    wr: &mut OwnedWriteHalf,
    frame: &mut Vec<u8>,
    bytes: &[u8],
    shared: &Shared,
) -> std::io::Result<()> {
    frame.clear();
    frame.extend_from_slice(format!("{:x}\r\n", bytes.len()).as_bytes());
    frame.extend_from_slice(bytes);
    frame.extend_from_slice(b"\r\n");
    wr.write_all(frame).await?;
    wr.flush().await?;
    shared
        .written
        .fetch_add(frame.len() as u64, Ordering::SeqCst);
    Ok(())
}

async fn read_request(sock: &mut TcpStream) -> Option<ModelRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + len]).unwrap_or_default();
    Some(ModelRequest { head, body })
}

/// OpenAI chat-completions chunk bytes for one content delta.
pub fn openai_delta(text: &str) -> Vec<u8> {
    let chunk = serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]
    });
    format!("data: {chunk}\n\n").into_bytes()
}

/// The finish chunk, the usage chunk and `[DONE]`, as OpenAI sends them.
pub fn openai_finish(reason: &str, completion_tokens: u64) -> Vec<u8> {
    let fin = serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]
    });
    let usage = serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": completion_tokens, "total_tokens": 10 + completion_tokens}
    });
    format!("data: {fin}\n\ndata: {usage}\n\ndata: [DONE]\n\n").into_bytes()
}
