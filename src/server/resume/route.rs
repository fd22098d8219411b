//! The routes of a resumable report and the checks they share with `POST /api/report`:
//! `GET /api/reports/{id}/events` (resume from `Last-Event-ID`), `POST
//! /api/reports/{id}/stop` (Stop, on whichever report runs under the id, or a flag if
//! its request has not arrived yet), the id's one accepted form, and an id that history
//! already holds.

use axum::{
    extract::{FromRequestParts, Path, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};

use super::follow::{attach, attach_remote};
use crate::{
    protocol::normal_report_id,
    server::{AppState, error::ApiError, guard::SameOrigin},
};

/// The `Last-Event-ID` a reader sent: the last event it has; 0 when it sent none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastEventId(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for LastEventId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("last-event-id") else {
            return Ok(Self(0));
        };
        let text = value.to_str().unwrap_or("").trim();
        if text.is_empty() {
            return Ok(Self(0));
        }
        text.parse().map(Self).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_last_event_id",
                "Last-Event-ID must be the id of an event this stream sent (a whole number)",
            )
        })
    }
}

/// A request's `report_id` in its one form, or 400 `invalid_report_id`.
pub fn checked_id(asked: &str) -> Result<String, ApiError> {
    normal_report_id(asked).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_report_id",
            "report_id must be a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e \
             (crypto.randomUUID() in a browser)",
        )
    })
}

/// The answer to a report whose Stop came before the model answered it.
pub fn stopped_before_start() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "report_stopped",
        "the report was stopped before the model answered",
    )
}

/// Refuses an id the history already holds (a report that ran before, on this server
/// or another sharing the database): a new report must not write over its row.
pub async fn check_unused(state: &AppState, id: &str) -> Result<(), ApiError> {
    let Some(history) = &state.history else {
        return Ok(());
    };
    match history.store.get(id).await {
        Ok(None) => Ok(()),
        Ok(Some(_)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "report_id_taken",
            "a report with this report_id has already run; pick a new id to generate \
             again, or read it at /api/reports/{id}",
        )),
        Err(e) => {
            tracing::error!(error = %e, report_id = %id, "history read failed");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "history_unavailable",
                "the history database is unavailable; try again shortly",
            ))
        }
    }
}

fn nothing_to_resume() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "nothing_to_resume",
        "no report runs under this id on this server (or, with Redis, on any) any more; \
         a finished report is kept at /api/reports/{id}",
    )
}

/// `GET /api/reports/{id}/events`: what the reader missed after its `Last-Event-ID`,
/// then the report live; a finished report's missed events, then the end.
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    LastEventId(after): LastEventId,
) -> Result<Response, ApiError> {
    let id = normal_report_id(&id).ok_or_else(nothing_to_resume)?;
    if let Some(running) = state.reports.get(&id) {
        return attach(&state, running.reader(), after).await;
    }
    let shared = state.redis.clone().ok_or_else(nothing_to_resume)?;
    attach_remote(&state, shared, &id, after)
        .await?
        .ok_or_else(nothing_to_resume)
}

/// `POST /api/reports/{id}/stop`: 204, and the report under the id ends at once (its
/// model connection closed); if its request has not arrived yet, it is refused when it
/// does, for the next grace period.
pub async fn stop(
    State(state): State<AppState>,
    _: SameOrigin,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = checked_id(&id)?;
    let here = state.reports.stop(&id);
    if let (false, Some(shared)) = (here, &state.redis) {
        shared
            .stop(&id)
            .await
            .map_err(|e| super::redis::unavailable(&e))?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
