//! `StreamSlot`: one of `AUDITSTREAM_MAX_STREAMS` report slots, or 503 `busy` (also
//! while the server shuts down). The permit is owned, so the response stream carries it
//! and every way that stream ends gives the slot back.

use axum::{extract::FromRequestParts, http::request::Parts};
use tokio::sync::OwnedSemaphorePermit;

use crate::server::{
    AppState,
    error::{ApiError, Rejection},
};

/// A held report slot; dropping it frees the slot.
#[derive(Debug)]
pub struct StreamSlot(pub OwnedSemaphorePermit);

impl FromRequestParts<AppState> for StreamSlot {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.shutdown.is_cancelled() {
            return Err(Rejection::ShuttingDown.into());
        }
        let max = state.settings.limits.max_streams;
        let permit = state.streams.clone().try_acquire_owned();
        Ok(StreamSlot(permit.map_err(|_| Rejection::Busy { max })?))
    }
}
