//! Server functions: everything the page asks the server for that is not the token
//! stream (which is the plain `POST /api/report` route).

use leptos::prelude::*;

use crate::protocol::ModelOption;

/// Every configured model as `provider/model`, plus models the providers report live
/// (Ollama `/api/tags`, `/v1/models`). An unreachable provider is listed as
/// unavailable, with the reason.
#[server]
pub async fn list_models() -> Result<Vec<ModelOption>, ServerFnError> {
    let state = expect_context::<crate::server::AppState>();
    Ok(crate::server::catalog::list(&state).await)
}
