//! A stored report as the reader shows it: the same `ReportState` the live page fills
//! token by token, filled at once from a `StoredReport`, so the report page reuses every
//! reader component (body, findings, contract view, exports, stats) unchanged. The
//! stored text is attacker-controlled and goes through the same markdown renderer.
//! Pure apart from the signals it creates.

use leptos::prelude::*;

use crate::{
    history::{ReportStatus, StoredReport},
    protocol::Done,
    ui::reader::{LiveStats, Phase, ProjectDraft, ReportState, load::ReaderParts},
};

/// The reader's phase for a stored status (`#report[data-phase]` follows it).
pub fn phase_of(status: ReportStatus) -> Phase {
    match status {
        ReportStatus::Streaming => Phase::Streaming,
        ReportStatus::Done => Phase::Done,
        ReportStatus::Stopped | ReportStatus::Interrupted => Phase::Stopped,
        ReportStatus::Failed => Phase::Failed,
    }
}

/// What the report page's status line says for a stored status.
pub fn status_label(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Streaming => "still being written: this is the text so far",
        ReportStatus::Done => "done",
        ReportStatus::Stopped => "stopped: partial report",
        ReportStatus::Failed => "failed: partial report kept",
        ReportStatus::Interrupted => {
            "interrupted: the server stopped mid-report; partial text kept"
        }
    }
}

/// The figures the live page would show at the report's end. The server's `done`
/// figures only for a finished report, exactly as the live page only has them then
/// (the JSON export carries them); otherwise the same figures, counted from the
/// stored timings.
pub fn stored_stats(report: &StoredReport) -> LiveStats {
    let millis = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let ttft = millis(report.ttft_ms);
    let tokens = millis(report.output_tokens);
    let duration = millis(report.duration_ms);
    if let (ReportStatus::Done, Some(duration_ms)) = (report.status, duration) {
        let generating = duration_ms.saturating_sub(ttft.unwrap_or(0));
        let tokens_per_sec = tokens
            .filter(|_| generating > 0)
            .map(|t| t as f64 * 1000.0 / generating as f64);
        return LiveStats {
            tokens: tokens.unwrap_or(0),
            done: Some(Done {
                finish_reason: "stop".into(),
                output_tokens: tokens,
                ttft_ms: ttft,
                duration_ms,
                tokens_per_sec,
            }),
            ..LiveStats::default()
        };
    }
    let elapsed = duration.unwrap_or_else(|| {
        u64::try_from(report.updated_ms.saturating_sub(report.created_ms)).unwrap_or(0)
    });
    LiveStats {
        started_ms: 0.0,
        first_token_ms: ttft.map(|t| t as f64),
        tokens: tokens.unwrap_or(0),
        now_ms: elapsed as f64,
        done: None,
    }
}

impl ReportState {
    /// The reader's state for a stored report: its text cut into finished blocks and
    /// rendered as the live page renders it at the stream's end, its findings, its
    /// phase, figures and input (for the contract view and the exports).
    pub fn from_stored(report: &StoredReport, parts: ReaderParts) -> Self {
        let state = Self::new();
        let input = (
            report.contract.clone(),
            report.filename.clone(),
            Some(report.model_id()),
        );
        state.contract.set(input.0.clone());
        state.filename.set(input.1.clone());
        state.model.set(input.2.clone());
        state.started_with.set(Some(input));
        if !report.files.is_empty() {
            // A project: the contract view opens its files as the live page's does.
            state.project.set(Some(ProjectDraft {
                name: report.filename.clone().unwrap_or_else(|| "project".into()),
                files: report.files.clone(),
                scope: report.scope.clone(),
                exclude: report.exclude.clone(),
                ..ProjectDraft::default()
            }));
        }

        (parts.fill)(state, &report.text, report.status == ReportStatus::Done);
        state.markdown.set(report.text.clone());
        // The verdicts it was streamed with, as stored: not checked again.
        state.checks.set(report.checks.clone());

        state.phase.set(phase_of(report.status));
        state
            .error
            .set(report.error.as_ref().map(|e| e.message.clone()));
        state.model_used.set(Some(report.model_id()));
        state.report_id.set(Some(report.id.clone()));
        state.stats.set(stored_stats(report));
        // A stored report opens at its top.
        state.following.set(false);
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::SeverityCounts;

    fn stored(status: ReportStatus, text: &str) -> StoredReport {
        StoredReport {
            id: "r1".into(),
            created_ms: 1_000,
            updated_ms: 4_000,
            status,
            filename: Some("Vault.sol".into()),
            language: "Solidity".into(),
            provider: "fake".into(),
            model: "echo".into(),
            contract: "contract V {}\n".into(),
            contract_sha256: String::new(),
            text: text.into(),
            findings: None,
            checks: Vec::new(),
            files: Vec::new(),
            scope: Vec::new(),
            exclude: Vec::new(),
            counts: SeverityCounts::default(),
            ttft_ms: Some(100),
            duration_ms: Some(2_100),
            output_tokens: Some(41),
            error: None,
        }
    }

    #[test]
    fn each_status_has_its_phase_and_the_hooks_other_tests_use() {
        let hooks: Vec<&str> = ReportStatus::all().map(|s| phase_of(s).as_str()).collect();
        assert_eq!(hooks, ["streaming", "done", "stopped", "error", "stopped"]);
        assert!(status_label(ReportStatus::Interrupted).starts_with("interrupted: the server"));
        assert!(status_label(ReportStatus::Streaming).contains("text so far"));
    }

    #[test]
    fn a_finished_report_has_the_servers_figures() {
        let s = stored_stats(&stored(ReportStatus::Done, ""));
        let f = s.figures();
        assert_eq!(f.ttft.as_deref(), Some("100 ms"));
        assert_eq!(f.tokens, "41");
        assert_eq!(f.rate.as_deref(), Some("20.5/s"));
        assert_eq!(f.elapsed, "2.1 s");
        assert_eq!(s.done.map(|d| d.duration_ms), Some(2_100));
    }

    #[test]
    fn a_partial_report_counts_its_figures_without_done() {
        let s = stored_stats(&stored(ReportStatus::Stopped, ""));
        assert_eq!(s.done, None);
        let f = s.figures();
        assert_eq!(
            (f.ttft.as_deref(), f.tokens.as_str()),
            (Some("100 ms"), "41")
        );
        assert_eq!(f.elapsed, "2.1 s");
        // An interrupted report has no timings: its age in the database stands in.
        let mut r = stored(ReportStatus::Interrupted, "");
        (r.ttft_ms, r.duration_ms, r.output_tokens) = (None, None, None);
        assert_eq!(stored_stats(&r).figures().elapsed, "3.0 s");
    }

    #[test]
    fn the_state_reads_like_the_live_page_at_its_end() {
        let parts = || crate::ui::reader::load::now().expect("the server has the reader");
        let text = "# Security report: Vault.sol\n\n## Findings\n\n### 1. Reentrancy\n- **Severity:** High\n- **Line:** 1\n\n### 2. Pragma\n- **Severity:** Medium\n- **Line:** 1\n";
        let owner = Owner::new();
        owner.with(|| {
            let state = ReportState::from_stored(&stored(ReportStatus::Done, text), parts());
            assert_eq!(state.phase.get_untracked(), Phase::Done);
            assert_eq!(state.markdown.get_untracked(), text);
            assert_eq!(
                state.findings.with_untracked(|f| f.summary()),
                "1 High, 1 Medium"
            );
            let blocks: usize = state
                .pages
                .with_untracked(|p| p.iter().map(|p| p.blocks.with_untracked(Vec::len)).sum());
            assert!(blocks >= 3, "{blocks} finished blocks");
            assert!(!state.tail.with_untracked(Vec::is_empty));
            assert_eq!(
                state.started_with.get_untracked(),
                Some((
                    "contract V {}\n".into(),
                    Some("Vault.sol".into()),
                    Some("fake/echo".into())
                ))
            );

            let mut failed = stored(ReportStatus::Failed, "## Summary\n");
            failed.error = Some(crate::protocol::ApiErrorDetail {
                code: "upstream_error".into(),
                message: "the model went away".into(),
            });
            let state = ReportState::from_stored(&failed, parts());
            assert_eq!(state.phase.get_untracked().as_str(), "error");
            assert_eq!(
                state.error.get_untracked().as_deref(),
                Some("the model went away")
            );
        });
    }
}
