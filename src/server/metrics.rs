//! The relay's Prometheus metrics (`GET /metrics`), kept in one registry in `AppState`:
//! active streams, reports by outcome, time to first token and duration, tokens
//! relayed, upstream errors by code, refusals by code, malformed model frames and
//! fallbacks by provider.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use strum::IntoEnumIterator;

use super::error::Refused;
use crate::protocol::StreamErrorCode;

/// How a report stream ended, as counted in `auditstream_reports_total{outcome}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Done,
    /// The client went away (Stop, a closed tab) before the stream ended.
    Stopped,
    /// The stream ended with an `error` event of this code.
    Failed(StreamErrorCode),
}

impl Outcome {
    /// Every outcome: `done`, `stopped`, then each stream error code but `cancelled`
    /// (a report stopped by its reader is counted as `stopped`).
    pub fn all() -> impl Iterator<Item = Outcome> {
        [Self::Done, Self::Stopped].into_iter().chain(
            StreamErrorCode::iter()
                .filter(|c| *c != StreamErrorCode::Cancelled)
                .map(Self::Failed),
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Failed(code) => code.as_str(),
        }
    }

    /// Outcomes the model is to blame for, also counted as upstream errors.
    fn is_upstream_fault(self) -> bool {
        matches!(
            self,
            Self::Failed(
                StreamErrorCode::Stalled
                    | StreamErrorCode::Truncated
                    | StreamErrorCode::UpstreamError
            )
        )
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

/// A move down a fallback chain, by provider name.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FallbackLabel {
    from: String,
    to: String,
}

/// What text aimed at the model tried to do.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AimLabel {
    aim: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabel {
    code: &'static str,
}

/// What one finished report contributes.
#[derive(Clone, Copy, Debug)]
pub struct Finished {
    pub outcome: Outcome,
    pub duration: Duration,
    pub ttft: Option<Duration>,
    pub malformed: u64,
}

/// Every metric, registered once. Cheap to update from any task.
pub struct Metrics {
    registry: Registry,
    active_streams: Gauge,
    reports: Family<OutcomeLabel, Counter>,
    ttft: Histogram,
    duration: Histogram,
    tokens: Counter,
    upstream_errors: Family<CodeLabel, Counter>,
    refused: Family<CodeLabel, Counter>,
    malformed: Counter,
    /// The history writer's counters (`auditstream_history_*`).
    pub history: HistoryMetrics,
    fallbacks: Family<FallbackLabel, Counter>,
    injection_hits: Family<AimLabel, Counter>,
}

/// Pre-stream codes that mean the model, not the request, failed.
const UPSTREAM_OPEN_CODES: [&str; 3] = [
    "upstream_unreachable",
    "upstream_rejected",
    "upstream_timeout",
];

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let m = Self {
            registry: Registry::with_prefix("auditstream"),
            active_streams: Gauge::default(),
            reports: Family::default(),
            // 50 ms … ~100 s for the first token; 0.5 s … ~17 min for whole reports.
            ttft: Histogram::new(exponential_buckets(0.05, 2.0, 12)),
            duration: Histogram::new(exponential_buckets(0.5, 2.0, 12)),
            tokens: Counter::default(),
            upstream_errors: Family::default(),
            refused: Family::default(),
            malformed: Counter::default(),
            history: HistoryMetrics::default(),
            fallbacks: Family::default(),
            injection_hits: Family::default(),
        };
        // Every outcome and upstream code shows from the start, at zero.
        for o in Outcome::all() {
            let _ = m.reports.get_or_create(&OutcomeLabel {
                outcome: o.as_str(),
            });
        }
        for code in UPSTREAM_OPEN_CODES.into_iter().chain(
            Outcome::all()
                .filter(|o| o.is_upstream_fault())
                .map(Outcome::as_str),
        ) {
            let _ = m.upstream_errors.get_or_create(&CodeLabel { code });
        }
        m.register()
    }

    fn register(mut self) -> Self {
        let r = &mut self.registry;
        self.history.register(r);
        r.register(
            "active_streams",
            "Report streams open right now",
            self.active_streams.clone(),
        );
        r.register(
            "reports",
            "Report streams ended, by outcome",
            self.reports.clone(),
        );
        r.register(
            "ttft_seconds",
            "Time from the request to the first token",
            self.ttft.clone(),
        );
        r.register(
            "report_duration_seconds",
            "Time from the request to the end of the stream",
            self.duration.clone(),
        );
        r.register(
            "tokens_relayed",
            "Token events sent to clients",
            self.tokens.clone(),
        );
        r.register(
            "upstream_errors",
            "Model failures, before (upstream_*) or during the stream",
            self.upstream_errors.clone(),
        );
        r.register(
            "requests_refused",
            "Report requests answered with a JSON error before any stream, by code",
            self.refused.clone(),
        );
        r.register(
            "malformed_frames",
            "Model frames skipped because they were not the documented JSON",
            self.malformed.clone(),
        );
        r.register(
            "fallbacks",
            "Models passed over for the next of their fallback chain before the first token, by provider",
            self.fallbacks.clone(),
        );
        r.register(
            "injection_hits",
            "Places in contracts where text addresses the model (the prompt-injection guard), by aim",
            self.injection_hits.clone(),
        );
        self
    }

    pub fn stream_started(&self) {
        self.active_streams.inc();
    }

    pub fn token_relayed(&self) {
        self.tokens.inc();
    }

    pub fn stream_finished(&self, f: Finished) {
        self.active_streams.dec();
        let outcome = f.outcome.as_str();
        self.reports.get_or_create(&OutcomeLabel { outcome }).inc();
        if f.outcome.is_upstream_fault() {
            self.upstream_errors
                .get_or_create(&CodeLabel { code: outcome })
                .inc();
        }
        self.duration.observe(f.duration.as_secs_f64());
        if let Some(t) = f.ttft {
            self.ttft.observe(t.as_secs_f64());
        }
        self.malformed.inc_by(f.malformed);
    }

    /// A report request answered with a JSON error before any stream started.
    pub fn pre_stream_error(&self, code: &'static str) {
        self.refused.get_or_create(&CodeLabel { code }).inc();
        if UPSTREAM_OPEN_CODES.contains(&code) {
            self.upstream_errors
                .get_or_create(&CodeLabel { code })
                .inc();
        }
    }

    /// Provider `from` failed before its first token and `to` is asked next.
    pub fn fallback(&self, from: &str, to: &str) {
        self.fallbacks
            .get_or_create(&FallbackLabel {
                from: from.to_owned(),
                to: to.to_owned(),
            })
            .inc();
    }

    /// The prompt-injection guard found text aimed at the model (`aim` names what it tries).
    pub fn injection_hit(&self, aim: &'static str) {
        self.injection_hits.get_or_create(&AimLabel { aim }).inc();
    }

    /// The OpenMetrics text exposition, which Prometheus scrapes natively.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// `GET /metrics`.
pub async fn handler(State(metrics): State<Arc<Metrics>>) -> Response {
    match metrics.render() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The history counters in `/metrics`.
#[derive(Clone, Debug, Default)]
pub struct HistoryMetrics {
    /// Messages held back in a recording because the writer's queue was full.
    pub queue_full: Counter,
    /// Database writes that failed (each is retried).
    pub write_errors: Counter,
    /// Reports given up after the retry window, or lost because the writer was gone.
    pub unsaved: Counter,
    /// Reports whose end was committed.
    pub saved: Counter,
}

impl HistoryMetrics {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "history_queue_full",
            "Report starts or ends that waited because the history writer's queue was full",
            self.queue_full.clone(),
        );
        registry.register(
            "history_write_errors",
            "History database writes that failed and will be retried",
            self.write_errors.clone(),
        );
        registry.register(
            "history_unsaved",
            "Reports that could not be saved to history",
            self.unsaved.clone(),
        );
        registry.register(
            "history_saved",
            "Reports whose end was saved to history",
            self.saved.clone(),
        );
    }
}

/// Counts every refusal of the report route by its code (`Refused`, left on the response
/// by `ApiError`): the guards' extractors, the rate limit and the handler's own.
pub async fn count_refusals(State(metrics): State<Arc<Metrics>>, response: Response) -> Response {
    if let Some(Refused(code)) = response.extensions().get::<Refused>() {
        metrics.pre_stream_error(code);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in\n{text}"))
    }

    #[test]
    fn a_finished_report_moves_every_metric() {
        let m = Metrics::new();
        let before = m.render().unwrap();
        assert_eq!(
            line(&before, "auditstream_active_streams "),
            "auditstream_active_streams 0"
        );
        assert!(before.contains("auditstream_reports_total{outcome=\"stopped\"} 0"));
        assert!(before.contains("auditstream_upstream_errors_total{code=\"upstream_timeout\"} 0"));

        m.stream_started();
        m.token_relayed();
        m.token_relayed();
        assert!(m.render().unwrap().contains("auditstream_active_streams 1"));
        m.stream_finished(Finished {
            outcome: Outcome::Failed(StreamErrorCode::Stalled),
            duration: Duration::from_millis(1500),
            ttft: Some(Duration::from_millis(100)),
            malformed: 3,
        });
        m.pre_stream_error("upstream_rejected");
        m.pre_stream_error("too_large");
        m.fallback("anthropic", "builtin");
        let t = m.render().unwrap();
        for want in [
            "auditstream_active_streams 0",
            "auditstream_reports_total{outcome=\"stalled\"} 1",
            "auditstream_tokens_relayed_total 2",
            "auditstream_malformed_frames_total 3",
            "auditstream_upstream_errors_total{code=\"stalled\"} 1",
            "auditstream_upstream_errors_total{code=\"upstream_rejected\"} 1",
            "auditstream_requests_refused_total{code=\"too_large\"} 1",
            "auditstream_ttft_seconds_count 1",
            "auditstream_report_duration_seconds_count 1",
            "auditstream_fallbacks_total{from=\"anthropic\",to=\"builtin\"} 1",
        ] {
            assert!(t.lines().any(|l| l == want), "no `{want}` in\n{t}");
        }
        assert!(t.ends_with("# EOF\n"));
    }
}
