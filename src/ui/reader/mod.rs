//! The reader: a report on screen, live or stored. Its state as signals (`state`), the
//! body rendered from safe markdown (`body`, `markdown/`), the findings read from the
//! text (`findings`, `findings_panel`), the contract with line numbers (`contract_view`),
//! live figures (`stats`), and the status line, copy and downloads (`actions`,
//! `exports`). The generator and the stored report page both show a report through it;
//! it knows neither.

mod actions;
mod body;
mod contract_view;
mod exports;
mod findings;
mod findings_panel;
mod live;
pub mod markdown;
mod state;
mod stats;

use leptos::prelude::*;

pub use actions::{ReportActions, StatusLine};
pub use findings::FindingsTracker;
pub use live::LiveReader;
pub use markdown::LiveMarkdown;
pub use state::{Input, Phase, ProjectDraft, ReportState};
pub use stats::LiveStats;

use body::ReportBody;
use contract_view::ContractView;
use findings_panel::FindingsPanel;

/// The report as read: its body, its findings, the contract view and the polite
/// status line.
#[component]
pub fn ReportReader(state: ReportState) -> impl IntoView {
    view! {
        // The findings sit below the report, so their arrival never moves the text.
        <ReportBody state/>
        <FindingsPanel state/>
        <ContractView state/>
        <p id="announcer" class="visually-hidden" role="status" aria-live="polite">
            {move || state.announcement.get()}
        </p>
    }
}
