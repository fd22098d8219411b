//! The history writer: one task owns the database side of every report in flight, so
//! the relay never waits on the database.
//!
//! The relay holds a [`Recording`] per report and hands it tokens synchronously. The
//! recording `try_send`s to a bounded queue (`AUDITSTREAM_HISTORY_QUEUE` messages); when
//! the queue is full the text stays in the recording and goes with its next message, so
//! nothing is lost or reordered, and `auditstream_history_queue_full_total` counts it.
//! Only a report's end may have to wait for room: that wait runs in its own small task,
//! never in the relay. The writer appends text in memory and commits every
//! `AUDITSTREAM_HISTORY_BATCH_MS` or at a report's end, whichever comes first. A write the
//! database refuses is logged, counted and retried on the next batch; a report that has
//! ended and still cannot be written after `AUDITSTREAM_HISTORY_RETRY_SECS` is given up
//! and counted in `auditstream_history_unsaved_total`.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use prometheus_client::{metrics::counter::Counter, registry::Registry};
use tokio::sync::{mpsc, oneshot};

use super::{NewReport, Progress, Store};
use crate::history::ReportStatus;

/// The history counters in `/metrics`.
#[derive(Clone, Debug, Default)]
pub struct HistoryMetrics {
    /// Messages held back in a recording because the writer's queue was full.
    pub queue_full: Counter,
    /// Database writes that failed (each is retried).
    pub write_errors: Counter,
    /// Reports given up after the retry window, or lost because the writer was gone.
    pub unsaved: Counter,
    /// Reports whose end was committed.
    pub saved: Counter,
}

impl HistoryMetrics {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "history_queue_full",
            "Report text held back by the relay because the history writer's queue was full",
            self.queue_full.clone(),
        );
        registry.register(
            "history_write_errors",
            "History database writes that failed and will be retried",
            self.write_errors.clone(),
        );
        registry.register(
            "history_unsaved",
            "Reports that could not be saved to history",
            self.unsaved.clone(),
        );
        registry.register(
            "history_saved",
            "Reports whose end was saved to history",
            self.saved.clone(),
        );
    }
}

/// How a report ended, as the relay knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ending {
    pub status: ReportStatus,
    pub ttft_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub output_tokens: Option<i64>,
    /// The error event's code and message.
    pub error: Option<(String, String)>,
}

enum Msg {
    Start(Box<NewReport>),
    Append { id: String, text: String },
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
            pending: String::new(),
            ended: false,
        };
        r.flush();
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
    start: Option<Box<NewReport>>,
    /// Text not yet handed to the writer (its queue was full).
    pending: String,
    ended: bool,
}

impl Recording {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Appends streamed text.
    pub fn token(&mut self, text: &str) {
        self.pending.push_str(text);
        self.flush();
    }

    /// Ends the report. If the queue is full, a small task waits for room.
    pub fn end(mut self, ending: Ending) {
        self.ended = true;
        let mut rest = Vec::new();
        if !self.flush() {
            rest.extend(self.start.take().map(Msg::Start));
            if !self.pending.is_empty() {
                rest.push(Msg::Append {
                    id: self.id.clone(),
                    text: std::mem::take(&mut self.pending),
                });
            }
        }
        let end = Msg::End {
            id: self.id.clone(),
            ending,
        };
        if rest.is_empty() {
            match self.writer.tx.try_send(end) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    self.writer.metrics.unsaved.inc();
                    return;
                }
                Err(mpsc::error::TrySendError::Full(end)) => rest.push(end),
            }
        } else {
            rest.push(end);
        }
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

    /// Hands the start and any pending text to the writer; `false` if some stays here.
    fn flush(&mut self) -> bool {
        use mpsc::error::TrySendError;
        let tx = &self.writer.tx;
        if let Some(start) = self.start.take() {
            match tx.try_send(Msg::Start(start)) {
                Ok(()) => {}
                Err(TrySendError::Full(Msg::Start(start))) => {
                    self.start = Some(start);
                    self.writer.metrics.queue_full.inc();
                    return false;
                }
                Err(_) => return false,
            }
        }
        if self.pending.is_empty() {
            return true;
        }
        let text = std::mem::take(&mut self.pending);
        match tx.try_send(Msg::Append {
            id: self.id.clone(),
            text,
        }) {
            Ok(()) => true,
            Err(TrySendError::Full(Msg::Append { text, .. })) => {
                self.pending = text;
                self.writer.metrics.queue_full.inc();
                false
            }
            Err(_) => false,
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
                pending: std::mem::take(&mut self.pending),
                ended: true,
            };
            r.end(Ending {
                status: ReportStatus::Failed,
                ttft_ms: None,
                duration_ms: None,
                output_tokens: None,
                error: Some(("internal".into(), "the relay ended unexpectedly".into())),
            });
        }
    }
}

/// A report the writer holds in memory until its end is committed.
struct Open {
    new: Box<NewReport>,
    inserted: bool,
    progress: Progress,
    dirty: bool,
    ended: bool,
    /// When writes for this report began failing; cleared by a success.
    failing_since: Option<Instant>,
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
            Msg::Start(new) => {
                let id = new.id.clone();
                let open = self.open.entry(id.clone()).or_insert(Open {
                    new,
                    inserted: false,
                    progress: Progress::default(),
                    dirty: true,
                    ended: false,
                    failing_since: None,
                });
                open.dirty = true;
                self.commit(&id).await;
            }
            Msg::Append { id, text } => {
                if let Some(open) = self.open.get_mut(&id) {
                    open.progress.text.push_str(&text);
                    open.dirty = true;
                }
            }
            Msg::End { id, ending } => {
                if let Some(open) = self.open.get_mut(&id) {
                    let p = &mut open.progress;
                    p.findings = Some(findings_of(&open.new, &p.text, &ending));
                    p.status = Some(ending.status);
                    p.ttft_ms = ending.ttft_ms;
                    p.duration_ms = ending.duration_ms;
                    p.output_tokens = ending.output_tokens;
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
                if open.progress == Progress::default() {
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
    let sha = super::sha256_hex(&new.contract);
    let origin = super::document::Origin {
        contract: &new.contract,
        contract_sha256: &sha,
        filename: new.filename.as_deref(),
        provider: &new.provider,
        model: &new.model,
    };
    let millis = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let timings = crate::report::export::Timings {
        ttft_ms: millis(ending.ttft_ms),
        duration_ms: millis(ending.duration_ms),
        output_tokens: millis(ending.output_tokens),
    };
    let (doc, counts) = super::document::document(&origin, text, ending.status, timings);
    let json = serde_json::to_string(&doc).expect("plain data serializes");
    (json, counts)
}
