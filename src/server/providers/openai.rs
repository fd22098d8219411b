//! OpenAI-compatible chat completions over SSE: the request body we send and the pure
//! parser that turns each decoded event into frames. The same parser reads legacy
//! `/v1/completions` chunks and surfaces the Responses API's in-stream errors, so an
//! OpenAI-shaped upstream that fails mid-stream is reported, never silently truncated.

use serde::Deserialize;
use serde_json::{Value, json};

use reqwest::header::{AUTHORIZATION, HeaderMap};

use super::{
    frame::{EventParser, Finish, Frame, FrameResult, Parser, UpstreamError},
    wire::{Wire, secret_header},
};

/// The OpenAI-compatible provider: `Bearer` auth, `/chat/completions`, `/models`.
pub struct OpenAi;

impl Wire for OpenAi {
    fn default_base_url(&self) -> &'static str {
        "https://api.openai.com/v1"
    }
    fn default_model(&self) -> &'static str {
        "gpt-4o-mini"
    }
    fn chat_path(&self) -> &'static str {
        "/chat/completions"
    }
    fn models_path(&self) -> &'static str {
        "/models"
    }
    fn headers(&self, key: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(key) = key {
            headers.insert(AUTHORIZATION, secret_header(&format!("Bearer {key}")));
        }
        headers
    }
    fn request_body(&self, model: &str, system: &str, user: &str) -> Value {
        request_body(model, system, user)
    }
    fn parser(&self) -> Parser {
        Parser::Events(Box::new(ChatParser::new()))
    }
    fn model_names(&self, body: &[u8]) -> Vec<String> {
        listed_ids(body)
    }
}

/// `{"data":[{"id":…},…]}`, the model list of `GET /models`.
#[derive(Deserialize)]
struct ModelList {
    data: Vec<ModelId>,
}
#[derive(Deserialize)]
struct ModelId {
    id: String,
}

/// The ids of a `{"data":[{"id":…}]}` model list; none when the body is another shape.
pub(super) fn listed_ids(body: &[u8]) -> Vec<String> {
    serde_json::from_slice::<ModelList>(body)
        .map(|l| l.data.into_iter().map(|m| m.id).collect())
        .unwrap_or_default()
}

/// Body for `POST {base}/chat/completions`.
pub fn request_body(model: &str, system: &str, user: &str) -> Value {
    json!({
        "model": model,
        "stream": true,
        "stream_options": { "include_usage": true },
        "temperature": 0.2,
        "messages": [
            { "role": "system", "content": system },
            { "role": "user", "content": user },
        ],
    })
}

/// Parser for one chat-completions stream. Only choice `index == 0` is report text:
/// we request `n = 1`, and a server that sends more choices anyway gets the first one
/// shown rather than several answers interleaved.
#[derive(Debug, Default)]
pub struct ChatParser {
    finish_reason: Option<String>,
    output_tokens: Option<u64>,
    malformed: u64,
}

impl ChatParser {
    pub fn new() -> Self {
        Self::default()
    }

    fn finish(&self) -> Frame {
        Frame::Finish(Finish {
            reason: self.finish_reason.clone(),
            output_tokens: self.output_tokens,
            tokens_per_sec: None,
        })
    }
}

/// Every shape we accept on one `data:` line. All fields are optional because chat
/// chunks, usage chunks, error objects and Responses API events share this door.
#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<ErrorField>,
    /// Responses API event type (`response.created`, `error`, `response.failed`, …).
    #[serde(default, rename = "type")]
    kind: Option<String>,
    /// Responses API `response.failed` carries the failed response here.
    #[serde(default)]
    response: Option<ResponseObject>,
    /// A flat Responses API error event: `{"type":"error","code":…,"message":…}`.
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    delta: Option<ChoiceDelta>,
    /// Legacy `/v1/completions` text.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceDelta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    completion_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct ResponseObject {
    #[serde(default)]
    error: Option<WireError>,
}

/// `error` is an object on OpenAI; some compatible servers send a bare string.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorField {
    Object(WireError),
    Text(String),
}

#[derive(Deserialize)]
struct WireError {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    /// A string on OpenAI, a number (`400`) on some compatible servers.
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<String>,
}

/// `type` when given, else `code` (numbers as their decimal text).
fn error_kind(kind: Option<String>, code: Option<Value>) -> Option<String> {
    kind.filter(|k| !k.is_empty()).or(match code {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

impl From<WireError> for UpstreamError {
    fn from(e: WireError) -> Self {
        UpstreamError::new(error_kind(e.kind, e.code), e.message)
    }
}

impl EventParser for ChatParser {
    fn on_event(&mut self, event: &crate::sse::Event) -> FrameResult {
        if event.data.trim() == "[DONE]" {
            return Ok(vec![self.finish()]);
        }
        let Ok(chunk) = serde_json::from_str::<Chunk>(&event.data) else {
            self.malformed += 1;
            return Ok(Vec::new());
        };
        match chunk.error {
            Some(ErrorField::Object(e)) => return Err(e.into()),
            Some(ErrorField::Text(m)) => {
                return Err(UpstreamError::new(None, Some(m)));
            }
            None => {}
        }
        match chunk.kind.as_deref() {
            Some("error") => {
                let kind = error_kind(None, chunk.code);
                return Err(UpstreamError::new(kind, chunk.message));
            }
            Some("response.failed") => {
                return Err(match chunk.response.and_then(|r| r.error) {
                    Some(e) => e.into(),
                    None => UpstreamError::with_fallback(None, None, "response failed"),
                });
            }
            _ => {}
        }
        if chunk.choices.is_none() && chunk.usage.is_none() {
            // A well-formed event of another type (Responses API lifecycle) is ignored;
            // an object that is none of the documented shapes is counted.
            if chunk.kind.is_none() {
                self.malformed += 1;
            }
            return Ok(Vec::new());
        }
        if let Some(tokens) = chunk.usage.and_then(|u| u.completion_tokens) {
            self.output_tokens = Some(tokens);
        }
        let mut frames = Vec::new();
        for choice in chunk.choices.into_iter().flatten() {
            if choice.index != 0 {
                continue;
            }
            if let Some(reason) = choice.finish_reason.filter(|r| !r.is_empty()) {
                self.finish_reason = Some(reason);
            }
            let (content, refusal) = match choice.delta {
                Some(d) => (d.content, d.refusal),
                None => (None, None),
            };
            for text in [content, refusal, choice.text].into_iter().flatten() {
                if !text.is_empty() {
                    frames.push(Frame::Delta(text));
                }
            }
        }
        Ok(frames)
    }

    fn malformed(&self) -> u64 {
        self.malformed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::Event;

    fn ev(data: &str) -> Event {
        Event {
            event: "message".into(),
            data: data.into(),
            id: String::new(),
        }
    }

    fn run(p: &mut ChatParser, data: &str) -> Vec<Frame> {
        p.on_event(&ev(data)).expect("no upstream error")
    }

    fn delta(s: &str) -> Frame {
        Frame::Delta(s.into())
    }

    #[test]
    fn request_body_streams_with_usage() {
        let b = request_body("gpt-4o", "sys", "code");
        assert_eq!(b["model"], "gpt-4o");
        assert_eq!(b["stream"], true);
        assert_eq!(b["stream_options"]["include_usage"], true);
        assert_eq!(
            b["messages"][0],
            json!({"role": "system", "content": "sys"})
        );
        assert_eq!(b["messages"][1], json!({"role": "user", "content": "code"}));
    }

    #[test]
    fn content_is_byte_exact_and_empty_deltas_are_dropped() {
        let mut p = ChatParser::new();
        let role = r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#;
        assert_eq!(run(&mut p, role), vec![]);
        let text =
            r#"{"choices":[{"index":0,"delta":{"content":"  漏洞 🔒\n"},"finish_reason":null}]}"#;
        assert_eq!(run(&mut p, text), vec![delta("  漏洞 🔒\n")]);
        assert_eq!(
            run(
                &mut p,
                r#"{"choices":[{"index":0,"delta":{"content":null}}]}"#
            ),
            vec![]
        );
        assert_eq!(p.malformed(), 0);
    }

    #[test]
    fn done_uses_last_finish_reason_and_usage() {
        let mut p = ChatParser::new();
        run(
            &mut p,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#,
        );
        run(
            &mut p,
            r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":42}}"#,
        );
        let want = Finish {
            reason: Some("length".into()),
            output_tokens: Some(42),
            tokens_per_sec: None,
        };
        assert_eq!(run(&mut p, "[DONE]"), vec![Frame::Finish(want)]);
    }

    #[test]
    fn done_without_a_finish_reason_has_none() {
        // llama-cpp-python's ending of a stream another request interrupted.
        let mut p = ChatParser::new();
        let text = r#"{"choices":[{"index":0,"delta":{"content":"A"},"finish_reason":null}]}"#;
        assert_eq!(run(&mut p, text), vec![delta("A")]);
        assert_eq!(
            run(&mut p, "[DONE]"),
            vec![Frame::Finish(Finish::default())]
        );
    }

    #[test]
    fn only_choice_zero_counts() {
        let mut p = ChatParser::new();
        let c1 = r#"{"choices":[{"index":1,"delta":{"content":"B"},"finish_reason":"length"}]}"#;
        assert_eq!(run(&mut p, c1), vec![]);
        let both = r#"{"choices":[{"index":2,"delta":{"content":"C"}},{"index":0,"delta":{"content":"A"}}]}"#;
        assert_eq!(run(&mut p, both), vec![delta("A")]);
        let Frame::Finish(f) = run(&mut p, "[DONE]").remove(0) else {
            panic!("no finish")
        };
        assert_eq!(f.reason, None, "choice 1's finish_reason must not leak");
    }

    #[test]
    fn refusal_and_legacy_text_are_report_text() {
        let mut p = ChatParser::new();
        let r = r#"{"choices":[{"index":0,"delta":{"content":null,"refusal":"I can't"}}]}"#;
        assert_eq!(run(&mut p, r), vec![delta("I can't")]);
        let legacy = r#"{"object":"text_completion","choices":[{"text":" holiday","index":0,"logprobs":null,"finish_reason":null}]}"#;
        assert_eq!(run(&mut p, legacy), vec![delta(" holiday")]);
    }

    #[test]
    fn tool_calls_and_reasoning_are_not_text() {
        let mut p = ChatParser::new();
        let tool = r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\""}}]}}]}"#;
        assert_eq!(run(&mut p, tool), vec![]);
        let think =
            r#"{"choices":[{"index":0,"delta":{"reasoning_content":"hmm","content":null}}]}"#;
        assert_eq!(run(&mut p, think), vec![]);
        assert_eq!(p.malformed(), 0);
    }

    #[test]
    fn azure_prompt_filter_chunk_is_quiet() {
        let mut p = ChatParser::new();
        let azure = r#"{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0}]}"#;
        assert_eq!(run(&mut p, azure), vec![]);
        assert_eq!(p.malformed(), 0);
    }

    #[test]
    fn error_objects_become_upstream_errors() {
        let mut p = ChatParser::new();
        let typed =
            r#"{"error":{"message":"boom","type":"server_error","param":null,"code":null}}"#;
        let e = p.on_event(&ev(typed)).unwrap_err();
        assert_eq!(
            (e.kind.as_deref(), e.message.as_str()),
            (Some("server_error"), "boom")
        );
        let numeric = r#"{"error":{"message":"bad request","code":400}}"#;
        assert_eq!(
            p.on_event(&ev(numeric)).unwrap_err().kind.as_deref(),
            Some("400")
        );
        let bare = r#"{"error":"rate limited"}"#;
        let e = p.on_event(&ev(bare)).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (None, "rate limited"));
    }

    #[test]
    fn responses_api_errors_surface() {
        let mut p = ChatParser::new();
        let created = r#"{"type":"response.created","sequence_number":0,"response":{"status":"in_progress","error":null}}"#;
        assert_eq!(run(&mut p, created), vec![]);
        let nested = r#"{"type":"error","sequence_number":2,"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"quota"}}"#;
        assert_eq!(
            p.on_event(&ev(nested)).unwrap_err().kind.as_deref(),
            Some("insufficient_quota")
        );
        let flat = r#"{"type":"error","code":"ERR_X","message":"flat","param":null}"#;
        let e = p.on_event(&ev(flat)).unwrap_err();
        assert_eq!(
            (e.kind.as_deref(), e.message.as_str()),
            (Some("ERR_X"), "flat")
        );
        let failed = r#"{"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"died"}}}"#;
        let e = p.on_event(&ev(failed)).unwrap_err();
        assert_eq!(
            (e.kind.as_deref(), e.message.as_str()),
            (Some("server_error"), "died")
        );
        assert_eq!(p.malformed(), 0);
    }

    #[test]
    fn malformed_input_is_skipped_and_counted() {
        let mut p = ChatParser::new();
        for bad in [
            "not json",
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":",
            "42",
            "{}",
            "",
            r#"{"choices":"x"}"#,
        ] {
            assert_eq!(run(&mut p, bad), vec![], "{bad:?}");
        }
        assert_eq!(p.malformed(), 6);
        assert_eq!(
            run(
                &mut p,
                r#"{"choices":[{"index":0,"delta":{"content":"ok"}}]}"#
            ),
            vec![delta("ok")]
        );
    }
}
