//! `stream_report()`: the one place the browser talks to `POST /api/report`.
//! EventSource is GET-only and cannot be aborted cleanly, so this uses `fetch` with an
//! AbortSignal and reads the body chunk by chunk.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, ReadableStreamDefaultReader, RequestInit, Response};

use crate::{
    protocol::{ApiErrorBody, ProtocolError, ReportEvent, ReportRequest},
    sse,
};

/// Why a report stream ended without its `done` or `error` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// The AbortSignal fired (Stop, or a newer Generate).
    Aborted,
    /// The server refused before streaming (DESIGN §3): status, code and message.
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// The network failed.
    Network(String),
    /// The server sent something that is not our protocol.
    Protocol(String),
    /// The connection closed before `done` or `error`.
    Incomplete,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Aborted => f.write_str("stopped"),
            Self::Rejected { message, .. } => f.write_str(message),
            Self::Network(m) => write!(f, "network error: {m}"),
            Self::Protocol(m) => write!(f, "unexpected response from the server: {m}"),
            Self::Incomplete => f.write_str("the connection closed before the report finished"),
        }
    }
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn failed(e: JsValue, signal: &AbortSignal) -> ClientError {
    if signal.aborted() {
        ClientError::Aborted
    } else {
        ClientError::Network(js_text(&e))
    }
}

/// POSTs `request` and calls `on_event` for each event until the stream's `done` or
/// `error`. Returns early with `Aborted` when `signal` fires.
pub async fn stream_report(
    request: &ReportRequest,
    signal: &AbortSignal,
    mut on_event: impl FnMut(ReportEvent),
) -> Result<(), ClientError> {
    let window = web_sys::window().ok_or_else(|| ClientError::Network("no window".into()))?;
    let headers = Headers::new().map_err(|e| failed(e, signal))?;
    for (k, v) in [
        ("content-type", "application/json"),
        ("accept", "text/event-stream"),
    ] {
        headers.set(k, v).map_err(|e| failed(e, signal))?;
    }
    let body = serde_json::to_string(request).map_err(|e| ClientError::Protocol(e.to_string()))?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body));
    init.set_signal(Some(signal));
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init("/api/report", &init))
        .await
        .map_err(|e| failed(e, signal))?
        .unchecked_into();
    if !resp.ok() {
        return Err(rejection(&resp, signal).await);
    }
    let body = resp
        .body()
        .ok_or_else(|| ClientError::Protocol("the response has no body".into()))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut decoder = sse::Decoder::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| failed(e, signal))?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            return Err(ClientError::Incomplete);
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(|e| failed(e, signal))?;
        let bytes = Uint8Array::new(&value).to_vec();
        let events = decoder
            .try_push(&bytes)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        for ev in events {
            let ev = match ReportEvent::from_sse(&ev.event, &ev.data) {
                Ok(ev) => ev,
                // Newer servers may add event types; skipping them keeps old pages working.
                Err(ProtocolError::UnknownEvent(_)) => continue,
                Err(e) => return Err(ClientError::Protocol(e.to_string())),
            };
            let terminal = ev.is_terminal();
            on_event(ev);
            if terminal {
                let _ = reader.cancel();
                return Ok(());
            }
        }
    }
}

/// The server's JSON error, or a plain description of the status.
async fn rejection(resp: &Response, signal: &AbortSignal) -> ClientError {
    let status = resp.status();
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.map_err(|e| failed(e, signal)),
        Err(e) => Err(failed(e, signal)),
    };
    let text = match text {
        Ok(t) => t.as_string().unwrap_or_default(),
        Err(e) => return e,
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
