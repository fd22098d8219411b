//! Our events as the `200 text/event-stream` response (docs/protocol.md "The stream"):
//! one `id:` per event, `: ping` while nothing happens, events already waiting merged
//! into one write, and the headers that keep proxies from buffering or compressing. Used
//! by `POST /api/report` and by the resume routes, so every stream looks the same.

use std::{convert::Infallible, time::Duration};

use axum::{
    http::{HeaderValue, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures_util::{Stream, StreamExt};

use super::coalesce;
use crate::protocol::ReportEvent;

/// The response carrying `events`; with `retry`, the first event also carries the
/// `retry:` field (the base of a resuming reader's backoff).
pub fn sse_response(
    events: impl Stream<Item = (u64, ReportEvent)> + Send + 'static,
    keepalive: Duration,
    retry: Option<Duration>,
) -> Response {
    let mut retry = retry;
    let events = events.map(move |(id, ev)| {
        let event = sse_event(id, &ev);
        Ok::<_, Infallible>(match retry.take() {
            Some(r) => event.retry(r),
            None => event,
        })
    });
    let sse = Sse::new(events).keep_alive(KeepAlive::new().interval(keepalive).text("ping"));
    // Events already waiting leave in one write; a lone token still leaves at once.
    let (parts, body) = sse.into_response().into_parts();
    let body = axum::body::Body::from_stream(coalesce::Coalesce::new(body.into_data_stream()));
    let mut resp = Response::from_parts(parts, body);
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

/// One event of our stream in its SSE form, with its `id`.
fn sse_event(id: u64, ev: &ReportEvent) -> Event {
    Event::default()
        .id(id.to_string())
        .event(ev.name())
        .data(ev.data_json())
}
