//! The benchmark's client: opens a report stream either through the relay
//! (`POST /api/report`) or straight at the fake model (the no-relay baseline), and reads
//! it with reqwest's byte stream and `auditstream::sse::Decoder`, stamping every chunk
//! with its receive time on the shared clock.

use std::{borrow::Cow, collections::VecDeque, net::SocketAddr, pin::Pin};

use auditstream::sse;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;

use crate::{model::Plan, util::now_ns};

/// Where a stream is opened.
#[derive(Clone, Copy, Debug)]
pub enum Via {
    /// The app's `POST /api/report`, which relays the fake model.
    Relay(SocketAddr),
    /// The fake model itself, as the relay would call it: the baseline.
    Direct(SocketAddr),
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("bench HTTP client")
}

/// Opens a stream carrying `plan`; `Err` says why it did not start.
pub async fn open(client: &reqwest::Client, via: Via, plan: &Plan) -> Result<Reader, String> {
    let request = match via {
        Via::Relay(addr) => client
            .post(format!("http://{addr}/api/report"))
            .json(&serde_json::json!({ "contract": plan.contract(), "filename": "Bench.sol" })),
        Via::Direct(addr) => client
            .post(format!("http://{addr}/v1/chat/completions"))
            .json(&serde_json::json!({
                "model": "bench",
                "stream": true,
                "messages": [{ "role": "user", "content": plan.contract() }],
            })),
    };
    let resp = request.send().await.map_err(|e| format!("send: {e}"))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        return Err(format!("HTTP {status}: {body}"));
    }
    Ok(Reader {
        body: Box::pin(resp.bytes_stream()),
        decoder: sse::Decoder::new(),
        relay: matches!(via, Via::Relay(_)),
        ready: VecDeque::new(),
    })
}

/// One thing read from a stream.
#[derive(Debug)]
pub enum Item {
    /// A content token: when its chunk arrived and, for paced tokens, when it was sent.
    Token { recv_ns: u64, sent_ns: Option<u64> },
    /// The stream's successful end (`done`, or `[DONE]` from the model).
    Done,
    /// An `error` event, a broken body, or an end without a terminator.
    Failed(String),
}

/// An open stream being read.
pub struct Reader {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    decoder: sse::Decoder,
    relay: bool,
    ready: VecDeque<Item>,
}

#[derive(Deserialize)]
struct RelayToken<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(borrow)]
    choices: Vec<Choice<'a>>,
}

#[derive(Deserialize)]
struct Choice<'a> {
    #[serde(borrow)]
    delta: Delta<'a>,
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(borrow, default)]
    content: Option<Cow<'a, str>>,
}

/// The send time a paced token carries as its leading digits.
fn stamp(text: &str) -> Option<u64> {
    text.split(' ').next()?.parse().ok()
}

impl Reader {
    /// The next item; `None` only after a `Done` or `Failed` was returned.
    pub async fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            let chunk = match self.body.next().await {
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => return Some(Item::Failed(format!("body: {e}"))),
                None => return None,
            };
            let recv_ns = now_ns();
            for ev in self.decoder.push(&chunk) {
                if let Some(item) = self.classify(&ev, recv_ns) {
                    self.ready.push_back(item);
                }
            }
        }
    }

    fn classify(&self, ev: &sse::Event, recv_ns: u64) -> Option<Item> {
        let bad = |e: serde_json::Error| Item::Failed(format!("bad event data: {e}"));
        if self.relay {
            match ev.event.as_str() {
                "token" => Some(match serde_json::from_str::<RelayToken>(&ev.data) {
                    Ok(t) => Item::Token {
                        recv_ns,
                        sent_ns: stamp(&t.text),
                    },
                    Err(e) => bad(e),
                }),
                "done" => Some(Item::Done),
                "error" => Some(Item::Failed(format!("error event: {}", ev.data))),
                _ => None,
            }
        } else if ev.data == "[DONE]" {
            Some(Item::Done)
        } else {
            match serde_json::from_str::<Chunk>(&ev.data) {
                Ok(c) => {
                    let text = c.choices.into_iter().next()?.delta.content?;
                    Some(Item::Token {
                        recv_ns,
                        sent_ns: stamp(&text),
                    })
                }
                Err(e) => Some(bad(e)),
            }
        }
    }

    /// Reads to the end; returns (token count, per-token delays in ns, error if any).
    pub async fn drain(mut self) -> (u64, Vec<u64>, Option<String>) {
        let (mut tokens, mut delays) = (0, Vec::new());
        loop {
            match self.next().await {
                Some(Item::Token { recv_ns, sent_ns }) => {
                    tokens += 1;
                    if let Some(sent) = sent_ns {
                        delays.push(recv_ns.saturating_sub(sent));
                    }
                }
                Some(Item::Done) => return (tokens, delays, None),
                Some(Item::Failed(e)) => return (tokens, delays, Some(e)),
                None => return (tokens, delays, Some("ended without a terminator".into())),
            }
        }
    }

    /// Reads until `n` tokens arrived; `false` if the stream ended or failed first.
    pub async fn skip_tokens(&mut self, n: u64) -> bool {
        let mut seen = 0;
        while seen < n {
            match self.next().await {
                Some(Item::Token { .. }) => seen += 1,
                _ => return false,
            }
        }
        true
    }
}
