//! The benchmark's client: opens a report stream either through the relay
//! (`POST /api/report`, read with the crate's one `ReportDecoder` through
//! `protocol::decode_body`) or straight at the fake model (the no-relay baseline, the
//! model's own OpenAI SSE through `sse::Decoder`), stamping every chunk with its receive
//! time on the shared clock.

use std::{borrow::Cow, collections::VecDeque, net::SocketAddr, pin::Pin};

use auditstream::{
    protocol::{BodyError, DecodedEvent, ReportEvent, decode_body},
    sse,
};
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
    let source = match via {
        Via::Relay(_) => Source::Relay(Box::pin(decode_body(resp.bytes_stream()))),
        Via::Direct(_) => Source::Direct {
            body: Box::pin(resp.bytes_stream()),
            decoder: sse::Decoder::new(),
        },
    };
    Ok(Reader {
        source,
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
    source: Source,
    ready: VecDeque<Item>,
}

type Events =
    Pin<Box<dyn Stream<Item = Result<Vec<DecodedEvent>, BodyError<reqwest::Error>>> + Send>>;

/// Where the bytes come from and how they are read.
enum Source {
    /// Our event stream, decoded chunk by chunk.
    Relay(Events),
    /// The model's OpenAI stream, read as the relay's provider would.
    Direct {
        body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
        decoder: sse::Decoder,
    },
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

/// One event of our stream as a bench item; `meta` is not one.
fn relay_item(decoded: DecodedEvent, recv_ns: u64) -> Option<Item> {
    match decoded.event {
        ReportEvent::Token(t) => Some(Item::Token {
            recv_ns,
            sent_ns: stamp(&t.text),
        }),
        ReportEvent::Done(_) => Some(Item::Done),
        ReportEvent::Error(e) => Some(Item::Failed(format!(
            "error event: {} {}",
            e.code.as_str(),
            e.message
        ))),
        ReportEvent::Meta(_) | ReportEvent::Finding(_) | ReportEvent::Snapshot(_) => None,
    }
}

/// One event of the model's own OpenAI stream as a bench item.
fn direct_item(ev: &sse::Event, recv_ns: u64) -> Option<Item> {
    if ev.data == "[DONE]" {
        return Some(Item::Done);
    }
    match serde_json::from_str::<Chunk>(&ev.data) {
        Ok(c) => {
            let text = c.choices.into_iter().next()?.delta.content?;
            Some(Item::Token {
                recv_ns,
                sent_ns: stamp(&text),
            })
        }
        Err(e) => Some(Item::Failed(format!("bad event data: {e}"))),
    }
}

impl Reader {
    /// The next item; `None` only after a `Done` or `Failed` was returned.
    pub async fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            match &mut self.source {
                Source::Relay(events) => {
                    let events = match events.next().await? {
                        Ok(events) => events,
                        Err(e) => return Some(Item::Failed(format!("body: {e}"))),
                    };
                    let recv_ns = now_ns();
                    self.ready
                        .extend(events.into_iter().filter_map(|e| relay_item(e, recv_ns)));
                }
                Source::Direct { body, decoder } => {
                    let chunk = match body.next().await? {
                        Ok(chunk) => chunk,
                        Err(e) => return Some(Item::Failed(format!("body: {e}"))),
                    };
                    let recv_ns = now_ns();
                    for ev in decoder.push(&chunk) {
                        self.ready.extend(direct_item(&ev, recv_ns));
                    }
                }
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
