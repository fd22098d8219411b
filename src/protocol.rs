//! The wire protocol of `POST /api/report` (docs/protocol.md), shared by the server and the
//! browser so both ends serialise exactly the same shapes.

use serde::{Deserialize, Serialize};

mod preview;
pub use preview::{
    PreviewFile, PreviewImport, ProjectPreview, is_build_folder, is_kept, is_source, literal_glob,
};

#[cfg(feature = "ssr")]
mod body;
#[cfg(feature = "ssr")]
pub use body::{BodyError, decode_body};

/// The JSON body of `POST /api/report`: one `contract`, or a project's `files`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    /// One contract's text; empty when `files` carries a project.
    #[serde(default)]
    pub contract: String,
    /// `provider/model`; the server default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Used for language detection and report locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// A project instead of `contract`: every file with its path inside the project.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ProjectFile>,
    /// Globs over `files`' paths: only matching files are in scope (default: the
    /// project's own sources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    /// Globs over `files`' paths taken out of scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// The report's id, chosen by the client (a UUID): the report then runs on without
    /// the connection, a retried request with the same id attaches to it, and
    /// `GET /api/reports/{id}/events` resumes it. Without it the server picks the id and
    /// the report is its response, as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_id: Option<String>,
}

/// A client-chosen report id in its one accepted form (a UUID, hyphenated and
/// lower-cased), or `None` when `s` is not a UUID.
pub fn normal_report_id(s: &str) -> Option<String> {
    let t = s.trim();
    let hex = t.bytes().filter(u8::is_ascii_hexdigit).count();
    let shape = t.len() == 36
        && t.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    (shape && hex == 32).then(|| t.to_ascii_lowercase())
}

/// One file of a project request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFile {
    /// Relative, `/`-separated (`src/Vault.sol`).
    pub path: String,
    pub content: String,
}

/// First event of every stream: which report this is and which model writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub report_id: String,
    /// The provider and model that actually answered.
    pub provider: String,
    pub model: String,
    /// The models of the fallback chain that failed before this one answered, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallbacks: Vec<FailedAttempt>,
    /// For a report with a client-chosen id: how its reader should behave on a drop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<ResumeHints>,
}

/// What a reader of a resumable report needs to know to come back on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeHints {
    /// The `: ping` interval: a reader that hears nothing for three of them has lost
    /// its connection, whatever the network says.
    pub keepalive_ms: u64,
    /// Whether leaving the page leaves the report running (to be read again after a
    /// reload) instead of stopping it.
    pub keep_on_leave: bool,
}

/// A model that was asked first and failed before its first token, so the next one of
/// its fallback chain was asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAttempt {
    pub provider: String,
    pub model: String,
    /// The pre-stream error code it would have been answered with (`upstream_*`).
    pub code: String,
    pub message: String,
    /// The model's HTTP status, when it answered with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl FailedAttempt {
    /// What happened to it, in a few words: "was overloaded (HTTP 529)".
    fn reason(&self) -> String {
        match (self.code.as_str(), self.status) {
            (_, Some(529)) => "was overloaded (HTTP 529)".to_owned(),
            (_, Some(429)) => "was rate-limited (HTTP 429)".to_owned(),
            (_, Some(503)) => "was unavailable (HTTP 503)".to_owned(),
            (_, Some(s)) => format!("failed (HTTP {s})"),
            ("upstream_timeout", None) => "did not answer in time".to_owned(),
            ("upstream_unreachable", None) => "could not be reached".to_owned(),
            (_, None) => "failed".to_owned(),
        }
    }
}

impl Meta {
    /// The sentence the page shows when another model than the first answered, e.g.
    /// "anthropic/claude-x was overloaded (HTTP 529); this report is by builtin/analyzer."
    pub fn fallback_notice(&self) -> Option<String> {
        if self.fallbacks.is_empty() {
            return None;
        }
        let failed: Vec<String> = self
            .fallbacks
            .iter()
            .map(|f| format!("{}/{} {}", f.provider, f.model, f.reason()))
            .collect();
        Some(format!(
            "{}; this report is by {}/{}.",
            failed.join("; "),
            self.provider,
            self.model
        ))
    }
}

/// What a resumed reader gets in place of events its server's log no longer holds: the
/// report's whole text so far (the reader replaces its text with it) and every finding
/// sent so far; the event's id is the last one it stands for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingCheck>,
}

/// A piece of report text, exactly as the model produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub text: String,
}

/// The stream ended normally: the model sent its terminator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Done {
    pub finish_reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Milliseconds from the request to the first token, if any token came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<u64>,
    pub duration_ms: u64,
    /// Generation speed: reported by the provider (Ollama's `eval_count /
    /// eval_duration`), else output tokens over the time after the first token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_sec: Option<f64>,
}

/// Why a stream that had already started (status 200) failed. Its names on the wire
/// (serde) and in metrics and logs (strum) are one rule, `snake_case`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StreamErrorCode {
    /// The model reported an error mid-stream.
    UpstreamError,
    /// The model sent no bytes for the stall timeout.
    Stalled,
    /// The model's stream ended without its terminator.
    Truncated,
    /// The whole report ran past the maximum duration.
    Timeout,
    /// The server is shutting down.
    Shutdown,
    /// A bug or an unexpected condition in the relay.
    Internal,
    /// The report was stopped: by `POST /api/reports/{id}/stop`, or because no one read
    /// it for the resume grace period. Sent only to readers of a report with a
    /// client-chosen id (a report that is its response just ends on Stop).
    Cancelled,
}

impl StreamErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The data of an `error` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamError {
    pub code: StreamErrorCode,
    pub message: String,
    /// True when tokens were sent before the error, so the text on screen is partial.
    pub partial: bool,
}

/// The data of a `finding` event: one finding of the report, checked against the code
/// as soon as its block was complete (docs/verification.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingCheck {
    /// 1-based line of the finding's heading in the report text, where the reader's own
    /// parse of the text has it; absent for a finding the report text does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_line: Option<u32>,
    pub id: String,
    pub title: String,
    pub verdict: crate::report::Verdict,
    pub reason: String,
    pub found_by: crate::report::FoundBy,
    /// The finding as parsed, with its verdict (for one the analyzer found and the model
    /// did not write, the analyzer's finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Box<crate::report::Finding>>,
}

impl FindingCheck {
    /// Puts the verdict on the reader's own parse of the same finding.
    pub fn apply(&self, f: &mut crate::report::Finding) {
        f.verdict = Some(self.verdict);
        f.reason = Some(self.reason.clone());
        f.found_by = Some(self.found_by);
    }
}

/// Puts `checks` on the findings of `report` (parsed from `markdown`) by their heading
/// line, and appends the findings the report text does not hold: what the page, the store
/// and the exports show.
pub fn apply_checks(report: &mut crate::report::Report, markdown: &str, checks: &[FindingCheck]) {
    use crate::report::{Parsed, outline, parse_block};
    if checks.is_empty() {
        return;
    }
    let lines = outline(markdown, true)
        .blocks
        .into_iter()
        .filter(|b| matches!(parse_block(markdown, b), Parsed::Finding(_)))
        .map(|b| b.line);
    for (f, line) in report.findings.iter_mut().zip(lines) {
        if let Some(c) = checks.iter().find(|c| c.report_line == Some(line)) {
            c.apply(f);
        }
    }
    report.findings.extend(
        checks
            .iter()
            .filter(|c| c.report_line.is_none())
            .filter_map(|c| c.finding.as_deref().cloned()),
    );
}

/// One event of the report stream; its SSE `event:` name is the variant's, lower-cased.
#[derive(Clone, Debug, PartialEq, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum ReportEvent {
    Meta(Meta),
    Token(Token),
    /// A finding's verdict; between tokens, always before the terminal event.
    Finding(FindingCheck),
    /// The text so far, for a resumed reader whose missed events are gone.
    Snapshot(Snapshot),
    Done(Done),
    Error(StreamError),
}

/// An SSE event whose name or data does not fit the protocol.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("unknown event type `{0}`")]
    UnknownEvent(String),
    #[error("bad `{event}` data: {source}")]
    BadData {
        event: &'static str,
        source: serde_json::Error,
    },
}

impl ReportEvent {
    /// The SSE `event:` name.
    pub fn name(&self) -> &'static str {
        self.into()
    }

    /// The SSE `data:` payload, one line of JSON.
    pub fn data_json(&self) -> String {
        let json = match self {
            Self::Meta(m) => serde_json::to_string(m),
            Self::Token(t) => serde_json::to_string(t),
            Self::Finding(f) => serde_json::to_string(f),
            Self::Snapshot(s) => serde_json::to_string(s),
            Self::Done(d) => serde_json::to_string(d),
            Self::Error(e) => serde_json::to_string(e),
        };
        json.expect("protocol types always serialise")
    }

    /// Rebuilds an event from an SSE event's type and data.
    pub fn from_sse(event: &str, data: &str) -> Result<Self, ProtocolError> {
        fn parse<T: serde::de::DeserializeOwned>(
            event: &'static str,
            data: &str,
        ) -> Result<T, ProtocolError> {
            // Read as bytes, as server function responses are: the browser's build then
            // holds one deserialiser per type, not one per reader type.
            serde_json::from_slice(data.as_bytes())
                .map_err(|source| ProtocolError::BadData { event, source })
        }
        Ok(match event {
            "meta" => Self::Meta(parse("meta", data)?),
            "token" => Self::Token(parse("token", data)?),
            "finding" => Self::Finding(parse("finding", data)?),
            "snapshot" => Self::Snapshot(parse("snapshot", data)?),
            "done" => Self::Done(parse("done", data)?),
            "error" => Self::Error(parse("error", data)?),
            other => return Err(ProtocolError::UnknownEvent(other.to_owned())),
        })
    }

    /// True for the two events that end a stream.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Done(_) | Self::Error(_))
    }
}

/// One event of our stream as it arrived: the protocol event and its SSE `id`.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedEvent {
    pub id: String,
    pub event: ReportEvent,
}

/// Why bytes could not be read as our event stream.
#[derive(Debug, thiserror::Error)]
pub enum StreamDecodeError {
    #[error(transparent)]
    Sse(#[from] crate::sse::DecodeError),
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
}

/// The one reader of our own event stream (`POST /api/report`'s body): bytes in, in any
/// split, `ReportEvent`s out. Used by the browser client, the tests and the benchmarks.
/// Unknown event types are skipped, so older readers keep working as the protocol grows
/// (docs/protocol.md only grows); everything after the terminal `done`/`error` is ignored.
#[derive(Debug, Default)]
pub struct ReportDecoder {
    sse: crate::sse::Decoder,
    finished: bool,
    after_end: usize,
}

impl ReportDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one chunk of the body. Fails on bytes that break the SSE limits or on a
    /// known event whose data does not fit its type.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<DecodedEvent>, StreamDecodeError> {
        let mut out = Vec::new();
        for ev in self.sse.try_push(chunk)? {
            if self.finished {
                self.after_end += 1;
                continue;
            }
            let event = match ReportEvent::from_sse(&ev.event, &ev.data) {
                Ok(event) => event,
                Err(ProtocolError::UnknownEvent(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            self.finished = event.is_terminal();
            out.push(DecodedEvent { id: ev.id, event });
        }
        Ok(out)
    }

    /// The last valid `retry:` the stream sent, in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.sse.retry()
    }

    /// True once the stream's `done` or `error` has been decoded.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Events that arrived after the terminal one and were ignored. Always 0 from a
    /// server that keeps docs/protocol.md's "exactly one `done` or `error`, last"; tests check it.
    pub fn after_end(&self) -> usize {
        self.after_end
    }
}

/// The body of every error answered before the stream starts:
/// `{"error":{"code":"…","message":"…"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorDetail {
    pub code: String,
    pub message: String,
}

/// One entry of the model picker, from the `list_models` server function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelOption {
    /// `provider/model`, as sent in `ReportRequest::model`.
    pub id: String,
    pub provider: String,
    pub available: bool,
    /// Why the provider cannot be used right now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The server's default model.
    pub is_default: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_round_trips_through_its_sse_form() {
        let events = [
            ReportEvent::Meta(Meta {
                report_id: "r1".into(),
                provider: "builtin".into(),
                model: "analyzer".into(),
                fallbacks: vec![FailedAttempt {
                    provider: "anthropic".into(),
                    model: "claude-x".into(),
                    code: "upstream_rejected".into(),
                    message: "overloaded".into(),
                    status: Some(529),
                }],
                resume: Some(ResumeHints {
                    keepalive_ms: 15_000,
                    keep_on_leave: false,
                }),
            }),
            ReportEvent::Token(Token {
                text: "## Summary\n\"quoted\" — ünïcode".into(),
            }),
            ReportEvent::Done(Done {
                finish_reason: "stop".into(),
                output_tokens: Some(3),
                ttft_ms: None,
                duration_ms: 12,
                tokens_per_sec: Some(41.5),
            }),
            ReportEvent::Error(StreamError {
                code: StreamErrorCode::Truncated,
                message: "cut".into(),
                partial: true,
            }),
            ReportEvent::Snapshot(Snapshot {
                text: "## Sum\nmary".into(),
                findings: Vec::new(),
            }),
        ];
        let names: Vec<&str> = events.iter().map(ReportEvent::name).collect();
        assert_eq!(names, ["meta", "token", "done", "error", "snapshot"]);
        for ev in events {
            let data = ev.data_json();
            assert!(!data.contains('\n'), "data must stay on one line: {data}");
            assert_eq!(ReportEvent::from_sse(ev.name(), &data).unwrap(), ev);
        }
    }

    #[test]
    fn meta_without_fallbacks_keeps_its_old_shape_and_old_payloads_parse() {
        let old = r#"{"report_id":"r","provider":"ollama","model":"q"}"#;
        let m: Meta = serde_json::from_str(old).unwrap();
        assert!(m.fallbacks.is_empty());
        assert_eq!(m.fallback_notice(), None);
        assert_eq!(serde_json::to_string(&m).unwrap(), old);
    }

    #[test]
    fn the_fallback_notice_names_each_failure_and_who_answered() {
        let failed = |provider: &str, code: &str, status| FailedAttempt {
            provider: provider.into(),
            model: "m".into(),
            code: code.into(),
            message: "x".into(),
            status,
        };
        let meta = |fallbacks| Meta {
            report_id: "r".into(),
            provider: "openrouter".into(),
            model: "anthropic/claude-sonnet-4.5".into(),
            fallbacks,
            resume: None,
        };
        let cases = [
            (
                vec![failed("anthropic", "upstream_rejected", Some(529))],
                "anthropic/m was overloaded (HTTP 529); this report is by openrouter/anthropic/claude-sonnet-4.5.",
            ),
            (
                vec![
                    failed("a", "upstream_rejected", Some(429)),
                    failed("b", "upstream_rejected", Some(500)),
                    failed("c", "upstream_timeout", None),
                    failed("d", "upstream_unreachable", None),
                    failed("e", "upstream_rejected", Some(503)),
                ],
                "a/m was rate-limited (HTTP 429); b/m failed (HTTP 500); c/m did not answer in time; \
                 d/m could not be reached; e/m was unavailable (HTTP 503); \
                 this report is by openrouter/anthropic/claude-sonnet-4.5.",
            ),
        ];
        for (fallbacks, want) in cases {
            assert_eq!(meta(fallbacks).fallback_notice().as_deref(), Some(want));
        }
    }

    #[test]
    fn error_codes_serialise_as_the_documented_strings() {
        use strum::IntoEnumIterator;
        let names: Vec<&str> = StreamErrorCode::iter()
            .map(StreamErrorCode::as_str)
            .collect();
        assert_eq!(
            names,
            [
                "upstream_error",
                "stalled",
                "truncated",
                "timeout",
                "shutdown",
                "internal",
                "cancelled"
            ]
        );
        for code in StreamErrorCode::iter() {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn a_report_id_is_a_uuid_in_one_form() {
        let id = "0F8FAD5B-D9CB-469F-A165-70867728950E";
        assert_eq!(
            normal_report_id(id).as_deref(),
            Some("0f8fad5b-d9cb-469f-a165-70867728950e")
        );
        for bad in [
            "",
            "r1",
            "0f8fad5bd9cb469fa16570867728950e",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0f8fad5b-d9cb-469f-a165-70867728950e0",
            "0f8fad5b-d9cb-469f-a165-70867728950g",
            "0f8fad5b+d9cb-469f-a165-70867728950e",
            "../8fad5b-d9cb-469f-a165-70867728950e",
        ] {
            assert_eq!(normal_report_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_request_without_an_id_keeps_its_old_shape() {
        let r = ReportRequest {
            contract: "c".into(),
            ..ReportRequest::default()
        };
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"contract":"c"}"#);
    }

    #[test]
    fn unknown_event_names_are_rejected() {
        assert!(matches!(
            ReportEvent::from_sse("tokens", "{}"),
            Err(ProtocolError::UnknownEvent(_))
        ));
    }

    fn frame(id: u32, ev: &ReportEvent) -> String {
        format!(
            "id: {id}\nevent: {}\ndata: {}\n\n",
            ev.name(),
            ev.data_json()
        )
    }

    #[test]
    fn the_report_decoder_reads_any_split_skips_unknown_events_and_stops_at_the_end() {
        let token = ReportEvent::Token(Token {
            text: "é ✓".into()
        });
        let done = ReportEvent::Done(Done {
            finish_reason: "stop".into(),
            output_tokens: None,
            ttft_ms: None,
            duration_ms: 1,
            tokens_per_sec: None,
        });
        let body = format!(
            ": ping\n\n{}id: 2\nevent: future\ndata: {{}}\n\n{}{}{}",
            frame(1, &token),
            frame(3, &token),
            frame(4, &done),
            frame(5, &token)
        );
        let bytes = body.as_bytes();
        for split in 0..=bytes.len() {
            let mut d = ReportDecoder::new();
            let mut got = d.push(&bytes[..split]).unwrap();
            got.extend(d.push(&bytes[split..]).unwrap());
            let ids: Vec<&str> = got.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(ids, ["1", "3", "4"], "split at {split}");
            assert_eq!(got[2].event, done);
            assert!(d.is_finished());
            assert_eq!(d.after_end(), 1, "the token after `done` is counted");
        }
    }

    #[test]
    fn the_report_decoder_rejects_bad_data_for_a_known_event() {
        let mut d = ReportDecoder::new();
        let err = d.push(b"event: token\ndata: {\"txt\":1}\n\n").unwrap_err();
        assert!(matches!(
            err,
            StreamDecodeError::Protocol(ProtocolError::BadData { .. })
        ));
        assert!(!d.is_finished());
    }
}
