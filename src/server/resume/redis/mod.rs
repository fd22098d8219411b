//! Resumable reports shared by several instances through one Redis
//! (`AUDITSTREAM_REDIS_URL`, docs/architecture.md "Several instances"): the producing
//! instance mirrors each report's log into a Redis Stream, a reader on any instance
//! replays and follows it, a retried request on another instance attaches instead of
//! generating again, and Stop reaches the producer over pub/sub. Without the setting
//! none of this exists and each instance keeps its reports in memory.
//!
//! Layout: `entry` (pure: key names, event ↔ entry, what a reader is owed), `mirror` (the
//! producer's claim and its batched writes), `remote` (a reader on another instance),
//! `stop` (Stop and its listener). This module holds the connection they share.

mod entry;
mod mirror;
pub mod remote;
mod stop;

use std::time::Duration;

use ::redis::{Client, aio::ConnectionManager};
use axum::http::StatusCode;

use crate::server::{config::Settings, error::ApiError};

pub use mirror::{Claim, Mirror};
pub use remote::RemoteReport;
pub use stop::listen_for_stops;

/// Why Redis could not be used at start-up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("AUDITSTREAM_REDIS_URL is not a Redis URL this server can use: {0}")]
    Url(::redis::RedisError),
    #[error(
        "cannot reach the Redis at AUDITSTREAM_REDIS_URL (is redis-server running there?): {0}"
    )]
    Connect(::redis::RedisError),
}

/// One instance's handle on the shared Redis.
pub struct Shared {
    client: Client,
    /// Multiplexed and reconnecting: every write and short read of this instance.
    conn: ConnectionManager,
    /// This instance, as the owner keys name it.
    instance: String,
    /// The stream's `MAXLEN`: the log size setting.
    log_events: usize,
    /// Readers' heartbeat expiry, and how long a finished report's keys stay.
    grace: Duration,
    /// How long a running report's log keys live without a write (its longest run).
    running_ttl: Duration,
    /// How long an owner key lives without its producer renewing it.
    lease: Duration,
}

impl Shared {
    /// Connects (checking the server answers) with the settings' sizes and times.
    pub async fn connect(url: &str, settings: &Settings) -> Result<Self, SetupError> {
        let client = Client::open(url).map_err(SetupError::Url)?;
        let config = ::redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(2);
        let mut conn = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(SetupError::Connect)?;
        let _: String = ::redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(SetupError::Connect)?;
        let resume = &settings.resume;
        Ok(Self {
            client,
            conn,
            instance: uuid::Uuid::new_v4().to_string(),
            log_events: resume.log_events,
            grace: resume.grace,
            running_ttl: settings.limits.max_duration + resume.grace,
            lease: settings.history.lease,
        })
    }

    fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// How much longer a reader on another instance counts as reading `id`; `None` when
    /// none has for the grace period.
    pub async fn read_elsewhere(&self, id: &str) -> Result<Option<Duration>, ::redis::RedisError> {
        let ms: i64 = ::redis::cmd("PTTL")
            .arg(entry::Keys::of(id).read)
            .query_async(&mut self.conn())
            .await?;
        Ok(u64::try_from(ms)
            .ok()
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis))
    }
}

/// A Redis failure while answering a request: 503, try again.
pub fn unavailable(e: &::redis::RedisError) -> ApiError {
    tracing::error!(error = %e, "redis request failed");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "resume_unavailable",
        "the Redis that instances share reports through is unavailable; try again shortly",
    )
}
