//! `stream_report()`: the one place the browser talks to `POST /api/report`.
//! EventSource is GET-only and cannot be aborted cleanly, so this uses `fetch`
//! (gloo-net) with an AbortSignal and reads the body chunk by chunk, decoding it with
//! the one `ReportDecoder`.

use gloo_net::http::{Request, Response};
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult};

use crate::protocol::{ApiErrorBody, ReportDecoder, ReportEvent, ReportRequest};

/// Why a report stream ended without its `done` or `error` event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The AbortSignal fired (Stop, a newer Generate, or leaving the page).
    #[error("stopped")]
    Aborted,
    /// The server refused before streaming (docs/protocol.md): status, code and message.
    #[error("{message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// The network failed.
    #[error("network error: {0}")]
    Network(String),
    /// The server sent something that is not our protocol.
    #[error("unexpected response from the server: {0}")]
    Protocol(String),
    /// The connection closed before `done` or `error`.
    #[error("the connection closed before the report finished")]
    Incomplete,
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn failed(message: String, signal: &AbortSignal) -> ClientError {
    if signal.aborted() {
        ClientError::Aborted
    } else {
        ClientError::Network(message)
    }
}

/// POSTs `request` and calls `on_event` for each event until the stream's `done` or
/// `error`. Returns early with `Aborted` when `signal` fires.
pub async fn stream_report(
    request: &ReportRequest,
    signal: &AbortSignal,
    mut on_event: impl FnMut(ReportEvent),
) -> Result<(), ClientError> {
    let body = serde_json::to_string(request).map_err(|e| ClientError::Protocol(e.to_string()))?;
    let resp = Request::post("/api/report")
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .abort_signal(Some(signal))
        .body(body)
        .map_err(|e| ClientError::Protocol(e.to_string()))?
        .send()
        .await
        .map_err(|e| failed(e.to_string(), signal))?;
    if !resp.ok() {
        return Err(rejection(&resp, signal).await);
    }
    let body = resp
        .body()
        .ok_or_else(|| ClientError::Protocol("the response has no body".into()))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut decoder = ReportDecoder::new();
    loop {
        let chunk: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|e| failed(js_text(&e), signal))?
            .unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            return Err(ClientError::Incomplete);
        }
        let bytes = Uint8Array::new(&chunk.get_value()).to_vec();
        let events = decoder
            .push(&bytes)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        for decoded in events {
            on_event(decoded.event);
        }
        if decoder.is_finished() {
            let _ = reader.cancel();
            return Ok(());
        }
    }
}

/// The server's JSON error, or a plain description of the status.
async fn rejection(resp: &Response, signal: &AbortSignal) -> ClientError {
    let status = resp.status();
    let text = match resp.text().await {
        Ok(t) => t,
        Err(e) => return failed(e.to_string(), signal),
    };
    match serde_json::from_str::<ApiErrorBody>(&text) {
        Ok(b) => ClientError::Rejected {
            status,
            code: b.error.code,
            message: b.error.message,
        },
        Err(_) => ClientError::Rejected {
            status,
            code: "http".into(),
            message: format!("the server answered HTTP {status}"),
        },
    }
}
