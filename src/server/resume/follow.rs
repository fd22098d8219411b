//! A reader of a resumable report: its stream of the events it is owed, from the
//! report's log (or, for a report another instance produces, from Redis), following it
//! live until the terminal event; and the response that carries it (with the `retry:`
//! readers base their backoff on).

use std::sync::Arc;

use axum::response::Response;
use futures_util::Stream;

use super::{
    redis::{RemoteReport, Shared, remote::Found},
    running::{ReaderGuard, Running},
};
use crate::{
    protocol::ReportEvent,
    server::{AppState, error::ApiError, relay::respond::sse_response},
};

/// Waits for the report to start (its refusal is the answer if it does not), then
/// answers with the events after `after`, live.
pub async fn attach(
    state: &AppState,
    reader: ReaderGuard,
    after: u64,
) -> Result<Response, ApiError> {
    reader.running().started().await?;
    let resume = &state.settings.resume;
    Ok(sse_response(
        follow(reader, after),
        state.settings.limits.keepalive,
        Some(resume.retry),
    ))
}

/// Attaches to the report `id` that another instance produces, through Redis: its
/// refusal if it was refused, `None` when no instance holds it.
pub async fn attach_remote(
    state: &AppState,
    shared: Arc<Shared>,
    id: &str,
    after: u64,
) -> Result<Option<Response>, ApiError> {
    let report = match RemoteReport::open(shared, id, after).await? {
        Found::Started(report) => *report,
        Found::Refused(e) => return Err(e),
        Found::Nothing => return Ok(None),
    };
    Ok(Some(sse_response(
        report.follow(),
        state.settings.limits.keepalive,
        Some(state.settings.resume.retry),
    )))
}

/// The events a reader that has seen everything up to `after` is owed, then each new
/// one as it is logged; ends after the terminal event. The reader counts as reading
/// until the stream is dropped.
fn follow(reader: ReaderGuard, after: u64) -> impl Stream<Item = (u64, ReportEvent)> + Send {
    let running: Arc<Running> = reader.running().clone();
    async_stream::stream! {
        let _reader = reader;
        let mut rx = running.subscribe();
        let mut cursor = after;
        loop {
            let owed = running.owed(&mut rx, cursor);
            for (id, event) in owed.events {
                cursor = id;
                yield (id, event);
            }
            if owed.ended || rx.changed().await.is_err() {
                break;
            }
        }
    }
}
