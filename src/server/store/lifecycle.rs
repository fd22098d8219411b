//! History's life in the server: opened at start (orphaned `streaming` rows become
//! `interrupted`, old reports are pruned), housekept every hour while the server runs
//! (and, on PostgreSQL, its instance lease held: `lease`), and flushed when it stops.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Backend, Store, StoreError, Writer, lease, now_ms};
use crate::server::config::Settings;
use crate::server::metrics::HistoryMetrics;

/// How often old reports are pruned and (on PostgreSQL) stale `streaming` rows interrupted.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The store for readers and the writer for the relay.
#[derive(Clone, Debug)]
pub struct History {
    pub store: Store,
    pub writer: Writer,
}

impl History {
    /// Opens history as configured; `None` when `AUDITSTREAM_HISTORY=off`.
    pub async fn start(
        settings: &Settings,
        metrics: HistoryMetrics,
        shutdown: CancellationToken,
    ) -> Result<Option<Self>, StoreError> {
        let h = &settings.history;
        if !h.enabled {
            return Ok(None);
        }
        let mut store = Store::open(h).await?;
        if store.backend() == Backend::Postgres {
            store = store.with_instance(uuid::Uuid::new_v4().to_string());
            let lease = lease::hold(store.clone(), h.lease, shutdown.clone());
            tokio::spawn(lease);
        }
        let longest = settings.limits.max_duration + settings.limits.shutdown_grace;
        housekeep(
            &store,
            h.max_age_days,
            orphan_cutoff(store.backend(), longest),
        )
        .await?;
        tokio::spawn({
            let store = store.clone();
            let max_age_days = h.max_age_days;
            async move {
                loop {
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        () = tokio::time::sleep(HOUSEKEEPING_EVERY) => {}
                    }
                    // Only rows no live server can still be writing, even on SQLite now.
                    let cutoff = orphan_cutoff(Backend::Postgres, longest);
                    if let Err(e) = housekeep(&store, max_age_days, cutoff).await {
                        tracing::warn!(error = %e, "history housekeeping failed");
                    }
                }
            }
        });
        let writer = Writer::spawn(store.clone(), h.batch, h.queue, h.retry, metrics);
        tracing::info!(url = %crate::server::config::redact_url(&h.url()), "history on");
        Ok(Some(Self { store, writer }))
    }
}

/// Rows left `streaming` that no live server can own: on SQLite at start every one (one
/// server per data directory); on shared PostgreSQL only those older than the longest a
/// report may run.
fn orphan_cutoff(backend: Backend, longest: Duration) -> Option<i64> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(now_ms() - i64::try_from(longest.as_millis()).unwrap_or(i64::MAX / 2) - 60_000)
        }
    }
}

async fn housekeep(
    store: &Store,
    max_age_days: u64,
    orphans_before: Option<i64>,
) -> Result<(), StoreError> {
    let interrupted = store.interrupt_orphans(orphans_before).await?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "reports left streaming by a stopped server are now interrupted"
        );
    }
    if max_age_days > 0 {
        let days = i64::try_from(max_age_days).unwrap_or(i64::MAX / DAY_MS);
        let pruned = store.prune(now_ms() - days.saturating_mul(DAY_MS)).await?;
        if pruned > 0 {
            tracing::info!(pruned, max_age_days, "old reports deleted");
        }
    }
    Ok(())
}
