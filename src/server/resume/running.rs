//! One report that outlives its connection, as every party sees it: the producer
//! appends to its log, readers follow it, Stop and the grace timer end it. Everything
//! shared sits behind one lock and one wake-up channel, so a reader never misses an
//! event between reading the log and waiting for the next one.

use std::{
    sync::{Arc, Mutex, MutexGuard, OnceLock},
    time::Duration,
};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{
    log::{Log, Owed},
    redis::Mirror,
};
use crate::{protocol::ReportEvent, server::error::ApiError};

/// Where the report stands before its first event.
#[derive(Debug)]
pub enum Start {
    /// The model is being asked.
    Opening,
    /// The model answered: the log fills.
    Streaming,
    /// The report never started: the answer every request attached to it gets.
    Refused(ApiError),
}

#[derive(Debug)]
struct Inner {
    start: Start,
    log: Log,
}

/// One running (or recently finished) report.
#[derive(Debug)]
pub struct Running {
    pub id: String,
    inner: Mutex<Inner>,
    /// Bumped on every change of `inner`; readers wait on it.
    changed: watch::Sender<u64>,
    /// How many readers follow the report now.
    readers: watch::Sender<usize>,
    /// Cancelled by Stop (or the grace timer): the producer ends the report at once.
    pub stop: CancellationToken,
    /// With Redis, where every event and a refusal are written too, for the readers,
    /// retries and Stops that reach another instance.
    mirror: OnceLock<Mirror>,
}

impl Running {
    pub fn new(id: String, log_events: usize) -> Self {
        Self {
            id,
            inner: Mutex::new(Inner {
                start: Start::Opening,
                log: Log::new(log_events),
            }),
            changed: watch::Sender::new(0),
            readers: watch::Sender::new(0),
            stop: CancellationToken::new(),
            mirror: OnceLock::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere leaves the log as it was; keep serving it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn changed(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// The producer claimed the report in Redis: mirror it there from now on.
    pub fn mirror_to(&self, mirror: Mirror) {
        let _ = self.mirror.set(mirror);
    }

    /// True while some reader on this instance follows the report.
    pub fn is_read(&self) -> bool {
        *self.readers.borrow() > 0
    }

    /// The producer: the model answered.
    pub fn streaming(&self) {
        self.lock().start = Start::Streaming;
        self.changed();
    }

    /// The producer: the report will not start, and this is why.
    pub fn refused(&self, error: ApiError) {
        if let Some(m) = self.mirror.get() {
            m.refused(&error);
        }
        self.lock().start = Start::Refused(error);
        self.changed();
    }

    /// The producer: one more event.
    /// Appends `events` in order, with one wake-up for the readers.
    pub fn push_all(&self, events: Vec<(u64, ReportEvent)>) {
        if let Some(m) = self.mirror.get() {
            for (id, event) in &events {
                m.event(*id, event);
            }
        }
        let mut inner = self.lock();
        for (id, event) in events {
            inner.log.push(id, event);
        }
        drop(inner);
        self.changed();
    }

    pub fn is_ended(&self) -> bool {
        self.lock().log.is_ended()
    }

    /// Waits until the model answered (`Ok`) or the report was refused.
    pub async fn started(&self) -> Result<(), ApiError> {
        let mut rx = self.changed.subscribe();
        loop {
            rx.borrow_and_update();
            match &self.lock().start {
                Start::Opening => {}
                Start::Streaming => return Ok(()),
                Start::Refused(e) => return Err(e.clone()),
            }
            // The sender lives as long as `self`.
            let _ = rx.changed().await;
        }
    }

    /// A reader from now on: counted until the guard is dropped.
    pub fn reader(self: &Arc<Self>) -> ReaderGuard {
        self.readers.send_modify(|n| *n += 1);
        ReaderGuard(self.clone())
    }

    /// Resolves once no one has read the report for `grace` on end.
    pub async fn unread_for(&self, grace: Duration) {
        let mut rx = self.readers.subscribe();
        loop {
            let _ = rx.wait_for(|n| *n == 0).await;
            tokio::select! {
                () = tokio::time::sleep(grace) => return,
                _ = rx.wait_for(|n| *n > 0) => {}
            }
        }
    }

    /// A subscription to changes, and what a reader at `after` is owed now; take the
    /// subscription first, so a change after the read still wakes it.
    pub fn owed(&self, rx: &mut watch::Receiver<u64>, after: u64) -> Owed {
        rx.borrow_and_update();
        self.lock().log.owed(after)
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}

/// A reader of a report; while one is held the grace timer does not run.
#[derive(Debug)]
pub struct ReaderGuard(Arc<Running>);

impl ReaderGuard {
    pub fn running(&self) -> &Arc<Running> {
        &self.0
    }
}

impl Drop for ReaderGuard {
    fn drop(&mut self) {
        self.0.readers.send_modify(|n| *n = n.saturating_sub(1));
    }
}
