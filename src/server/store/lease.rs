//! Instance leases on a shared PostgreSQL: a server killed mid-report cannot end its
//! reports, and without a lease the others could not tell it from a server still
//! writing them until the longest a report may run had passed. Each server renews its
//! row every third of `AUDITSTREAM_INSTANCE_LEASE_SECS` and writes its id on the reports
//! it starts; on each renewal it interrupts the `streaming` reports of every server whose
//! lease ran out, and forgets those servers. On SQLite (one server per file) nothing of
//! this runs: the next start interrupts every orphan.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Store, StoreError, now_ms};
use crate::history::ReportStatus;

impl Store {
    /// The same store, writing `instance` on every report it inserts.
    pub fn with_instance(self, instance: String) -> Self {
        Self {
            instance: Some(instance),
            ..self
        }
    }

    /// This store's lease id, if it has one.
    pub fn instance(&self) -> Option<&str> {
        self.instance.as_deref()
    }

    /// Holds (or takes) the lease of `instance` until `until_ms`.
    pub async fn renew_lease(&self, instance: &str, until_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO instances (id, lease_until_ms) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET lease_until_ms = excluded.lease_until_ms",
        )
        .bind(instance)
        .bind(until_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks `interrupted` the `streaming` reports of every instance whose lease ended
    /// before `now_ms`, then forgets those instances; how many reports it marked.
    pub async fn interrupt_expired(&self, now_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE reports SET status = $1, updated_ms = $2 WHERE status = $3 AND instance IN \
             (SELECT id FROM instances WHERE lease_until_ms < $2)",
        )
        .bind(ReportStatus::Interrupted.as_str())
        .bind(now_ms)
        .bind(ReportStatus::Streaming.as_str())
        .execute(self.pool())
        .await?;
        sqlx::query("DELETE FROM instances WHERE lease_until_ms < $1")
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

/// Takes the store's lease and keeps it until `shutdown`, interrupting the reports of
/// servers whose lease ran out at each renewal.
pub(super) async fn hold(store: Store, lease: Duration, shutdown: CancellationToken) {
    let Some(instance) = store.instance().map(str::to_owned) else {
        return;
    };
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
    loop {
        let now = now_ms();
        if let Err(e) = store.renew_lease(&instance, now + lease_ms).await {
            tracing::warn!(error = %e, "instance lease not renewed");
        }
        match store.interrupt_expired(now).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                interrupted = n,
                "reports of a server whose lease ran out are now interrupted"
            ),
            Err(e) => tracing::warn!(error = %e, "expired leases not checked"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(lease / 3) => {}
        }
    }
}
