//! The errors answered before a report stream starts: `ApiError` (a status and the
//! `{"error":{code,message}}` body, docs/protocol.md) and `Rejection`, the guards' typed
//! refusals, with the `From` conversions from every source. A leaf: the guards, the
//! relay and the rate-limit layer all use it, and it uses none of them.

use std::time::Duration;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::protocol::{ApiErrorBody, ApiErrorDetail};

/// The code of a refusal, left on its response for `metrics::count_refusals`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused(pub &'static str);

/// An error answered before the stream starts: a status and `{"error":{code,message}}`.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: ApiErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.extensions_mut().insert(Refused(self.code));
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

impl From<crate::project::ProjectError> for ApiError {
    /// A project's refusal keeps its own code; a limit is 413, anything else 400.
    fn from(e: crate::project::ProjectError) -> Self {
        let status = if e.is_size_limit() {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

/// Seconds a client is asked to wait when every report slot is taken.
const BUSY_RETRY_AFTER_SECS: u64 = 5;

/// Why a request was refused before any stream started.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejection {
    #[error("requests from {origin} are not accepted; open the app from its own address")]
    CrossOrigin { origin: String },
    #[error("too many report requests from this client; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("every report slot ({max}) is taken; retry shortly")]
    Busy { max: usize },
    #[error("the server is shutting down; retry in a moment")]
    ShuttingDown,
    #[error("send the report request as Content-Type: application/json")]
    NotJson,
    #[error("the contract is larger than the limit of {max} bytes")]
    TooLarge { max: usize },
    #[error("the request body did not arrive within {} s", .after.as_secs_f64())]
    BodyTimeout { after: Duration },
    #[error("the request body could not be read: {0}")]
    BodyBroken(String),
    #[error("the server cannot tell which client this is")]
    NoClientAddress,
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        let (status, code, retry_after) = match &r {
            Rejection::CrossOrigin { .. } => (StatusCode::FORBIDDEN, "cross_origin", None),
            Rejection::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                Some(*retry_after),
            ),
            Rejection::Busy { .. } | Rejection::ShuttingDown => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                Some(BUSY_RETRY_AFTER_SECS),
            ),
            Rejection::NotJson => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                None,
            ),
            Rejection::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", None),
            Rejection::BodyTimeout { .. } => (StatusCode::REQUEST_TIMEOUT, "body_timeout", None),
            Rejection::BodyBroken(_) => (StatusCode::BAD_REQUEST, "invalid_json", None),
            Rejection::NoClientAddress => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        };
        let mut e = ApiError::new(status, code, r.to_string());
        e.retry_after = retry_after;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_have_their_documented_status_and_code() {
        let cases = [
            (
                Rejection::CrossOrigin { origin: "x".into() },
                403,
                "cross_origin",
                None,
            ),
            (
                Rejection::RateLimited { retry_after: 3 },
                429,
                "rate_limited",
                Some(3),
            ),
            (
                Rejection::Busy { max: 2 },
                503,
                "busy",
                Some(BUSY_RETRY_AFTER_SECS),
            ),
            (
                Rejection::ShuttingDown,
                503,
                "busy",
                Some(BUSY_RETRY_AFTER_SECS),
            ),
            (Rejection::NotJson, 415, "unsupported_media_type", None),
            (Rejection::TooLarge { max: 1 }, 413, "too_large", None),
            (
                Rejection::BodyTimeout {
                    after: Duration::from_secs(1),
                },
                408,
                "body_timeout",
                None,
            ),
        ];
        for (r, status, code, retry) in cases {
            let e = ApiError::from(r);
            assert_eq!(
                (e.status.as_u16(), e.code, e.retry_after),
                (status, code, retry)
            );
        }
    }
}
