//! The task that produces a resumable report: it asks the model (the relay's own
//! opening, with its fallbacks) and moves every event into the report's log, whoever
//! reads it. It ends the report on Stop or when no one has read it for the grace
//! period, and then keeps the finished log for readers coming back until no one has
//! read it for the grace period again (or the server shuts down).

use std::{future::Future, sync::Arc};

use futures_util::{Stream, StreamExt};

use super::{route::stopped_before_start, running::Running};
use crate::{
    protocol::ReportEvent,
    server::{AppState, error::ApiError},
};

/// Starts the producer of `running`: `open` asks the model and gives the report's
/// events (the relay's stream, which ends itself on Stop and on the grace timer).
pub fn spawn_producer<S>(
    state: &AppState,
    running: Arc<Running>,
    open: impl Future<Output = Result<S, ApiError>> + Send + 'static,
) where
    S: Stream<Item = (u64, ReportEvent)> + Send + 'static,
{
    let reports = state.reports.clone();
    let grace = state.settings.resume.grace;
    let shutdown = state.shutdown.clone();
    reports.tasks.clone().spawn(async move {
        // Before the model answers, Stop and the grace timer drop the attempt (and its
        // connection) here; after, the relay's own loop watches them.
        let opened = tokio::select! {
            biased;
            () = running.stop.cancelled() => Err(stopped_before_start()),
            () = running.unread_for(grace) => Err(stopped_before_start()),
            opened = open => opened,
        };
        let events = match opened {
            Ok(events) => events,
            Err(e) => {
                running.refused(e);
                reports.remove(&running);
                return;
            }
        };
        running.streaming();
        let mut events = Box::pin(events);
        while let Some((id, event)) = events.next().await {
            running.push(id, event);
        }
        // The model's connection, the stream slot and the history row end here.
        drop(events);
        tokio::select! {
            () = running.unread_for(grace) => {}
            () = shutdown.cancelled() => {}
        }
        reports.remove(&running);
    });
}
