//! A fake model server on a real loopback port. It speaks HTTP/1.1 by hand so a test
//! controls every byte and every write boundary (split mid-line, mid-UTF-8), and it
//! watches each socket's read side so it knows the moment a client hangs up. It counts
//! the bytes it managed to write, so a test can see backpressure: once the client stops
//! reading, the writes block and the count stops.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpSocket, TcpStream},
    sync::Notify,
};

/// One step of a scripted response body.
#[derive(Clone, Debug)]
pub enum Step {
    /// Write these bytes as one HTTP chunk and flush.
    Send(Vec<u8>),
    /// Write these bytes as one HTTP chunk, this many times over (a long stream that
    /// costs no memory up front).
    Repeat(Vec<u8>, usize),
    /// Wait before the next step.
    Pause(Duration),
    /// Send nothing more, and keep the connection open until the client leaves.
    Hang,
    /// Close the connection abruptly, without the chunked terminator.
    Cut,
}

/// What the fake server answers to every request.
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

#[derive(Default)]
struct Shared {
    open: AtomicUsize,
    closed: AtomicUsize,
    /// Response bytes written so far, over every connection.
    written: AtomicU64,
    changed: Notify,
    received: Mutex<Vec<ModelRequest>>,
}

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
    pub async fn start(script: Script) -> Self {
        Self::start_with(script, None).await
    }

    /// Like `start`, with the kernel send buffer of every accepted socket fixed at
    /// `send_buffer` bytes (inherited from the listener), so backpressure shows sooner.
    pub async fn start_with(script: Script, send_buffer: Option<u32>) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        if let Some(bytes) = send_buffer {
            socket.set_send_buffer_size(bytes).unwrap();
        }
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener: TcpListener = socket.listen(1024).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn({
            let shared = shared.clone();
            async move {
                while let Ok((sock, _)) = listener.accept().await {
                    shared.open.fetch_add(1, Ordering::SeqCst);
                    shared.changed.notify_waiters();
                    tokio::spawn(serve(sock, script.clone(), shared.clone()));
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

async fn serve(mut sock: TcpStream, script: Script, shared: Arc<Shared>) {
    if let Some(req) = read_request(&mut sock).await {
        shared.received.lock().unwrap().push(req);
        let (mut rd, mut wr) = sock.into_split();
        // The read side tells us when the client hangs up.
        let hung_up = async move {
            let mut buf = [0u8; 512];
            loop {
                match rd.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        let write = async {
            if script.no_headers {
                return std::future::pending::<()>().await;
            }
            let _ = respond(&mut wr, &script, &shared.written).await;
            std::future::pending::<()>().await
        };
        tokio::select! { () = hung_up => {}, () = write => {} }
    }
    shared.open.fetch_sub(1, Ordering::SeqCst);
    shared.closed.fetch_add(1, Ordering::SeqCst);
    shared.changed.notify_waiters();
}

/// Writes the scripted response; returns (never completing the future) once done.
async fn respond(
    wr: &mut tokio::net::tcp::OwnedWriteHalf,
    script: &Script,
    written: &AtomicU64,
) -> std::io::Result<()> {
    // One response per connection, said out loud, so the relay's client never reuses a
    // connection this server is about to close.
    let head = format!(
        "HTTP/1.1 {} X\r\ncontent-type: {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        script.status, script.content_type
    );
    wr.write_all(head.as_bytes()).await?;
    wr.flush().await?;
    written.fetch_add(head.len() as u64, Ordering::SeqCst);
    for step in &script.steps {
        match step {
            Step::Send(bytes) => send_chunk(wr, bytes, written).await?,
            Step::Repeat(bytes, times) => {
                for _ in 0..*times {
                    send_chunk(wr, bytes, written).await?;
                }
            }
            Step::Pause(d) => tokio::time::sleep(*d).await,
            Step::Hang => return Ok(()),
            Step::Cut => {
                wr.shutdown().await?;
                return Ok(());
            }
        }
    }
    wr.write_all(b"0\r\n\r\n").await?;
    wr.flush().await?;
    wr.shutdown().await
}

/// One HTTP chunk, flushed; counted once the kernel has taken all of it.
async fn send_chunk(
    wr: &mut tokio::net::tcp::OwnedWriteHalf,
    bytes: &[u8],
    written: &AtomicU64,
) -> std::io::Result<()> {
    let mut chunk = format!("{:x}\r\n", bytes.len()).into_bytes();
    chunk.extend_from_slice(bytes);
    chunk.extend_from_slice(b"\r\n");
    wr.write_all(&chunk).await?;
    wr.flush().await?;
    written.fetch_add(chunk.len() as u64, Ordering::SeqCst);
    Ok(())
}

async fn read_request(sock: &mut TcpStream) -> Option<ModelRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
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
