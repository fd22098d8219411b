//! The reports of this server that outlive their connection, by id: where a retried
//! request, a resuming reader and Stop find the report, and the stop flags that make a
//! Stop arriving before its report's request still count. The producers run on one
//! task tracker so a shutdown can wait for them before the history is flushed.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use tokio_util::task::TaskTracker;

use super::running::Running;

/// What `Reports::reserve` found.
pub enum Reserved {
    /// A new report: the caller starts its producer.
    New(Arc<Running>),
    /// The report already runs (or just finished): attach to it.
    Existing(Arc<Running>),
    /// Stop came first: this id must not start.
    Stopped,
}

#[derive(Default)]
struct Inner {
    running: HashMap<String, Arc<Running>>,
    /// Ids stopped while no report had them, and until when that holds.
    stopped: HashMap<String, Instant>,
}

/// Every report with a client-chosen id on this server.
pub struct Reports {
    inner: Mutex<Inner>,
    /// How long a stop flag holds (the resume grace period).
    flag_for: Duration,
    /// The most stop flags kept; beyond it the oldest go.
    max_flags: usize,
    log_events: usize,
    pub tasks: TaskTracker,
}

impl Reports {
    pub fn new(log_events: usize, flag_for: Duration, max_flags: usize) -> Self {
        Self {
            inner: Mutex::default(),
            flag_for,
            max_flags: max_flags.max(1),
            log_events,
            tasks: TaskTracker::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The report `id`, or a new one under that id (unless Stop came first).
    pub fn reserve(&self, id: &str) -> Reserved {
        let mut inner = self.lock();
        if let Some(r) = inner.running.get(id) {
            return Reserved::Existing(r.clone());
        }
        let now = Instant::now();
        inner.stopped.retain(|_, until| *until > now);
        if inner.stopped.contains_key(id) {
            return Reserved::Stopped;
        }
        let r = Arc::new(Running::new(id.to_owned(), self.log_events));
        inner.running.insert(id.to_owned(), r.clone());
        Reserved::New(r)
    }

    pub fn get(&self, id: &str) -> Option<Arc<Running>> {
        self.lock().running.get(id).cloned()
    }

    /// Forgets `running` (not a newer report under the same id).
    pub fn remove(&self, running: &Arc<Running>) {
        let mut inner = self.lock();
        if inner
            .running
            .get(&running.id)
            .is_some_and(|r| Arc::ptr_eq(r, running))
        {
            inner.running.remove(&running.id);
        }
    }

    /// Stop for `id`: the running report's producer ends it at once; an id no report
    /// has yet is flagged, so a request for it in the next grace period is refused.
    /// True when a report was running.
    pub fn stop(&self, id: &str) -> bool {
        let mut inner = self.lock();
        if let Some(r) = inner.running.get(id) {
            r.stop.cancel();
            return true;
        }
        let now = Instant::now();
        inner.stopped.retain(|_, until| *until > now);
        while inner.stopped.len() >= self.max_flags {
            let oldest = inner
                .stopped
                .iter()
                .min_by_key(|(_, until)| **until)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => inner.stopped.remove(&id),
                None => break,
            };
        }
        inner.stopped.insert(id.to_owned(), now + self.flag_for);
        false
    }

    /// Stop that came from another instance: ends the report if this one runs it (the
    /// flag it needs otherwise is in Redis). True when it did.
    pub fn cancel(&self, id: &str) -> bool {
        let running = self.get(id);
        running.as_ref().inspect(|r| r.stop.cancel()).is_some()
    }

    /// Reports known now (running or lingering).
    pub fn len(&self) -> usize {
        self.lock().running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_id_one_report_and_a_stop_before_it_holds() {
        let reports = Reports::new(8, Duration::from_secs(60), 2);
        let Reserved::New(a) = reports.reserve("a") else {
            panic!("a is new")
        };
        assert!(matches!(reports.reserve("a"), Reserved::Existing(r) if Arc::ptr_eq(&r, &a)));
        assert!(reports.stop("a"));
        assert!(a.stop.is_cancelled());
        assert!(!reports.stop("b"));
        assert!(matches!(reports.reserve("b"), Reserved::Stopped));
        reports.remove(&a);
        assert!(reports.get("a").is_none());
    }

    #[test]
    fn stop_flags_are_bounded_and_expire() {
        let reports = Reports::new(8, Duration::from_secs(60), 2);
        for id in ["x", "y", "z"] {
            reports.stop(id);
        }
        // Two flags at most: the oldest, x, went.
        assert!(matches!(reports.reserve("x"), Reserved::New(_)));
        assert!(matches!(reports.reserve("z"), Reserved::Stopped));
        let brief = Reports::new(8, Duration::ZERO, 2);
        brief.stop("q");
        assert!(matches!(brief.reserve("q"), Reserved::New(_)));
    }

    #[test]
    fn removing_an_old_report_keeps_a_newer_one_under_its_id() {
        let reports = Reports::new(8, Duration::from_secs(60), 2);
        let Reserved::New(old) = reports.reserve("a") else {
            panic!()
        };
        reports.remove(&old);
        let Reserved::New(new) = reports.reserve("a") else {
            panic!()
        };
        reports.remove(&old);
        assert!(reports.get("a").is_some_and(|r| Arc::ptr_eq(&r, &new)));
    }
}
