//! The guards in front of `POST /api/report` (DESIGN §3): the origin check, the
//! per-client rate limit, the cap on concurrent report streams and the body read
//! (size limit and read timeout). Each refusal is a typed `Rejection` (in `error.rs`)
//! that becomes the usual `{"error":{code,message}}` answer. Origin matching
//! (`origin.rs`) and client-address choice (`addr.rs`) are pure functions; the rest is
//! thin glue around tower_governor and tokio.

use std::{net::IpAddr, sync::Arc, time::Duration};

use axum::{
    body::{Body, Bytes},
    extract::ConnectInfo,
    http::{
        HeaderMap, Request,
        header::{HOST, ORIGIN},
    },
    response::IntoResponse,
};
use governor::middleware::NoOpMiddleware;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_governor::{
    GovernorError, GovernorLayer,
    governor::{GovernorConfig, GovernorConfigBuilder},
    key_extractor::KeyExtractor,
};

use super::{
    config::Limits,
    error::{ApiError, Rejection},
    metrics::Metrics,
    origin::origin_allowed,
};

mod addr;
pub use addr::client_ip;

// ---- Origin -----------------------------------------------------------------------

/// 403 when an `Origin` header names someone else. No `Origin` (curl, servers) passes.
pub fn check_origin(
    headers: &HeaderMap,
    authority: Option<&str>,
    limits: &Limits,
) -> Result<(), Rejection> {
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("?");
    let proto = limits
        .trust_forwarded_for
        .then(|| header_str(headers, "x-forwarded-proto"))
        .flatten()
        .and_then(|p| p.split(',').next())
        .map(str::trim);
    let host = header_str(headers, HOST.as_str()).or(authority);
    if origin_allowed(
        origin,
        proto.unwrap_or("http"),
        host,
        &limits.allowed_origins,
    ) {
        Ok(())
    } else {
        Err(Rejection::CrossOrigin {
            origin: origin.chars().take(100).collect(),
        })
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

// ---- Client address and rate limit ----------------------------------------------

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
/// `error_handler`, so the limit needs no hand-written middleware.
pub fn rate_limit_layer(
    config: Arc<RateLimit>,
    metrics: Arc<Metrics>,
) -> GovernorLayer<ClientKey, NoOpMiddleware, Body> {
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
        let e = ApiError::from(rejection);
        metrics.pre_stream_error(e.code);
        e.into_response()
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

// ---- Stream slots and the body ----------------------------------------------------

/// One of `AUDITSTREAM_MAX_STREAMS` report slots. The permit is owned, so the response
/// stream carries it and every way that stream ends gives the slot back.
pub fn stream_slot(slots: &Arc<Semaphore>, max: usize) -> Result<OwnedSemaphorePermit, Rejection> {
    slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| Rejection::Busy { max })
}

/// The request is JSON by its `Content-Type`.
pub fn check_json(headers: &HeaderMap) -> Result<(), Rejection> {
    let is_json = header_str(headers, "content-type")
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(Rejection::NotJson)
    }
}

/// Reads at most `limit` body bytes, all within `timeout` (a total deadline, so a
/// client dribbling one byte at a time cannot hold a slot open).
pub async fn read_body(
    body: Body,
    limit: usize,
    timeout: Duration,
    max_contract: usize,
) -> Result<Bytes, Rejection> {
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(Rejection::BodyTimeout { after: timeout }),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if is_length_limit(&e) => Err(Rejection::TooLarge { max: max_contract }),
        Ok(Err(e)) => Err(Rejection::BodyBroken(e.to_string())),
    }
}

fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
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
