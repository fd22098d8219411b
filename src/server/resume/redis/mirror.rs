//! The producing instance's side: claiming a report id (one generation per id across
//! every instance, and a Stop that came first still holds), then mirroring the report's
//! log into Redis. The writes leave from one task per report, in batches: every event
//! queued while the previous batch was on its way goes in the next `MULTI`/`EXEC`, as
//! the relay's coalescer merges events waiting for one socket write, so a fast model
//! costs a round trip per batch, not per token. The stream, the text, the findings and
//! `meta` change in one transaction, so a reader's snapshot always matches its id.

use std::{sync::Arc, time::Duration};

use ::redis::{RedisError, aio::ConnectionManager};
use tokio::sync::mpsc;

use super::{
    Shared,
    entry::{Keys, event_fields, refusal_fields, stream_id},
};
use crate::{protocol::ReportEvent, server::error::ApiError};

/// The most events one transaction carries.
const MAX_BATCH: usize = 512;

/// What `Shared::claim` found.
pub enum Claim {
    /// This instance produces the report: its writes go through the mirror.
    Ours(Mirror),
    /// Another instance produces it (or produced it, and its log is still kept).
    Elsewhere,
    /// Stop came first, on some instance.
    Stopped,
}

enum Write {
    Event(u64, ReportEvent),
    Refused(ApiError),
}

/// The producer's handle: each event is queued for the report's writer task.
#[derive(Debug)]
pub struct Mirror {
    tx: mpsc::UnboundedSender<Write>,
}

impl std::fmt::Debug for Write {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Write::Event(id, _) => write!(f, "Event({id})"),
            Write::Refused(e) => write!(f, "Refused({})", e.code),
        }
    }
}

impl Mirror {
    pub fn event(&self, id: u64, event: &ReportEvent) {
        let _ = self.tx.send(Write::Event(id, event.clone()));
    }

    pub fn refused(&self, error: &ApiError) {
        let _ = self.tx.send(Write::Refused(error.clone()));
    }
}

impl Shared {
    /// Claims `id` for this instance (`SET NX` of its owner key, for one lease), then
    /// checks the stop flag: a Stop sent anywhere before this claim holds. A Stop after
    /// it reaches this instance's listener, which was subscribed before the server
    /// accepted its first request.
    pub async fn claim(self: &Arc<Self>, id: &str) -> Result<Claim, RedisError> {
        let keys = Keys::of(id);
        let mut conn = self.conn();
        let claimed: Option<String> = ::redis::cmd("SET")
            .arg(&keys.owner)
            .arg(&self.instance)
            .arg("NX")
            .arg("PX")
            .arg(millis(self.lease))
            .query_async(&mut conn)
            .await?;
        if claimed.is_none() {
            return Ok(Claim::Elsewhere);
        }
        let stopped: bool = ::redis::cmd("EXISTS")
            .arg(&keys.stop)
            .query_async(&mut conn)
            .await?;
        if stopped {
            let _: () = ::redis::cmd("DEL")
                .arg(&keys.owner)
                .query_async(&mut conn)
                .await?;
            return Ok(Claim::Stopped);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_log(self.clone(), keys, rx));
        Ok(Claim::Ours(Mirror { tx }))
    }
}

/// The report's writer: batches until the terminal event (or a refusal), renewing the
/// owner key every third of a lease meanwhile; then the keys expire one grace period
/// later.
async fn write_log(shared: Arc<Shared>, keys: Keys, mut rx: mpsc::UnboundedReceiver<Write>) {
    let mut conn = shared.conn();
    let mut renew = tokio::time::interval(shared.lease / 3);
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            n = rx.recv_many(&mut batch, MAX_BATCH) => if n == 0 { break },
            _ = renew.tick() => {
                let r: Result<(), _> = ::redis::cmd("PEXPIRE")
                    .arg(&keys.owner)
                    .arg(millis(shared.lease))
                    .query_async(&mut conn)
                    .await;
                warn_on(r);
                continue;
            }
        }
        let ended = write_batch(&shared, &keys, &mut conn, &batch).await;
        batch.clear();
        if ended {
            break;
        }
    }
}

/// One transaction for `batch`; true when it ended the report.
async fn write_batch(
    shared: &Shared,
    keys: &Keys,
    conn: &mut ConnectionManager,
    batch: &[Write],
) -> bool {
    let mut pipe = ::redis::pipe();
    pipe.atomic();
    let mut ended = false;
    // The batch's tokens go into the text with one APPEND: the transaction is atomic, so
    // no reader sees the text and the stream disagree.
    let mut text = String::new();
    for write in batch {
        match write {
            Write::Event(id, event) => {
                pipe.cmd("XADD")
                    .arg(&keys.events)
                    // Exactly the log size, as the in-memory log keeps.
                    .arg("MAXLEN")
                    .arg(shared.log_events)
                    .arg(stream_id(*id))
                    .arg(&event_fields(event)[..])
                    .ignore();
                match event {
                    ReportEvent::Meta(_) => {
                        pipe.cmd("SET")
                            .arg(&keys.meta)
                            .arg(event.data_json())
                            .ignore();
                    }
                    ReportEvent::Token(t) => text.push_str(&t.text),
                    ReportEvent::Finding(f) => {
                        let json = serde_json::to_string(f).unwrap_or_default();
                        pipe.cmd("RPUSH").arg(&keys.findings).arg(json).ignore();
                    }
                    _ => {}
                }
                ended |= event.is_terminal();
            }
            Write::Refused(e) => {
                pipe.cmd("XADD")
                    .arg(&keys.events)
                    .arg(stream_id(1))
                    .arg(&refusal_fields(e)[..])
                    .ignore();
                ended = true;
            }
        }
    }
    if !text.is_empty() {
        pipe.cmd("APPEND").arg(&keys.text).arg(&text).ignore();
    }
    // Running, the log lives as long as a report may run; ended, one grace period, and
    // the owner key with it (a retried request then attaches to the end, not anew).
    let ttl = if ended {
        shared.grace.max(Duration::from_millis(1))
    } else {
        shared.running_ttl
    };
    for key in keys.log() {
        pipe.cmd("PEXPIRE").arg(key).arg(millis(ttl)).ignore();
    }
    if ended {
        pipe.cmd("PEXPIRE")
            .arg(&keys.owner)
            .arg(millis(ttl))
            .ignore();
    }
    warn_on(pipe.query_async::<()>(conn).await);
    ended
}

fn warn_on(r: Result<(), RedisError>) {
    if let Err(e) = r {
        tracing::warn!(error = %e, "a report's log was not written to Redis");
    }
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
