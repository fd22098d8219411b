//! `stream_report()`: the one place the browser talks to the report stream, whether it
//! starts one (`POST /api/report`) or resumes one (`GET /api/reports/{id}/events` with
//! `Last-Event-ID`). EventSource is GET-only and cannot be aborted cleanly, so this uses
//! `fetch` (gloo-net) with an AbortSignal and reads the body chunk by chunk, decoding it
//! with the one `ReportDecoder`; a read that hears nothing for the watchdog's time is a
//! lost connection. `stop_report()` is Stop for a report with its own id.

use gloo_net::http::{Request, Response};
use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult};

use crate::protocol::{ApiErrorBody, DecodedEvent, ReportDecoder, ReportRequest};

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
    /// Nothing arrived, not even a `: ping`, for the watchdog's time.
    #[error("the connection went silent")]
    Silent,
    /// The server sent something that is not our protocol.
    #[error("unexpected response from the server: {0}")]
    Protocol(String),
    /// The connection closed before `done` or `error`.
    #[error("the connection closed before the report finished")]
    Incomplete,
}

impl ClientError {
    /// A lost connection, after which a resumable report is read on: never Stop, a
    /// refusal (the server said no, or there is nothing to resume) or a broken stream.
    pub fn is_lost_connection(&self) -> bool {
        matches!(self, Self::Network(_) | Self::Silent | Self::Incomplete)
    }
}

/// Which stream to read.
pub enum Open<'a> {
    /// Start (or, with its `report_id`, attach to) the report.
    Post(&'a ReportRequest),
    /// Read on after event `after` of the report `id`.
    Resume { id: &'a str, after: u64 },
}

/// How one connection ended, and the `retry:` it carried.
pub struct Ended {
    pub result: Result<(), ClientError>,
    pub retry_ms: Option<u64>,
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

/// Opens `open` and calls `on_event` for each event until the stream's `done` or
/// `error`. Returns early with `Aborted` when `signal` fires, and with `Silent` when a
/// read waits longer than `watchdog_ms()` (asked before each read; `None`: no limit).
pub async fn stream_report(
    open: Open<'_>,
    signal: &AbortSignal,
    watchdog_ms: impl Fn() -> Option<u32>,
    mut on_event: impl FnMut(DecodedEvent),
) -> Ended {
    let mut decoder = ReportDecoder::new();
    let result = read(open, signal, &watchdog_ms, &mut decoder, &mut on_event).await;
    Ended {
        result,
        retry_ms: decoder.retry(),
    }
}

async fn read(
    open: Open<'_>,
    signal: &AbortSignal,
    watchdog_ms: &impl Fn() -> Option<u32>,
    decoder: &mut ReportDecoder,
    on_event: &mut impl FnMut(DecodedEvent),
) -> Result<(), ClientError> {
    let request = match open {
        Open::Post(request) => {
            let body =
                serde_json::to_string(request).map_err(|e| ClientError::Protocol(e.to_string()))?;
            Request::post("/api/report")
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .abort_signal(Some(signal))
                .body(body)
        }
        Open::Resume { id, after } => Request::get(&format!("/api/reports/{id}/events"))
            .header("accept", "text/event-stream")
            .header("last-event-id", &after.to_string())
            .abort_signal(Some(signal))
            .build(),
    };
    let resp = request
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
    loop {
        let read = reader.read();
        let (next, timer) = match watchdog_ms().map(silence) {
            Some((silent, timer)) => (Promise::race(&js_sys::Array::of2(&read, &silent)), timer),
            None => (read, None),
        };
        let next = JsFuture::from(next).await;
        if let (Some(t), Some(window)) = (timer, web_sys::window()) {
            window.clear_timeout_with_handle(t);
        }
        let next = next.map_err(|e| failed(js_text(&e), signal))?;
        if next.is_undefined() {
            // The silence won the race: give the connection up.
            let _ = reader.cancel();
            return Err(ClientError::Silent);
        }
        let chunk: ReadableStreamReadResult = next.unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            return Err(ClientError::Incomplete);
        }
        let bytes = Uint8Array::new(&chunk.get_value()).to_vec();
        let events = decoder
            .push(&bytes)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        for decoded in events {
            on_event(decoded);
        }
        if decoder.is_finished() {
            let _ = reader.cancel();
            return Ok(());
        }
    }
}

/// A promise that resolves to `undefined` after `ms`, and its timer (to clear once the
/// read won).
fn silence(ms: u32) -> (Promise, Option<i32>) {
    let mut timer = None;
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let ms = i32::try_from(ms).unwrap_or(i32::MAX);
            timer = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .ok();
        }
    });
    (promise, timer)
}

/// Stop for the report `id`: `POST /api/reports/{id}/stop`, sent as a beacon so it
/// leaves even when the page is going away; a plain request if the beacon is refused.
pub fn stop_report(id: &str) {
    let url = format!("/api/reports/{id}/stop");
    let beaconed = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| n.send_beacon(&url).ok())
        .unwrap_or(false);
    if !beaconed {
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(req) = Request::post(&url).build() {
                let _ = req.send().await;
            }
        });
    }
}

/// The server's JSON error, or a plain description of the status.
async fn rejection(resp: &Response, signal: &AbortSignal) -> ClientError {
    let status = resp.status();
    let text = match resp.text().await {
        Ok(t) => t,
        Err(e) => return failed(e.to_string(), signal),
    };
    // Bytes, not `&str`: see `ReportEvent::from_sse`.
    match serde_json::from_slice::<ApiErrorBody>(text.as_bytes()) {
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
