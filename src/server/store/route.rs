//! `GET /api/reports/{id}`: a stored report as JSON for scripts and CI. The id is the
//! capability: whoever has it may read the report, as with the report page. The body is
//! the findings JSON export plus the row's id, status, text and times (`document.rs`).

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::server::{AppState, error::ApiError};

pub async fn get_report(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(history) = &state.history else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "history_off",
            "history is switched off on this server (AUDITSTREAM_HISTORY=off)",
        )
        .into_response();
    };
    match history.store.get(&id).await {
        Ok(Some(report)) => Json(super::document::api_json(&report)).into_response(),
        Ok(None) => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no report has this id; it may have been deleted or pruned",
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, report_id = %id, "history read failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "history_unavailable",
                "the history database is unavailable; try again shortly",
            )
            .into_response()
        }
    }
}
