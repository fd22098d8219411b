//! `JsonBody`: the request body, sent as JSON, read whole within the size limit and the
//! read deadline (a total deadline, so a client dribbling one byte at a time cannot hold
//! a slot open).

use std::time::Duration;

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Request},
    http::HeaderMap,
};

use crate::server::{
    AppState,
    error::{ApiError, Rejection},
    origin::header_str,
};

/// The raw bytes of a JSON request body of at most `body_limit(max_contract_bytes)`.
#[derive(Debug)]
pub struct JsonBody(pub Bytes);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        check_json(req.headers())?;
        let limits = &state.settings.limits;
        let max = limits.max_contract_bytes;
        // A project's files may hold more than one contract may.
        let largest = max.max(limits.project.max_total_bytes);
        let bytes = read_body(
            req.into_body(),
            body_limit(largest),
            limits.body_timeout,
            max,
        )
        .await?;
        Ok(JsonBody(bytes))
    }
}

/// The body of `POST /api/project`: a project's files as JSON, or the bytes of a `.zip`.
#[derive(Debug)]
pub enum ProjectBody {
    Json(Bytes),
    Zip(Bytes),
}

/// The media types a `.zip` arrives with (browsers differ).
const ZIP_TYPES: [&str; 3] = [
    "application/zip",
    "application/x-zip-compressed",
    "application/x-zip",
];

impl FromRequest<AppState> for ProjectBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let mime = header_str(req.headers(), "content-type")
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if !ZIP_TYPES.contains(&mime.as_str()) {
            let JsonBody(bytes) = JsonBody::from_request(req, state).await?;
            return Ok(ProjectBody::Json(bytes));
        }
        let limits = &state.settings.limits;
        // An archive is never larger than what it unpacks to (stored entries are equal).
        let max = limits.project.max_unpacked_bytes;
        match read_body(req.into_body(), max, limits.body_timeout, max).await {
            Ok(bytes) => Ok(ProjectBody::Zip(bytes)),
            Err(Rejection::TooLarge { .. }) => {
                Err(crate::project::ProjectError::ZipTooLargeUnpacked { max }.into())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The largest request body read for a contract limit of `max` bytes: JSON escaping at
/// most doubles a real contract; the exact limit is checked on the decoded contract.
pub fn body_limit(max_contract_bytes: usize) -> usize {
    max_contract_bytes
        .saturating_mul(2)
        .saturating_add(64 * 1024)
}

/// The request is JSON by its `Content-Type`.
fn check_json(headers: &HeaderMap) -> Result<(), Rejection> {
    let is_json = header_str(headers, "content-type")
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(Rejection::NotJson)
    }
}

/// Reads at most `limit` body bytes, all within `timeout`.
async fn read_body(
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
