//! What the history server functions check before they touch the store: that history is
//! on, that the call comes from our own origin (as `POST /api/report` requires), and who
//! the caller is (their owner cookie).

use axum::{
    Extension,
    http::{HeaderMap, StatusCode, Uri},
};
use leptos::prelude::*;

use super::{Owner, Store, StoreError};
use crate::server::{AppState, origin::check_origin};

/// The store and the caller, or the reason the call is refused (with its status set).
pub async fn context() -> Result<(Store, Owner), ServerFnError> {
    let state = expect_context::<AppState>();
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let (headers, uri): (HeaderMap, Uri) = leptos_axum::extract().await?;
    let limits = &state.settings.limits;
    let authority = uri.authority().map(|a| a.as_str());
    if let Err(e) = check_origin(
        &headers,
        authority,
        limits.trust_forwarded_for,
        &limits.allowed_origins,
    ) {
        response.set_status(StatusCode::FORBIDDEN);
        return Err(ServerFnError::new(e.to_string()));
    }
    let Some(store) = state.history.as_ref().map(|h| h.store.clone()) else {
        response.set_status(StatusCode::NOT_FOUND);
        return Err(ServerFnError::new(
            "history is switched off on this server (AUDITSTREAM_HISTORY=off)",
        ));
    };
    let owner = match leptos_axum::extract::<Extension<Owner>>().await {
        Ok(Extension(owner)) => owner,
        // Outside the cookie layer no one owns anything.
        Err(_) => Owner::from_token(&uuid::Uuid::new_v4().to_string()),
    };
    Ok((store, owner))
}

/// A store failure as the server functions report it: logged in full, answered plainly.
pub fn failed(e: StoreError) -> ServerFnError {
    tracing::error!(error = %e, "history query failed");
    ServerFnError::new("the history database is unavailable; try again shortly")
}
