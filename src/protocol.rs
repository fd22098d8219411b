//! The wire protocol of `POST /api/report` (DESIGN §3), shared by the server and the
//! browser so both ends serialise exactly the same shapes.

use serde::{Deserialize, Serialize};

/// The JSON body of `POST /api/report`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub contract: String,
    /// `provider/model`; the server default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Used for language detection and report locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

/// First event of every stream: which report this is and which model writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub report_id: String,
    pub provider: String,
    pub model: String,
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

/// Why a stream that had already started (status 200) failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

impl StreamErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UpstreamError => "upstream_error",
            Self::Stalled => "stalled",
            Self::Truncated => "truncated",
            Self::Timeout => "timeout",
            Self::Shutdown => "shutdown",
            Self::Internal => "internal",
        }
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

/// One event of the report stream.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportEvent {
    Meta(Meta),
    Token(Token),
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
        match self {
            Self::Meta(_) => "meta",
            Self::Token(_) => "token",
            Self::Done(_) => "done",
            Self::Error(_) => "error",
        }
    }

    /// The SSE `data:` payload, one line of JSON.
    pub fn data_json(&self) -> String {
        let json = match self {
            Self::Meta(m) => serde_json::to_string(m),
            Self::Token(t) => serde_json::to_string(t),
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
            serde_json::from_str(data).map_err(|source| ProtocolError::BadData { event, source })
        }
        Ok(match event {
            "meta" => Self::Meta(parse("meta", data)?),
            "token" => Self::Token(parse("token", data)?),
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
        ];
        for ev in events {
            let data = ev.data_json();
            assert!(!data.contains('\n'), "data must stay on one line: {data}");
            assert_eq!(ReportEvent::from_sse(ev.name(), &data).unwrap(), ev);
        }
    }

    #[test]
    fn error_codes_serialise_as_the_documented_strings() {
        for code in [
            StreamErrorCode::UpstreamError,
            StreamErrorCode::Stalled,
            StreamErrorCode::Truncated,
            StreamErrorCode::Timeout,
            StreamErrorCode::Shutdown,
            StreamErrorCode::Internal,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn unknown_event_names_are_rejected() {
        assert!(matches!(
            ReportEvent::from_sse("tokens", "{}"),
            Err(ProtocolError::UnknownEvent(_))
        ));
    }
}
