//! `AppState`: what every request handler can reach. It lives in its own leaf module so
//! handlers depend on the state and the router depends on the handlers, and nothing
//! depends back on the router.

use std::sync::Arc;

use axum::extract::FromRef;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::{
    config::Settings,
    guard::{self, RateLimit},
    metrics::Metrics,
    resume::{
        Reports,
        redis::{SetupError, Shared, listen_for_stops},
    },
    store::{History, StoreError},
};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    /// One connection pool for every upstream model.
    pub http: reqwest::Client,
    pub metrics: Arc<Metrics>,
    /// Free report-stream slots (`AUDITSTREAM_MAX_STREAMS`).
    pub streams: Arc<Semaphore>,
    /// Cancelled when the server starts shutting down: the listener stops accepting and
    /// in-flight reports get `AUDITSTREAM_SHUTDOWN_GRACE_SECS` to finish.
    pub shutdown: CancellationToken,
    /// The per-client limit on `POST /api/report`; `None` when switched off.
    pub rate_limit: Option<Arc<RateLimit>>,
    /// Report history; `None` until `with_history`, or when `AUDITSTREAM_HISTORY=off`.
    pub history: Option<History>,
    /// Reports with a client-chosen id, which outlive their connection.
    pub reports: Arc<Reports>,
    /// The Redis several instances share reports through (`AUDITSTREAM_REDIS_URL`);
    /// `None` until `with_redis`, or when the setting is unset.
    pub redis: Option<Arc<Shared>>,
}

impl AppState {
    pub fn new(settings: Settings) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.limits.connect_timeout)
            // Keys and contracts never go anywhere but the configured base URL.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds with static settings");
        let resume = &settings.resume;
        // A stop flag per report slot and then some: a Stop may race each request.
        let reports = Reports::new(
            resume.log_events,
            resume.grace,
            settings.limits.max_streams.saturating_mul(4),
        );
        Self {
            reports: Arc::new(reports),
            streams: Arc::new(Semaphore::new(settings.limits.max_streams)),
            rate_limit: guard::rate_limit(&settings.limits),
            settings: Arc::new(settings),
            http,
            metrics: Arc::new(Metrics::new()),
            shutdown: CancellationToken::new(),
            history: None,
            redis: None,
        }
    }

    /// Connects to Redis as the settings say and listens for Stops from other instances
    /// (before the server accepts a request, so none is missed). The binary always does.
    pub async fn with_redis(mut self) -> Result<Self, SetupError> {
        let Some(url) = self.settings.resume.redis_url.clone() else {
            return Ok(self);
        };
        let shared = Arc::new(Shared::connect(&url, &self.settings).await?);
        let reports = self.reports.clone();
        listen_for_stops(
            &shared,
            move |id| {
                reports.cancel(id);
            },
            self.shutdown.clone(),
        )
        .await?;
        self.redis = Some(shared);
        Ok(self)
    }

    /// Opens report history as the settings say (the binary always does).
    pub async fn with_history(mut self) -> Result<Self, StoreError> {
        self.history = History::start(
            &self.settings,
            self.metrics.history.clone(),
            self.shutdown.clone(),
        )
        .await?;
        Ok(self)
    }
}

/// `GET /metrics` needs only the registry, so it asks for just that.
impl FromRef<AppState> for Arc<Metrics> {
    fn from_ref(state: &AppState) -> Self {
        state.metrics.clone()
    }
}
