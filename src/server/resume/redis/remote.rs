//! A reader of a report another instance produces: it replays from the report's Redis
//! Stream after its `Last-Event-ID` and follows it with `XREAD BLOCK` on a connection of
//! its own (a blocked read would hold up every other command on the shared one). A
//! reader whose next event was trimmed away gets one snapshot, as from the in-memory
//! log. While it reads, it refreshes the report's reader key, which the producer's grace
//! timer counts.

use std::{collections::VecDeque, sync::Arc, time::Duration};

use ::redis::{RedisError, aio::MultiplexedConnection};
use futures_util::Stream;

use super::{
    Shared,
    entry::{Entry, Keys, decode, owed_from_entries, snapshot, stream_id},
    mirror::millis,
    unavailable,
};
use crate::{
    protocol::{FindingCheck, ReportEvent},
    server::error::ApiError,
};

/// The longest one `XREAD BLOCK` waits, so the reader key is renewed and a producer
/// that died is noticed.
const MAX_BLOCK: Duration = Duration::from_secs(1);

/// Raw stream entries: (id, flat fields).
type Entries = Vec<(String, Vec<String>)>;

/// A report read from Redis, from one reader's point on.
pub struct RemoteReport {
    conn: MultiplexedConnection,
    shared: Arc<Shared>,
    keys: Keys,
    cursor: u64,
    ended: bool,
    queued: VecDeque<(u64, ReportEvent)>,
}

/// What the report looked like when the reader arrived.
pub enum Found {
    /// It started: follow it.
    Started(Box<RemoteReport>),
    /// It was refused; every reader gets this answer.
    Refused(ApiError),
    /// No instance holds the report under this id (or its producer died).
    Nothing,
}

impl RemoteReport {
    /// Opens the report `id` for a reader that has everything up to `after`; waits for
    /// its first event while its producer is still asking the model.
    pub async fn open(shared: Arc<Shared>, id: &str, after: u64) -> Result<Found, ApiError> {
        let conn = shared
            .client
            .get_multiplexed_async_connection_with_config(
                &::redis::AsyncConnectionConfig::new().set_response_timeout(None),
            )
            .await
            .map_err(|e| unavailable(&e))?;
        let mut report = Self {
            conn,
            shared,
            keys: Keys::of(id),
            cursor: after,
            ended: false,
            queued: VecDeque::new(),
        };
        loop {
            match report.read().await {
                Ok(Read::Events) => return Ok(Found::Started(Box::new(report))),
                Ok(Read::Refused(e)) => return Ok(Found::Refused(e)),
                // A reader that had events follows; one with none waits for the first.
                Ok(Read::Quiet) if after > 0 => return Ok(Found::Started(Box::new(report))),
                Ok(Read::Quiet) => {}
                Ok(Read::Orphaned) => return Ok(Found::Nothing),
                Err(e) => return Err(unavailable(&e)),
            }
        }
    }

    /// The events it is owed, then each new one, until the terminal event (or until the
    /// producer is gone or Redis fails: the reader's connection then ends, and it
    /// reconnects like after any drop).
    pub fn follow(mut self) -> impl Stream<Item = (u64, ReportEvent)> + Send {
        async_stream::stream! {
            loop {
                while let Some(ev) = self.queued.pop_front() {
                    yield ev;
                }
                if self.ended {
                    break;
                }
                match self.read().await {
                    Ok(Read::Events | Read::Quiet) => {}
                    Ok(Read::Refused(_) | Read::Orphaned) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "a remote reader lost Redis");
                        break;
                    }
                }
            }
        }
    }

    /// One blocking read after the cursor (and the reader key renewed).
    async fn read(&mut self) -> Result<Read, RedisError> {
        let block = (self.shared.grace / 3).clamp(Duration::from_millis(10), MAX_BLOCK);
        let mut pipe = ::redis::pipe();
        pipe.cmd("SET")
            .arg(&self.keys.read)
            .arg(1)
            .arg("PX")
            .arg(millis(self.shared.grace))
            .ignore();
        pipe.cmd("XREAD")
            .arg("COUNT")
            .arg(MAX_READ)
            .arg("BLOCK")
            .arg(millis(block))
            .arg("STREAMS")
            .arg(&self.keys.events)
            .arg(stream_id(self.cursor));
        let (read,): (Option<Vec<(String, Entries)>>,) = pipe.query_async(&mut self.conn).await?;
        let entries: Entries = read
            .into_iter()
            .flatten()
            .flat_map(|(_, entries)| entries)
            .collect();
        if entries.is_empty() {
            let owned: bool = ::redis::cmd("EXISTS")
                .arg(&self.keys.owner)
                .query_async(&mut self.conn)
                .await?;
            return Ok(if owned { Read::Quiet } else { Read::Orphaned });
        }
        let mut events = Vec::with_capacity(entries.len());
        for (id, fields) in &entries {
            match decode(id, fields) {
                Ok(Entry::Event(id, ev)) => events.push((id, ev)),
                Ok(Entry::Refused(e)) => return Ok(Read::Refused(e)),
                Err(e) => {
                    tracing::warn!(error = %e, "skipping a report entry");
                }
            }
        }
        let owed = match owed_from_entries(self.cursor, events) {
            Some(owed) => owed,
            None => self.snapshot().await?,
        };
        if let Some((id, _)) = owed.events.last() {
            self.cursor = *id;
        }
        self.ended = owed.ended;
        self.queued.extend(owed.events);
        Ok(Read::Events)
    }

    /// The text so far, read in one transaction with the newest event it goes with.
    async fn snapshot(&mut self) -> Result<super::super::log::Owed, RedisError> {
        let k = &self.keys;
        let (meta, text, findings, last): (Option<String>, Option<String>, Vec<String>, Entries) =
            ::redis::pipe()
                .atomic()
                .cmd("GET")
                .arg(&k.meta)
                .cmd("GET")
                .arg(&k.text)
                .cmd("LRANGE")
                .arg(&k.findings)
                .arg(0)
                .arg(-1)
                .cmd("XREVRANGE")
                .arg(&k.events)
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(1)
                .query_async(&mut self.conn)
                .await?;
        let meta = meta.and_then(|d| ReportEvent::from_sse("meta", &d).ok());
        let findings: Vec<FindingCheck> = findings
            .iter()
            .filter_map(|f| serde_json::from_str(f).ok())
            .collect();
        let last = last
            .first()
            .and_then(|(id, fields)| match decode(id, fields) {
                Ok(Entry::Event(id, ev)) => Some((id, ev)),
                _ => None,
            });
        Ok(match last {
            Some(last) => snapshot(self.cursor, meta, text.unwrap_or_default(), findings, last),
            None => Default::default(),
        })
    }
}

/// The most entries one read returns.
const MAX_READ: usize = 1024;

enum Read {
    /// Events were queued.
    Events,
    /// Nothing new within the block time; the producer still holds the report.
    Quiet,
    Refused(ApiError),
    /// Nothing new, and no instance holds the report any more.
    Orphaned,
}
