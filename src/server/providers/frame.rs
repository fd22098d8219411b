//! What every provider's pure frame parser produces: text deltas, one final `Finish`,
//! or the model's own in-stream error. The relay only ever sees these, whatever the
//! upstream's wire format was. `MalformedCount` sits here too: it is how a parser's
//! skipped frames reach the relay.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

/// One step of a model's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// Report text, exactly as the model produced it. Never empty.
    Delta(String),
    /// The model sent its terminator (`[DONE]`, `"done":true`, `message_stop`). Only one
    /// with a `reason` is a finished answer (see `Finish::reason`).
    Finish(Finish),
}

/// How a model's answer ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Finish {
    /// The provider's own word: `stop`, `length`, `end_turn`, `max_tokens`, `refusal`, …
    /// None when the terminator came without one: the stream was cut off, not finished
    /// (llama-cpp-python ends a stream another request interrupted with a bare `[DONE]`),
    /// and the relay reports it as truncated, for every provider.
    pub reason: Option<String>,
    /// Output tokens, when the provider reports usage.
    pub output_tokens: Option<u64>,
    /// Generation speed, when the provider reports it (Ollama's `eval_count / eval_duration`).
    pub tokens_per_sec: Option<f64>,
}

/// An error the model reported inside an otherwise healthy stream.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UpstreamError {
    /// The provider's error type or code (`overloaded_error`, `server_error`, `400`), if given.
    pub kind: Option<String>,
    pub message: String,
}

impl UpstreamError {
    /// The model's error from whatever it gave: its message, else its kind, else
    /// `fallback`. Empty strings count as absent.
    pub fn with_fallback(kind: Option<String>, message: Option<String>, fallback: &str) -> Self {
        let kind = kind.filter(|k| !k.is_empty());
        let message = message
            .filter(|m| !m.is_empty())
            .or_else(|| kind.clone())
            .unwrap_or_else(|| fallback.to_owned());
        Self { kind, message }
    }

    /// `with_fallback` with the usual last resort, "upstream error".
    pub fn new(kind: Option<String>, message: Option<String>) -> Self {
        Self::with_fallback(kind, message, "upstream error")
    }
}

/// A parser step: the frames one input produced, or the model's in-stream error.
pub type FrameResult = Result<Vec<Frame>, UpstreamError>;

/// A parser for providers that speak SSE (OpenAI-compatible, Anthropic): one decoded
/// event in, frames out. Pure: no IO, no clocks.
pub trait EventParser: Send {
    fn on_event(&mut self, event: &crate::sse::Event) -> FrameResult;
    /// Inputs skipped because they were not the JSON the provider documents.
    fn malformed(&self) -> u64;
}

/// A provider's parser, by how its body is framed.
pub enum Parser {
    /// Server-sent events (OpenAI-compatible, Anthropic).
    Events(Box<dyn EventParser>),
    /// Newline-delimited JSON (Ollama's native API).
    Lines(Box<dyn LineParser>),
}

/// A parser for providers that speak NDJSON (Ollama's native API): one line in
/// (without its line end), frames out. Pure: no IO, no clocks.
pub trait LineParser: Send {
    fn on_line(&mut self, line: &str) -> FrameResult;
    /// Lines skipped because they were not the JSON the provider documents.
    fn malformed(&self) -> u64;
}

/// How many model frames the parser skipped as malformed so far. The policy is
/// skip-and-count: a frame that is not the provider's documented JSON never ends a
/// report; the relay reports the count when the report ends.
#[derive(Clone, Debug, Default)]
pub struct MalformedCount(Arc<AtomicU64>);

impl MalformedCount {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    pub(super) fn set(&self, n: u64) {
        self.0.store(n, Ordering::Relaxed);
    }
}
