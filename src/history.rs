//! History as both ends see it: a stored report, one line of the history list, the
//! list's filters, and the server functions that read and delete them. The database
//! behind them is `server::store` (server only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{protocol::ApiErrorDetail, report::Severity};

/// Where a stored report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Still being written by a live stream.
    Streaming,
    Done,
    /// Stop, a closed tab, or the client went away.
    Stopped,
    /// The model or the relay ended it with an error (the error says which).
    Failed,
    /// The server stopped without ending it (a crash); the text is what was saved.
    Interrupted,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        Self::Streaming,
        Self::Done,
        Self::Stopped,
        Self::Failed,
        Self::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Streaming => "streaming",
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// How many findings a report has at each severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
    pub gas: u32,
}

impl SeverityCounts {
    pub fn get(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
            Severity::Gas => self.gas,
        }
    }

    pub fn of(report: &crate::report::Report) -> Self {
        let n = |s| u32::try_from(report.count(s)).unwrap_or(u32::MAX);
        Self {
            critical: n(Severity::Critical),
            high: n(Severity::High),
            medium: n(Severity::Medium),
            low: n(Severity::Low),
            info: n(Severity::Info),
            gas: n(Severity::Gas),
        }
    }
}

/// One line of the history list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub id: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub filename: Option<String>,
    pub provider: String,
    pub model: String,
    pub status: ReportStatus,
    pub counts: SeverityCounts,
}

/// A stored report in full: what `GET /api/reports/{id}` answers and the report page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredReport {
    pub id: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub status: ReportStatus,
    pub filename: Option<String>,
    /// `Solidity` or `Vyper`.
    pub language: String,
    pub provider: String,
    pub model: String,
    pub contract: String,
    /// Lowercase hex SHA-256 of `contract`.
    pub contract_sha256: String,
    /// The report text as streamed so far.
    pub text: String,
    /// The findings read from the text at its end (the report JSON export), when known.
    /// Server-side only (`GET /api/reports/{id}`): the report page reads its findings from
    /// the text with the same parser, so the browser neither receives nor decodes them.
    #[serde(skip)]
    pub findings: Option<serde_json::Value>,
    pub counts: SeverityCounts,
    pub ttft_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub output_tokens: Option<i64>,
    pub error: Option<ApiErrorDetail>,
}

/// The history list's filters and page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// Case-insensitive substring of the filename.
    pub filename: Option<String>,
    pub status: Option<ReportStatus>,
    /// Only reports with at least one finding of this severity.
    pub severity: Option<Severity>,
    /// 0-based page of the server's page size, newest first.
    pub page: u32,
}

/// Reports per history page unless `AUDITSTREAM_HISTORY_PAGE_SIZE` says otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// One page of the history list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub reports: Vec<ReportSummary>,
    pub page: u32,
    /// Reports per page on this server, so the list can count its pages.
    pub page_size: u32,
    /// Every report matching the filters, on all pages.
    pub total: u64,
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
