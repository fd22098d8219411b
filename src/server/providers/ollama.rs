//! Ollama's native `/api/chat` streams NDJSON, not SSE: the request body we send and the
//! pure parser that turns each line into frames. It also reads `/api/generate` lines
//! (`response` instead of `message.content`), which share the same envelope.

use serde::Deserialize;
use serde_json::{Value, json};

use reqwest::header::HeaderMap;

use super::{
    frame::{Finish, Frame, FrameResult, LineParser, Parser, UpstreamError},
    wire::Wire,
};

/// Ollama's native API: no auth, `/api/chat`, `/api/tags`.
pub struct Ollama;

impl Wire for Ollama {
    fn default_base_url(&self) -> &'static str {
        "http://127.0.0.1:11434"
    }
    fn default_model(&self) -> &'static str {
        "qwen2.5-coder:7b"
    }
    fn chat_path(&self) -> &'static str {
        "/api/chat"
    }
    fn models_path(&self) -> &'static str {
        "/api/tags"
    }
    fn headers(&self, _key: Option<&str>) -> HeaderMap {
        HeaderMap::new()
    }
    fn request_body(&self, model: &str, system: &str, user: &str) -> Value {
        request_body(model, system, user)
    }
    fn parser(&self) -> Parser {
        Parser::Lines(Box::new(ChatLineParser::new()))
    }
    fn model_names(&self, body: &[u8]) -> Vec<String> {
        serde_json::from_slice::<Tags>(body)
            .map(|t| t.models.into_iter().map(|m| m.name).collect())
            .unwrap_or_default()
    }
}

/// `GET /api/tags`: the models pulled locally.
#[derive(Deserialize)]
struct Tags {
    models: Vec<Tag>,
}
#[derive(Deserialize)]
struct Tag {
    name: String,
}

/// Body for `POST {base}/api/chat`.
pub fn request_body(model: &str, system: &str, user: &str) -> Value {
    json!({
        "model": model,
        "stream": true,
        "messages": [
            { "role": "system", "content": system },
            { "role": "user", "content": user },
        ],
    })
}

/// Parser for one NDJSON stream.
#[derive(Debug, Default)]
pub struct ChatLineParser {
    malformed: u64,
}

impl ChatLineParser {
    pub fn new() -> Self {
        Self::default()
    }
}

#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    error: Option<ErrorField>,
    /// `/api/chat`.
    #[serde(default)]
    message: Option<Message>,
    /// `/api/generate`.
    #[serde(default)]
    response: Option<String>,
    #[serde(default)]
    done: Option<bool>,
    #[serde(default)]
    done_reason: Option<String>,
    #[serde(default)]
    eval_count: Option<u64>,
    /// Nanoseconds.
    #[serde(default)]
    eval_duration: Option<u64>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
}

/// Ollama sends a string; accept `{"message": …}` too rather than drop an error.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorField {
    Text(String),
    Object {
        #[serde(default)]
        message: Option<String>,
    },
}

impl LineParser for ChatLineParser {
    fn on_line(&mut self, line: &str) -> FrameResult {
        if line.trim().is_empty() {
            return Ok(Vec::new());
        }
        let Ok(obj) = serde_json::from_str::<Line>(line) else {
            self.malformed += 1;
            return Ok(Vec::new());
        };
        if let Some(error) = obj.error {
            let message = match error {
                ErrorField::Text(m) => Some(m),
                ErrorField::Object { message } => message,
            };
            return Err(UpstreamError::new(None, message));
        }
        if obj.message.is_none() && obj.response.is_none() && obj.done.is_none() {
            self.malformed += 1;
            return Ok(Vec::new());
        }
        let mut frames = Vec::new();
        let chat = obj.message.and_then(|m| m.content);
        for text in [chat, obj.response].into_iter().flatten() {
            if !text.is_empty() {
                frames.push(Frame::Delta(text));
            }
        }
        if obj.done == Some(true) {
            let tokens_per_sec = match (obj.eval_count, obj.eval_duration) {
                (Some(n), Some(ns)) if ns > 0 => Some(n as f64 / (ns as f64 / 1e9)),
                _ => None,
            };
            frames.push(Frame::Finish(Finish {
                reason: obj.done_reason.filter(|r| !r.is_empty()),
                output_tokens: obj.eval_count,
                tokens_per_sec,
            }));
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

    fn run(p: &mut ChatLineParser, line: &str) -> Vec<Frame> {
        p.on_line(line).expect("no upstream error")
    }

    #[test]
    fn request_body_streams_chat() {
        let b = request_body("qwen2.5-coder:7b", "sys", "code");
        assert_eq!(b["model"], "qwen2.5-coder:7b");
        assert_eq!(b["stream"], true);
        assert_eq!(
            b["messages"][0],
            json!({"role": "system", "content": "sys"})
        );
        assert_eq!(b["messages"][1], json!({"role": "user", "content": "code"}));
    }

    #[test]
    fn chat_and_generate_lines_are_text() {
        let mut p = ChatLineParser::new();
        let chat =
            r#"{"model":"m","message":{"role":"assistant","content":" 重入\n"},"done":false}"#;
        assert_eq!(run(&mut p, chat), vec![Frame::Delta(" 重入\n".into())]);
        let generate = r#"{"model":"m","response":"ok ","done":false}"#;
        assert_eq!(run(&mut p, generate), vec![Frame::Delta("ok ".into())]);
        let empty = r#"{"model":"m","message":{"role":"assistant","content":""},"done":false}"#;
        assert_eq!(run(&mut p, empty), vec![]);
        assert_eq!(p.malformed(), 0);
    }

    #[test]
    fn thinking_is_not_text() {
        let mut p = ChatLineParser::new();
        let line = r#"{"response":"","thinking":"We need","done":false}"#;
        assert_eq!(run(&mut p, line), vec![]);
        let chat = r#"{"message":{"role":"assistant","content":"","thinking":"hmm"},"done":false}"#;
        assert_eq!(run(&mut p, chat), vec![]);
    }

    #[test]
    fn done_line_finishes_with_speed() {
        let mut p = ChatLineParser::new();
        let line = r#"{"message":{"content":""},"done":true,"done_reason":"length","eval_count":282,"eval_duration":4535599000}"#;
        let frames = run(&mut p, line);
        let [Frame::Finish(f)] = frames.as_slice() else {
            panic!("{frames:?}")
        };
        assert_eq!(
            (f.reason.as_deref(), f.output_tokens),
            (Some("length"), Some(282))
        );
        let tps = f.tokens_per_sec.expect("speed");
        assert!((tps - 282.0 / 4.535599).abs() < 1e-9, "{tps}");
    }

    #[test]
    fn last_text_and_done_in_one_line() {
        let mut p = ChatLineParser::new();
        let frames = run(
            &mut p,
            r#"{"response":"!","done":true, "done_reason": "stop"}"#,
        );
        let want = Finish {
            reason: Some("stop".into()),
            ..Finish::default()
        };
        assert_eq!(frames, vec![Frame::Delta("!".into()), Frame::Finish(want)]);
    }

    #[test]
    fn done_without_reason_or_duration_has_no_reason() {
        let mut p = ChatLineParser::new();
        let frames = run(
            &mut p,
            r#"{"response":"","done":true,"eval_count":11,"eval_duration":0}"#,
        );
        let want = Finish {
            reason: None,
            output_tokens: Some(11),
            tokens_per_sec: None,
        };
        assert_eq!(frames, vec![Frame::Finish(want)]);
    }

    #[test]
    fn error_line_is_an_upstream_error() {
        let mut p = ChatLineParser::new();
        let e = p
            .on_line(r#"{"error":"an error was encountered while running the model"}"#)
            .unwrap_err();
        assert_eq!(e.kind, None);
        assert_eq!(
            e.message,
            "an error was encountered while running the model"
        );
        let e = p
            .on_line(r#"{"error":{"message":"model not found"}}"#)
            .unwrap_err();
        assert_eq!(e.message, "model not found");
    }

    #[test]
    fn blank_lines_are_nothing_and_junk_is_counted() {
        let mut p = ChatLineParser::new();
        for blank in ["", "   ", "\r", "\t \r"] {
            assert_eq!(run(&mut p, blank), vec![]);
        }
        assert_eq!(p.malformed(), 0);
        for bad in [
            "nope",
            "{\"response\":\"cut",
            "{}",
            r#"{"done":"yes"}"#,
            "[]",
        ] {
            assert_eq!(run(&mut p, bad), vec![], "{bad}");
        }
        assert_eq!(p.malformed(), 5);
        assert_eq!(
            run(&mut p, r#"{"response":"x","done":false}"#),
            vec![Frame::Delta("x".into())]
        );
    }
}
