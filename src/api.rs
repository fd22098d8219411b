//! Server functions, all in one place: everything the page asks the server for that is
//! not the token stream (which is the plain `POST /api/report` route). The types they
//! carry live in modules both ends share (`protocol`, `history`).

use leptos::prelude::*;

use crate::{
    history::{HistoryPage, HistoryQuery, StoredReport},
    protocol::ModelOption,
};

/// Every configured model as `provider/model`, plus models the providers report live
/// (Ollama `/api/tags`, `/v1/models`). An unreachable provider is listed as
/// unavailable, with the reason.
#[server]
pub async fn list_models() -> Result<Vec<ModelOption>, ServerFnError> {
    let state = expect_context::<crate::server::AppState>();
    Ok(crate::server::catalog::list(&state).await)
}

/// The largest contract the server accepts, in bytes.
#[server]
pub async fn contract_limit() -> Result<usize, ServerFnError> {
    let state = expect_context::<crate::server::AppState>();
    Ok(state.settings.limits.max_contract_bytes)
}

/// What a failed history call says to the reader: the server's own sentence (history
/// off, the database unavailable), or that the server could not be reached.
pub fn failure_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(message) => message.clone(),
        ServerFnError::Request(_) => "the server could not be reached; try again".into(),
        other => format!("the server's answer was not understood ({other})"),
    }
}

/// Whether this server keeps a history: the generator links to a report's page only then.
#[server(endpoint = "history/enabled")]
pub async fn history_enabled() -> Result<bool, ServerFnError> {
    let state = expect_context::<crate::server::AppState>();
    Ok(state.history.is_some())
}

/// This browser's reports (its owner cookie's), newest first, filtered and paged.
#[server(endpoint = "history/list")]
pub async fn list_reports(query: HistoryQuery) -> Result<HistoryPage, ServerFnError> {
    let (store, owner) = crate::server::store::access::context().await?;
    store
        .list(&owner, &query)
        .await
        .map_err(crate::server::store::access::failed)
}

/// One stored report by its id; anyone holding the id may read it.
#[server(endpoint = "history/get")]
pub async fn get_report(id: String) -> Result<Option<StoredReport>, ServerFnError> {
    let (store, _) = crate::server::store::access::context().await?;
    store
        .get(&id)
        .await
        .map_err(crate::server::store::access::failed)
}

/// Deletes one of this browser's reports; `false` when it has no report with that id.
#[server(endpoint = "history/delete")]
pub async fn delete_report(id: String) -> Result<bool, ServerFnError> {
    let (store, owner) = crate::server::store::access::context().await?;
    store
        .delete(&id, &owner)
        .await
        .map_err(crate::server::store::access::failed)
}
