//! Anthropic Messages over SSE: the request body we send and the pure parser that turns
//! each decoded event into frames. It dispatches on the JSON `type` field, not on the SSE
//! event name, because real streams (and proxies) do not always send `event:` lines.

use serde::Deserialize;
use serde_json::{Value, json};

use reqwest::header::{HeaderMap, HeaderValue};

use super::{
    frame::{EventParser, Finish, Frame, FrameResult, Parser, UpstreamError},
    wire::{Wire, secret_header},
};

/// Value of the `anthropic-version` header.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Largest answer the model is asked for (`max_tokens` is required by the Messages API).
pub const MAX_OUTPUT_TOKENS: u32 = 8192;

/// Anthropic Messages: `x-api-key` and `anthropic-version`, `/v1/messages`, `/v1/models`.
pub struct Anthropic;

impl Wire for Anthropic {
    fn default_base_url(&self) -> &'static str {
        "https://api.anthropic.com"
    }
    fn default_model(&self) -> &'static str {
        "claude-sonnet-4-5"
    }
    fn chat_path(&self) -> &'static str {
        "/v1/messages"
    }
    fn models_path(&self) -> &'static str {
        "/v1/models"
    }
    fn headers(&self, key: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(key) = key {
            headers.insert("x-api-key", secret_header(key));
        }
        headers.insert(
            "anthropic-version",
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        headers
    }
    fn request_body(&self, model: &str, system: &str, user: &str) -> Value {
        request_body(model, system, user, MAX_OUTPUT_TOKENS)
    }
    fn parser(&self) -> Parser {
        Parser::Events(Box::new(MessagesParser::new()))
    }
    fn model_names(&self, body: &[u8]) -> Vec<String> {
        // `GET /v1/models` has the same `{"data":[{"id":…}]}` shape as OpenAI's list.
        super::openai::listed_ids(body)
    }
}

/// Body for `POST {base}/v1/messages`.
pub fn request_body(model: &str, system: &str, user: &str, max_tokens: u32) -> Value {
    json!({
        "model": model,
        "max_tokens": max_tokens,
        "stream": true,
        "system": system,
        "messages": [ { "role": "user", "content": user } ],
    })
}

/// Parser for one Messages stream.
#[derive(Debug, Default)]
pub struct MessagesParser {
    stop_reason: Option<String>,
    output_tokens: Option<u64>,
    malformed: u64,
}

impl MessagesParser {
    pub fn new() -> Self {
        Self::default()
    }
}

/// The event types that matter to a text report; every other `type` is `Other`.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    /// Carries a whole `Message`; `stop_reason` is set when the message is already
    /// complete (programmatic tool calling replays a tool call this way).
    MessageStart {
        message: StartMessage,
    },
    ContentBlockStart {
        content_block: ContentBlock,
    },
    ContentBlockDelta {
        delta: BlockDelta,
    },
    MessageDelta {
        #[serde(default)]
        delta: MessageDeltaBody,
        #[serde(default)]
        usage: Option<DeltaUsage>,
    },
    MessageStop,
    Error {
        #[serde(default)]
        error: ErrorBody,
    },
    /// `content_block_stop`, `ping` and types added later.
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ContentBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    /// thinking, tool_use, server_tool_use, compaction, fallback, …
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockDelta {
    TextDelta {
        text: String,
    },
    /// thinking_delta, signature_delta, input_json_delta, citations_delta, …
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct StartMessage {
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<DeltaUsage>,
}

#[derive(Default, Deserialize)]
struct MessageDeltaBody {
    #[serde(default)]
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct DeltaUsage {
    #[serde(default)]
    output_tokens: Option<u64>,
}

#[derive(Default, Deserialize)]
struct ErrorBody {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

fn text_frame(text: String) -> Vec<Frame> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Frame::Delta(text)]
    }
}

impl EventParser for MessagesParser {
    fn on_event(&mut self, event: &crate::sse::Event) -> FrameResult {
        let Ok(wire) = serde_json::from_str::<StreamEvent>(&event.data) else {
            self.malformed += 1;
            return Ok(Vec::new());
        };
        Ok(match wire {
            StreamEvent::MessageStart { message } => {
                self.stop_reason = message.stop_reason.filter(|r| !r.is_empty());
                self.output_tokens = message.usage.and_then(|u| u.output_tokens);
                Vec::new()
            }
            StreamEvent::ContentBlockStart {
                content_block: ContentBlock::Text { text },
            } => text_frame(text),
            StreamEvent::ContentBlockDelta {
                delta: BlockDelta::TextDelta { text },
            } => text_frame(text),
            StreamEvent::MessageDelta { delta, usage } => {
                if let Some(reason) = delta.stop_reason.filter(|r| !r.is_empty()) {
                    self.stop_reason = Some(reason);
                }
                if let Some(tokens) = usage.and_then(|u| u.output_tokens) {
                    self.output_tokens = Some(tokens);
                }
                Vec::new()
            }
            StreamEvent::MessageStop => vec![Frame::Finish(Finish {
                reason: self.stop_reason.clone(),
                output_tokens: self.output_tokens,
                tokens_per_sec: None,
            })],
            StreamEvent::Error { error } => {
                return Err(UpstreamError::new(error.kind, error.message));
            }
            StreamEvent::ContentBlockStart { .. }
            | StreamEvent::ContentBlockDelta { .. }
            | StreamEvent::Other => Vec::new(),
        })
    }

    fn malformed(&self) -> u64 {
        self.malformed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::Event;

    fn ev(event: &str, data: &str) -> Event {
        Event {
            event: event.into(),
            data: data.into(),
            id: String::new(),
        }
    }

    fn run(p: &mut MessagesParser, data: &str) -> Vec<Frame> {
        p.on_event(&ev("message", data)).expect("no upstream error")
    }

    fn delta(s: &str) -> Frame {
        Frame::Delta(s.into())
    }

    #[test]
    fn request_body_has_top_level_system() {
        let b = request_body("claude-x", "sys", "code", 4096);
        assert_eq!(b["system"], "sys");
        assert_eq!(b["stream"], true);
        assert_eq!(b["max_tokens"], 4096);
        assert_eq!(b["messages"], json!([{"role": "user", "content": "code"}]));
        assert_eq!(ANTHROPIC_VERSION, "2023-06-01");
    }

    #[test]
    fn a_whole_message_with_padding_and_no_event_names() {
        let mut p = MessagesParser::new();
        let steps = [
            (
                r#"{"type":"message_start","message":{"id":"m","usage":{"output_tokens":1}}}   "#,
                vec![],
            ),
            (
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                vec![],
            ),
            (r#"{"type": "ping"}"#, vec![]),
            (
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" ÷ — 📦\n"}}    "#,
                vec![delta(" ÷ — 📦\n")],
            ),
            (r#"{"type":"content_block_stop","index":0  }"#, vec![]),
            (
                r#"{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":124}}"#,
                vec![],
            ),
        ];
        for (data, want) in steps {
            assert_eq!(run(&mut p, data), want, "{data}");
        }
        let want = Finish {
            reason: Some("max_tokens".into()),
            output_tokens: Some(124),
            tokens_per_sec: None,
        };
        assert_eq!(
            run(&mut p, r#"{"type":"message_stop" }"#),
            vec![Frame::Finish(want)]
        );
        assert_eq!(p.malformed(), 0);
    }

    #[test]
    fn text_block_start_with_initial_text_is_a_delta() {
        let mut p = MessagesParser::new();
        let start = r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}"#;
        assert_eq!(run(&mut p, start), vec![delta("Hi")]);
        let tool = r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}"#;
        assert_eq!(run(&mut p, tool), vec![]);
    }

    #[test]
    fn non_text_deltas_are_ignored() {
        let mut p = MessagesParser::new();
        for d in [
            r#"{"type":"thinking_delta","thinking":"hmm"}"#,
            r#"{"type":"signature_delta","signature":"abc"}"#,
            r#"{"type":"input_json_delta","partial_json":"{\"a\":"}"#,
            r#"{"type":"compaction_delta","content":"summary"}"#,
        ] {
            let data = format!(r#"{{"type":"content_block_delta","index":0,"delta":{d}}}"#);
            assert_eq!(run(&mut p, &data), vec![], "{d}");
        }
        assert_eq!(run(&mut p, r#"{"type":"some_future_event","x":1}"#), vec![]);
        assert_eq!(p.malformed(), 0);
    }

    #[test]
    fn a_complete_message_start_sets_the_reason() {
        let mut p = MessagesParser::new();
        let start = r#"{"type":"message_start","message":{"id":"m","content":[{"type":"tool_use"}],"stop_reason":"tool_use","usage":{"output_tokens":0}}}"#;
        assert_eq!(run(&mut p, start), vec![]);
        let want = Finish {
            reason: Some("tool_use".into()),
            output_tokens: Some(0),
            tokens_per_sec: None,
        };
        assert_eq!(
            run(&mut p, r#"{"type":"message_stop"}"#),
            vec![Frame::Finish(want)]
        );
        // A later message_delta overrides the start's values.
        run(
            &mut p,
            r#"{"type":"message_start","message":{"stop_reason":null,"usage":{"output_tokens":1}}}"#,
        );
        run(
            &mut p,
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#,
        );
        let want = Finish {
            reason: Some("end_turn".into()),
            output_tokens: Some(9),
            tokens_per_sec: None,
        };
        assert_eq!(
            run(&mut p, r#"{"type":"message_stop"}"#),
            vec![Frame::Finish(want)]
        );
    }

    #[test]
    fn dispatch_ignores_the_sse_event_name() {
        let mut p = MessagesParser::new();
        let data =
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}"#;
        assert_eq!(p.on_event(&ev("ping", data)).unwrap(), vec![delta("x")]);
    }

    #[test]
    fn message_stop_without_a_stop_reason_has_none() {
        let mut p = MessagesParser::new();
        let Frame::Finish(f) = run(&mut p, r#"{"type":"message_stop"}"#).remove(0) else {
            panic!("no finish")
        };
        assert_eq!((f.reason, f.output_tokens), (None, None));
    }

    #[test]
    fn error_event_is_an_upstream_error() {
        let mut p = MessagesParser::new();
        let data =
            r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#;
        let e = p.on_event(&ev("error", data)).unwrap_err();
        assert_eq!(
            e,
            UpstreamError {
                kind: Some("overloaded_error".into()),
                message: "Overloaded".into()
            }
        );
        let bare = p.on_event(&ev("error", r#"{"type":"error"}"#)).unwrap_err();
        assert_eq!((bare.kind, bare.message.as_str()), (None, "upstream error"));
    }

    #[test]
    fn malformed_input_is_skipped_and_counted() {
        let mut p = MessagesParser::new();
        for bad in [
            "not json",
            r#"{"no_type":1}"#,
            r#"{"type":"content_block_delta","index":0}"#,
            r#"{"type":"content_block_delta","delta":{"type":"text_delta"}}"#,
            r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":5}}"#,
            r#"{"type":"message_start"}"#,
            "[1,2]",
        ] {
            assert_eq!(run(&mut p, bad), vec![], "{bad}");
        }
        assert_eq!(p.malformed(), 7);
    }
}
