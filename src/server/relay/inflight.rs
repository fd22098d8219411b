//! One report stream in flight: it lives inside the response stream, so however that
//! stream ends (done, error, client gone, shutdown, panic) its drop gives the stream
//! slot back, settles the active gauge, and records the outcome and the span exactly once,
//! and ends the report's history row with the matching status and its partial text.

use std::{sync::Arc, time::Instant};

use tokio::sync::OwnedSemaphorePermit;

use super::decision::{StreamProgress, millis};
use crate::history::ReportStatus;
use crate::protocol::{FindingCheck, StreamErrorCode};
use crate::server::{
    metrics::{Finished, Metrics, Outcome},
    providers::MalformedCount,
    store::writer::{Ending, Recording},
};

/// One report stream in flight. It lives inside the response stream, so however that
/// stream ends (done, error, client gone, shutdown, panic) its drop gives the slot
/// back, settles the gauge and records the outcome exactly once.
pub(super) struct InFlight {
    pub(super) slot: Option<OwnedSemaphorePermit>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) span: tracing::Span,
    pub(super) started: Instant,
    pub(super) malformed: MalformedCount,
    pub(super) tokens: u64,
    pub(super) first_token: Option<Instant>,
    /// Set when the stream reaches its terminal event; `None` at drop means the client left.
    pub(super) end: Option<(Outcome, String)>,
    /// The token count the `done` event gave.
    pub(super) output_tokens: Option<u64>,
    /// The duration the `done` event gave, so the stored report says exactly what the
    /// reader was told (a clock read again at drop can be a millisecond later).
    pub(super) done_duration_ms: Option<u64>,
    /// The history row being written; `None` when history is off.
    pub(super) recording: Option<Recording>,
    /// The `finding` events sent, for the history row.
    pub(super) checks: Vec<FindingCheck>,
}

impl InFlight {
    pub(super) fn new(
        slot: OwnedSemaphorePermit,
        metrics: Arc<Metrics>,
        span: tracing::Span,
        started: Instant,
        malformed: MalformedCount,
    ) -> Self {
        metrics.stream_started();
        Self {
            slot: Some(slot),
            metrics,
            span,
            started,
            malformed,
            tokens: 0,
            first_token: None,
            end: None,
            output_tokens: None,
            done_duration_ms: None,
            recording: None,
            checks: Vec::new(),
        }
    }

    pub(super) fn token(&mut self, text: &str) {
        if let Some(r) = &mut self.recording {
            r.token(text);
        }
        self.first_token.get_or_insert_with(Instant::now);
        self.tokens += 1;
        self.metrics.token_relayed();
    }

    pub(super) fn ttft(&self) -> Option<std::time::Duration> {
        self.first_token.map(|t| t - self.started)
    }

    /// The stream reached its terminal event: this is the outcome its drop records.
    pub(super) fn ended(&mut self, outcome: Outcome, message: String) {
        self.end = Some((outcome, message));
    }

    /// Where the stream stands now, for the relay's decisions.
    pub(super) fn progress(&self, max_duration: std::time::Duration) -> StreamProgress {
        StreamProgress {
            tokens: self.tokens,
            ttft: self.ttft(),
            elapsed: self.started.elapsed(),
            max_duration,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        drop(self.slot.take());
        let (outcome, message) = self.end.take().unwrap_or_else(|| {
            if std::thread::panicking() {
                (
                    Outcome::Failed(StreamErrorCode::Internal),
                    "the relay panicked".into(),
                )
            } else {
                (Outcome::Stopped, "the client went away".into())
            }
        });
        let (duration, ttft, malformed) =
            (self.started.elapsed(), self.ttft(), self.malformed.get());
        self.metrics.stream_finished(Finished {
            outcome,
            duration,
            ttft,
            malformed,
        });
        if let Some(recording) = self.recording.take() {
            recording.end(Ending {
                status: status_of(outcome),
                ttft_ms: ttft.map(|t| as_i64(millis(t))),
                duration_ms: Some(as_i64(
                    self.done_duration_ms.unwrap_or_else(|| millis(duration)),
                )),
                output_tokens: Some(as_i64(self.output_tokens.unwrap_or(self.tokens))),
                error: (!matches!(outcome, Outcome::Done | Outcome::Stopped))
                    .then(|| (outcome.as_str().to_owned(), message.clone())),
                checks: std::mem::take(&mut self.checks),
            });
        }
        let span = &self.span;
        span.record("outcome", outcome.as_str());
        span.record("tokens", self.tokens);
        span.record("duration_ms", millis(duration));
        span.record("malformed", malformed);
        if let Some(t) = ttft {
            span.record("ttft_ms", millis(t));
        }
        if malformed > 0 {
            tracing::warn!(parent: span, malformed, "skipped malformed model frames");
        }
        match outcome {
            Outcome::Done | Outcome::Stopped => {
                tracing::info!(parent: span, outcome = outcome.as_str(), tokens = self.tokens, "report ended: {message}")
            }
            _ => {
                tracing::warn!(parent: span, outcome = outcome.as_str(), tokens = self.tokens, "report failed: {message}")
            }
        }
    }
}

/// The history status of a stream that ended with `outcome`.
fn status_of(outcome: Outcome) -> ReportStatus {
    match outcome {
        Outcome::Done => ReportStatus::Done,
        Outcome::Stopped => ReportStatus::Stopped,
        // The server stopped the report, not the model or the reader.
        Outcome::Failed(StreamErrorCode::Shutdown) => ReportStatus::Interrupted,
        Outcome::Failed(_) => ReportStatus::Failed,
    }
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
