//! `SameOrigin`: the request comes from our own page, or from no browser at all (403
//! `cross_origin` otherwise). The matching itself is `origin::check_origin`.

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::server::{AppState, error::ApiError, origin::check_origin};

/// Proof that the request's `Origin`, if any, is ours or one of the allowed ones.
#[derive(Debug, Clone, Copy)]
pub struct SameOrigin;

impl FromRequestParts<AppState> for SameOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let limits = &state.settings.limits;
        check_origin(
            &parts.headers,
            parts.uri.authority().map(|a| a.as_str()),
            limits.trust_forwarded_for,
            &limits.allowed_origins,
        )?;
        Ok(SameOrigin)
    }
}
