//! History as both ends see it: a stored report, one line of the history list and the
//! list's filters. Types only, so it imports no server code: the server functions that
//! fill them are in `api`, the database behind them is `server::store` (server only).

use serde::{Deserialize, Serialize};

use crate::{protocol::ApiErrorDetail, report::Severity};

/// Where a stored report stands.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
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
    /// Every status, in declaration order.
    pub fn all() -> impl Iterator<Item = ReportStatus> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    /// The name stored and sent: `"streaming"` … `"interrupted"` (the serde name too).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
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
        // Findings the checks found false (unverified, contradicted) are not counted.
        let n = |s| {
            let held = report
                .findings
                .iter()
                .filter(|f| f.severity == s && f.holds())
                .count();
            u32::try_from(held).unwrap_or(u32::MAX)
        };
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

impl StoredReport {
    /// The model it was written by, as the picker names it: `provider/model`.
    pub fn model_id(&self) -> String {
        format!("{}/{}", self.provider, self.model)
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
    /// One contract's text; empty for a project (see `files`).
    pub contract: String,
    /// Lowercase hex SHA-256 of `contract`; for a project, of its file list (each path
    /// with its text's hash).
    pub contract_sha256: String,
    /// The report text as streamed so far.
    pub text: String,
    /// The findings read from the text at its end (the report JSON export), when known.
    /// Server-side only (`GET /api/reports/{id}`): the report page reads its findings from
    /// the text with the same parser, so the browser neither receives nor decodes them.
    #[serde(skip)]
    pub findings: Option<serde_json::Value>,
    /// The verdicts it was streamed with, so the page shows them without checking again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<crate::protocol::FindingCheck>,
    /// A project's files as sent, in order (empty for one contract, whose text is
    /// `contract`): the report page's contract view and Run again read them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::protocol::ProjectFile>,
    /// The project's scope and exclude globs as sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
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
