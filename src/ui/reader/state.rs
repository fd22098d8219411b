//! The report on screen as signals: its phase, its markdown (raw, finished blocks and
//! the live tail), its figures and what the status line says. The session writes it,
//! the components read it; it depends on neither.

use leptos::prelude::*;

use crate::protocol::{FindingCheck, ProjectFile, ProjectPreview};

use super::{
    findings::Findings,
    markdown::{MarkupNode, RenderedBlock},
    stats::LiveStats,
};

/// Where the current report is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    /// Sent; no token yet ("waiting for the model…").
    Connecting,
    Streaming,
    /// The connection was lost; the report runs on and the page reads it on shortly.
    Reconnecting,
    Done,
    Stopped,
    Failed,
}

impl Phase {
    /// The `data-phase` hook other test suites rely on: connecting counts as streaming.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Connecting | Self::Streaming => "streaming",
            Self::Reconnecting => "reconnecting",
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Failed => "error",
        }
    }

    /// The state's own name, finer than `as_str` (`data-state`).
    pub fn state(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            other => other.as_str(),
        }
    }

    /// What the status line says.
    pub fn label(self) -> &'static str {
        match self {
            Self::Idle => "ready",
            Self::Connecting => "waiting for the model…",
            Self::Streaming => "writing",
            Self::Reconnecting => "reconnecting…",
            Self::Done => "done",
            Self::Stopped => "stopped: partial report",
            Self::Failed => "failed: partial report kept",
        }
    }

    pub fn is_running(self) -> bool {
        matches!(
            self,
            Self::Connecting | Self::Streaming | Self::Reconnecting
        )
    }
}

/// Finished blocks in pages of this many, so appending a block re-checks one page
/// and the page list, never every block of a long report.
pub const PAGE_SIZE: usize = 64;

/// A run of finished blocks; only the last page ever grows.
#[derive(Clone, Debug)]
pub struct BlockPage {
    pub index: usize,
    pub blocks: ArcRwSignal<Vec<RenderedBlock>>,
}

/// A project picked or dropped instead of one contract: its files as they will be sent,
/// the scope a person chose (literal globs; empty: the project's default), and the
/// server's preview of both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectDraft {
    /// The folder's, archive's or first file's name, for the page.
    pub name: String,
    pub files: Vec<ProjectFile>,
    pub scope: Vec<String>,
    pub exclude: Vec<String>,
    pub preview: Option<ProjectPreview>,
    /// Files the page did not read at all (not sources, build folders).
    pub not_read: usize,
}

impl ProjectDraft {
    /// Something to audit: the preview came back with a file in scope.
    pub fn ready(&self) -> bool {
        self.preview
            .as_ref()
            .is_some_and(|p| p.files.iter().any(|f| f.in_scope()))
    }
}

/// What a report is generated from: contract, file name, model.
pub type Input = (String, Option<String>, Option<String>);

/// The signals of one page's report. All `Copy`, so handlers can capture them.
#[derive(Clone, Copy)]
pub struct ReportState {
    pub contract: RwSignal<String>,
    pub filename: RwSignal<Option<String>>,
    /// `provider/model` from the picker; `None` means the server's default.
    pub model: RwSignal<Option<String>>,
    /// A project to audit instead of `contract`, once one is picked or dropped.
    pub project: RwSignal<Option<ProjectDraft>>,
    /// A problem with the input itself (a file too large), shown beside it.
    pub input_error: RwSignal<Option<String>>,
    /// A remark about the input, not a problem (Run again could not pick the model).
    pub input_note: RwSignal<Option<String>>,
    pub phase: RwSignal<Phase>,
    pub error: RwSignal<Option<String>>,
    /// `provider/model` of the report on screen, from its `meta` event.
    pub model_used: RwSignal<Option<String>>,
    /// The stored row of the report on screen (`meta.report_id`).
    pub report_id: RwSignal<Option<String>>,
    /// Which models failed before this one answered (`meta.fallbacks`), as one sentence.
    pub fallback_notice: RwSignal<Option<String>>,
    pub stats: RwSignal<LiveStats>,
    /// The input the current stream was started with (Retry sends it again).
    pub started_with: RwSignal<Option<Input>>,
    /// The markdown exactly as the model wrote it (copy and download).
    pub markdown: RwSignal<String>,
    /// Finished blocks, rendered once each, in pages of [`PAGE_SIZE`].
    pub pages: RwSignal<Vec<BlockPage>>,
    /// The unfinished last block, re-rendered each frame.
    pub tail: RwSignal<Vec<MarkupNode>>,
    /// The findings read out of the report so far.
    pub findings: RwSignal<Findings>,
    /// The server's verdicts on them (`finding` events), and the analyzer's findings the
    /// report text does not hold.
    pub checks: RwSignal<Vec<FindingCheck>>,
    /// The contract lines shown in the contract view, when it is open.
    pub viewing: RwSignal<Option<(u32, u32)>>,
    /// The project file the contract view shows (`None`: the one contract).
    pub viewing_file: RwSignal<Option<String>>,
    /// Whether the report box follows the stream (the reader is at its bottom).
    pub following: RwSignal<bool>,
    /// The polite status line for screen readers.
    pub announcement: RwSignal<String>,
    /// The pass running, for a project reported in passes ("pass 2 of 5: src/Vault.sol").
    pub pass: RwSignal<Option<String>>,
}

impl ReportState {
    pub fn new() -> Self {
        Self {
            contract: RwSignal::new(String::new()),
            filename: RwSignal::new(None),
            model: RwSignal::new(None),
            project: RwSignal::new(None),
            input_error: RwSignal::new(None),
            input_note: RwSignal::new(None),
            phase: RwSignal::new(Phase::Idle),
            error: RwSignal::new(None),
            model_used: RwSignal::new(None),
            report_id: RwSignal::new(None),
            fallback_notice: RwSignal::new(None),
            stats: RwSignal::new(LiveStats::default()),
            started_with: RwSignal::new(None),
            markdown: RwSignal::new(String::new()),
            pages: RwSignal::new(Vec::new()),
            tail: RwSignal::new(Vec::new()),
            findings: RwSignal::new(Findings::default()),
            checks: RwSignal::new(Vec::new()),
            viewing: RwSignal::new(None),
            viewing_file: RwSignal::new(None),
            following: RwSignal::new(true),
            announcement: RwSignal::new(String::new()),
            pass: RwSignal::new(None),
        }
    }

    /// Generate is offered unless the report for exactly this input is running;
    /// pressing it with a changed input replaces the running stream.
    pub fn can_generate(&self) -> bool {
        if let Some(ready) = self.project.with(|p| p.as_ref().map(ProjectDraft::ready)) {
            return ready && !self.phase.get().is_running();
        }
        if self.contract.with(|c| c.trim().is_empty()) {
            return false;
        }
        if !self.phase.get().is_running() {
            return true;
        }
        self.started_with.get() != Some(self.input())
    }

    pub fn input(&self) -> Input {
        (self.contract.get(), self.filename.get(), self.model.get())
    }

    /// Clears the report area for a new stream.
    pub fn reset_report(&self, started_ms: f64) {
        self.markdown.set(String::new());
        self.pages.set(Vec::new());
        self.tail.set(Vec::new());
        self.error.set(None);
        self.model_used.set(None);
        self.report_id.set(None);
        self.fallback_notice.set(None);
        self.findings.set(Findings::default());
        self.checks.set(Vec::new());
        self.viewing.set(None);
        self.viewing_file.set(None);
        self.following.set(true);
        self.pass.set(None);
        self.stats.set(LiveStats::new(started_ms));
        self.phase.set(Phase::Connecting);
    }

    /// Appends finished blocks: to the last page while it has room, else to new ones.
    pub fn append_blocks(&self, blocks: Vec<RenderedBlock>) {
        for block in blocks {
            let last = self.pages.with_untracked(|p| p.last().cloned());
            match last {
                Some(page) if page.blocks.with_untracked(Vec::len) < PAGE_SIZE => {
                    page.blocks.update(|b| b.push(block));
                }
                _ => self.pages.update(|p| {
                    p.push(BlockPage {
                        index: p.len(),
                        blocks: ArcRwSignal::new(vec![block]),
                    })
                }),
            }
        }
    }

    pub fn has_report(&self) -> bool {
        self.markdown.with(|m| !m.is_empty())
    }
}

impl Default for ReportState {
    fn default() -> Self {
        Self::new()
    }
}
