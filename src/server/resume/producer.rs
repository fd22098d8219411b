//! The task that produces a resumable report: it asks the model (the relay's own
//! opening, with its fallbacks) and moves every event into the report's log, whoever
//! reads it. It ends the report on Stop or when no one has read it for the grace
//! period, and then keeps the finished log for readers coming back until no one has
//! read it for the grace period again (or the server shuts down).

use std::{future::Future, sync::Arc, time::Duration};

use futures_util::{Stream, StreamExt};

use super::{redis::Shared, route::stopped_before_start, running::Running};
use crate::{
    protocol::ReportEvent,
    server::{AppState, error::ApiError},
};

/// The most events moved into the log at once.
const READY_BATCH: usize = 256;

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
    let redis = state.redis.clone();
    let shutdown = state.shutdown.clone();
    reports.tasks.clone().spawn(async move {
        // Before the model answers, Stop and the grace timer drop the attempt (and its
        // connection) here; after, the relay's own loop watches them.
        let opened = tokio::select! {
            biased;
            () = running.stop.cancelled() => Err(stopped_before_start()),
            () = unread_everywhere(redis.clone(), running.clone(), grace) => {
                Err(stopped_before_start())
            }
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
        // Every event already waiting goes into the log under one lock and one wake-up,
        // as the relay coalesces what is ready into one write: a reader then takes a
        // batch per wake-up instead of one event.
        let mut events = Box::pin(events.ready_chunks(READY_BATCH));
        while let Some(batch) = events.next().await {
            running.push_all(batch);
        }
        // The model's connection, the stream slot and the history row end here.
        drop(events);
        tokio::select! {
            () = unread_everywhere(redis, running.clone(), grace) => {}
            () = shutdown.cancelled() => {}
        }
        reports.remove(&running);
    });
}

/// Resolves once no one has read the report for `grace`: no reader on this instance,
/// and (with Redis) none on another, whose reader key lives a grace period after its
/// last read. A Redis that fails counts as no reader elsewhere.
pub async fn unread_everywhere(redis: Option<Arc<Shared>>, running: Arc<Running>, grace: Duration) {
    loop {
        running.unread_for(grace).await;
        let Some(redis) = &redis else { return };
        loop {
            match redis.read_elsewhere(&running.id).await {
                Ok(Some(left)) => tokio::time::sleep(left).await,
                Ok(None) | Err(_) => {
                    if running.is_read() {
                        break;
                    }
                    return;
                }
            }
            if running.is_read() {
                break;
            }
        }
    }
}
