//! The per-client rate limit on `POST /api/report`: tower_governor's layer keyed by the
//! client address as `addr::client_ip` chooses it, answering refusals with our JSON body.

use std::{net::IpAddr, sync::Arc, time::Duration};

use axum::{body::Body, extract::ConnectInfo, http::Request, response::IntoResponse};
use governor::middleware::NoOpMiddleware;
use tower_governor::{
    GovernorError, GovernorLayer,
    governor::{GovernorConfig, GovernorConfigBuilder},
    key_extractor::KeyExtractor,
};

use super::addr::client_ip;
use crate::server::{
    config::Limits,
    error::{ApiError, Rejection},
};

/// tower_governor's key: the client address as `client_ip` chooses it. Its own
/// `SmartIpKeyExtractor` trusts the leftmost `X-Forwarded-For` entry, which any client
/// can forge, and trusts it always; this one only behind a proxy, and only the last.
#[derive(Clone, Copy, Debug)]
pub struct ClientKey {
    pub trust_forwarded_for: bool,
}

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        let peer = req
            .extensions()
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        client_ip(peer, &forwarded, self.trust_forwarded_for)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

/// The limiter's configuration, shared by the layer and the housekeeping task.
pub type RateLimit = GovernorConfig<ClientKey, NoOpMiddleware>;

/// The per-client limit from the settings, or `None` when it is switched off.
pub fn rate_limit(limits: &Limits) -> Option<Arc<RateLimit>> {
    if limits.rate_per_minute == 0 {
        return None;
    }
    let period = Duration::from_secs(60) / limits.rate_per_minute;
    GovernorConfigBuilder::default()
        .key_extractor(ClientKey {
            trust_forwarded_for: limits.trust_forwarded_for,
        })
        .period(period)
        .burst_size(limits.rate_burst)
        .finish()
        .map(Arc::new)
}

/// tower_governor's layer, answering refusals with our JSON body through its
/// `error_handler`, so the limit needs no hand-written middleware. The refusal is
/// counted like every other by the route's `count_refusals` layer.
pub fn rate_limit_layer(config: Arc<RateLimit>) -> GovernorLayer<ClientKey, NoOpMiddleware, Body> {
    GovernorLayer::new(config).error_handler(move |e| {
        let rejection = match e {
            // The crate rounds the wait down to whole seconds; round up instead, so a
            // client that honours Retry-After is not refused again.
            GovernorError::TooManyRequests { wait_time, .. } => Rejection::RateLimited {
                retry_after: wait_time + 1,
            },
            GovernorError::UnableToExtractKey | GovernorError::Other { .. } => {
                Rejection::NoClientAddress
            }
        };
        ApiError::from(rejection).into_response()
    })
}

/// Drops the state of clients not seen for a while, so the limiter's memory stays
/// bounded. Runs until `stop` is cancelled.
pub async fn rate_limit_housekeeping(
    config: Arc<RateLimit>,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = every.tick() => {
                config.limiter().retain_recent();
                config.limiter().shrink_to_fit();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_off_rate_limit_builds_no_limiter() {
        let mut limits = Limits::default();
        assert!(rate_limit(&limits).is_some());
        limits.rate_per_minute = 0;
        assert!(rate_limit(&limits).is_none());
    }
}
