//! The history writer: one task owns the database side of every report in flight, so
//! the relay never waits on the database.
//!
//! The relay holds a [`Recording`] per report. Streamed text goes into a buffer the
//! recording shares with the writer (a short uncontended lock, no message, no wake-up per
//! token); the writer drains every buffer and commits every `AUDITSTREAM_HISTORY_BATCH_MS`,
//! or at a report's end, whichever comes first. Only a report's start and end travel as
//! messages, over a bounded queue (`AUDITSTREAM_HISTORY_QUEUE`): a start that finds it
//! full waits in the recording (`auditstream_history_queue_full_total` counts it), and an
//! end waits in its own small task, never in the relay. Text is never lost or reordered
//! because it never travels in messages. A write the database refuses is logged, counted
//! and retried on the next batch; a report that has ended and still cannot be written
//! after `AUDITSTREAM_HISTORY_RETRY_SECS` is given up and counted in
//! `auditstream_history_unsaved_total`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use tokio::sync::{mpsc, oneshot};

use super::{NewReport, SavedProgress, Store};
use crate::{history::ReportStatus, server::metrics::HistoryMetrics};

/// How a report ended, as the relay knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ending {
    pub status: ReportStatus,
    pub ttft_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub output_tokens: Option<i64>,
    /// The error event's code and message.
    pub error: Option<(String, String)>,
    /// The `finding` events sent: verdicts and the analyzer's joined findings.
    pub checks: Vec<crate::protocol::FindingCheck>,
}

/// Text the relay has streamed and the writer has not taken yet.
type Buffer = Arc<Mutex<String>>;

fn lock(buffer: &Buffer) -> std::sync::MutexGuard<'_, String> {
    // The buffer is a plain string: a panic elsewhere cannot leave it half-written.
    buffer.lock().unwrap_or_else(PoisonError::into_inner)
}

enum Msg {
    Start(Box<NewReport>, Buffer),
    End { id: String, ending: Ending },
    Flush(oneshot::Sender<()>),
}

/// The relay's handle on the writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    tx: mpsc::Sender<Msg>,
    metrics: HistoryMetrics,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("history message")
    }
}

impl Writer {
    /// Starts the writer task over `store`.
    pub fn spawn(
        store: Store,
        batch: Duration,
        queue: usize,
        retry: Duration,
        metrics: HistoryMetrics,
    ) -> Self {
        let (tx, rx) = mpsc::channel(queue.max(1));
        let task = Task {
            store,
            retry,
            metrics: metrics.clone(),
            open: HashMap::new(),
        };
        tokio::spawn(task.run(rx, batch));
        Self { tx, metrics }
    }

    /// Starts recording a report; the row appears as `streaming` at once.
    pub fn record(&self, new: NewReport) -> Recording {
        let id = new.id.clone();
        let mut r = Recording {
            id,
            writer: self.clone(),
            start: Some(Box::new(new)),
            buffer: Buffer::default(),
            ended: false,
        };
        r.send_start();
        r
    }

    /// Commits everything received so far; resolves once it is written (or given up).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

/// One report being recorded, owned by the relay. Every method returns at once.
#[derive(Debug)]
pub struct Recording {
    id: String,
    writer: Writer,
    /// The start, while the writer's queue has had no room for it.
    start: Option<Box<NewReport>>,
    buffer: Buffer,
    ended: bool,
}

impl Recording {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Appends streamed text; the writer takes it with its next batch.
    pub fn token(&mut self, text: &str) {
        lock(&self.buffer).push_str(text);
        if self.start.is_some() {
            self.send_start();
        }
    }

    /// Ends the report. If the queue is full, a small task waits for room.
    pub fn end(mut self, ending: Ending) {
        self.ended = true;
        let start = self
            .start
            .take()
            .map(|start| Msg::Start(start, self.buffer.clone()));
        let end = Msg::End {
            id: self.id.clone(),
            ending,
        };
        let rest = match start {
            Some(start) => vec![start, end],
            None => match self.writer.tx.try_send(end) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    self.writer.metrics.unsaved.inc();
                    return;
                }
                Err(mpsc::error::TrySendError::Full(end)) => vec![end],
            },
        };
        self.writer.metrics.queue_full.inc();
        let writer = self.writer.clone();
        tokio::spawn(async move {
            for msg in rest {
                if writer.tx.send(msg).await.is_err() {
                    writer.metrics.unsaved.inc();
                    return;
                }
            }
        });
    }

    /// Hands the start to the writer, or keeps it for the next token if the queue is full.
    fn send_start(&mut self) {
        let Some(start) = self.start.take() else {
            return;
        };
        match self
            .writer
            .tx
            .try_send(Msg::Start(start, self.buffer.clone()))
        {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(Msg::Start(start, _))) => {
                self.start = Some(start);
                self.writer.metrics.queue_full.inc();
            }
            // The writer is gone; the end counts the report as not saved.
            Err(_) => {}
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if !self.ended {
            // A relay that forgot to end its recording (a panic): keep what was streamed.
            let r = Recording {
                id: std::mem::take(&mut self.id),
                writer: self.writer.clone(),
                start: self.start.take(),
                buffer: self.buffer.clone(),
                ended: true,
            };
            r.end(Ending {
                status: ReportStatus::Failed,
                ttft_ms: None,
                duration_ms: None,
                output_tokens: None,
                error: Some(("internal".into(), "the relay ended unexpectedly".into())),
                checks: Vec::new(),
            });
        }
    }
}

/// A report the writer holds in memory until its end is committed.
struct Open {
    new: Box<NewReport>,
    /// The relay's side of the text; drained into `progress.text` before each commit.
    buffer: Buffer,
    inserted: bool,
    progress: SavedProgress,
    dirty: bool,
    ended: bool,
    /// When writes for this report began failing; cleared by a success.
    failing_since: Option<Instant>,
}

impl Open {
    /// Takes the text the relay has streamed since the last batch.
    fn drain(&mut self) {
        let mut buffer = lock(&self.buffer);
        if !buffer.is_empty() {
            self.progress.text.push_str(&buffer);
            buffer.clear();
            self.dirty = true;
        }
    }
}

struct Task {
    store: Store,
    retry: Duration,
    metrics: HistoryMetrics,
    open: HashMap<String, Open>,
}

impl Task {
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>, batch: Duration) {
        let mut tick = tokio::time::interval(batch);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(msg) => self.handle(msg).await,
                    None => break,
                },
                _ = tick.tick() => self.commit_dirty().await,
            }
        }
        self.commit_dirty().await;
    }

    async fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Start(new, buffer) => {
                let id = new.id.clone();
                let open = self.open.entry(id.clone()).or_insert(Open {
                    new,
                    buffer,
                    inserted: false,
                    progress: SavedProgress::default(),
                    dirty: true,
                    ended: false,
                    failing_since: None,
                });
                open.dirty = true;
                self.commit(&id).await;
            }
            Msg::End { id, ending } => {
                if let Some(open) = self.open.get_mut(&id) {
                    open.drain();
                    let p = &mut open.progress;
                    p.findings = Some(findings_of(&open.new, &p.text, &ending));
                    p.status = Some(ending.status);
                    p.ttft_ms = ending.ttft_ms;
                    p.duration_ms = ending.duration_ms;
                    p.output_tokens = ending.output_tokens;
                    p.checks = (!ending.checks.is_empty()).then(|| {
                        serde_json::to_string(&ending.checks).expect("plain data serializes")
                    });
                    p.error = ending.error;
                    open.ended = true;
                    open.dirty = true;
                    self.commit(&id).await;
                }
            }
            Msg::Flush(done) => {
                self.commit_dirty().await;
                let _ = done.send(());
            }
        }
    }

    async fn commit_dirty(&mut self) {
        self.open.values_mut().for_each(Open::drain);
        let ids: Vec<String> = self
            .open
            .iter()
            .filter(|(_, o)| o.dirty)
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            self.commit(&id).await;
        }
    }

    /// Writes one report's row; on failure keeps it for the next batch, or gives up on an
    /// ended report once the retry window has passed.
    async fn commit(&mut self, id: &str) {
        let Some(open) = self.open.get_mut(id) else {
            return;
        };
        let result = async {
            if !open.inserted {
                self.store.insert(&open.new).await?;
                open.inserted = true;
                if open.progress == SavedProgress::default() {
                    // A fresh row already says exactly this.
                    return Ok(());
                }
            }
            self.store.update(id, &open.progress).await
        }
        .await;
        match result {
            Ok(()) => {
                open.dirty = false;
                open.failing_since = None;
                if open.ended {
                    self.open.remove(id);
                    self.metrics.saved.inc();
                }
            }
            Err(e) => {
                self.metrics.write_errors.inc();
                let since = *open.failing_since.get_or_insert_with(Instant::now);
                if open.ended && since.elapsed() >= self.retry {
                    tracing::error!(report_id = %id, error = %e, "report not saved to history");
                    self.open.remove(id);
                    self.metrics.unsaved.inc();
                } else {
                    tracing::warn!(report_id = %id, error = %e, "history write failed; will retry");
                }
            }
        }
    }
}

/// The findings JSON export of an ended report's text, and its severity counts.
fn findings_of(
    new: &NewReport,
    text: &str,
    ending: &Ending,
) -> (String, crate::history::SeverityCounts) {
    let sha = if new.files.is_empty() {
        super::sha256_hex(&new.contract)
    } else {
        super::files::project_sha256(&new.files)
    };
    let name = new.name();
    let origin = super::document::Provenance {
        contract: &new.contract,
        contract_sha256: &sha,
        filename: name.as_deref(),
        provider: &new.provider,
        model: &new.model,
        files: &new.files,
    };
    let millis = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let timings = crate::report::export::Timings {
        ttft_ms: millis(ending.ttft_ms),
        duration_ms: millis(ending.duration_ms),
        output_tokens: millis(ending.output_tokens),
    };
    let (doc, counts) =
        super::document::document(&origin, text, ending.status, timings, &ending.checks);
    let json = serde_json::to_string(&doc).expect("plain data serializes");
    (json, counts)
}
