//! The reader: a report on screen, live or stored. Its state as signals (`state`), the
//! body rendered from safe markdown (`body`, `markdown/`), the findings read from the
//! text (`findings`, `findings_panel`), the contract with line numbers (`contract_view`),
//! live figures (`stats`), and the status line, copy and downloads (`actions`,
//! `exports`). The generator and the stored report page both show a report through it;
//! it knows neither.
//!
//! Most of it is loaded after the page works: `load` is the split point and `chunk` the
//! parts behind it; `plain` shows the text until they are here.

mod actions;
mod body;
mod chunk;
mod contract_view;
mod exports;
mod findings;
mod findings_panel;
mod live;
pub mod load;
pub mod markdown;
mod parts;
mod plain;
mod slot;
mod state;
mod stats;

use leptos::prelude::*;

pub use actions::{ReportActions, StatusLine};
pub use load::{ReaderLoad, Reading};
pub use markdown::LiveMarkdown;
pub use slot::ReadingSlot;
pub use state::{Input, Phase, ProjectDraft, ReportState};
pub use stats::LiveStats;

use plain::PlainReport;

/// The report as read: the reader's part once it is here (body, findings, contract
/// view), the plain text until then, and the polite status line.
#[component]
pub fn ReportReader(state: ReportState, reader: RwSignal<ReaderLoad>) -> impl IntoView {
    // Only a change of kind re-renders (a download setting `Ready` again does not).
    let loaded = Memo::new(move |_| reader.get());
    let shown = move || match loaded.get() {
        ReaderLoad::Ready(parts) => (parts.view)(state),
        _ => view! { <PlainReport state reader/> }.into_any(),
    };
    view! {
        {shown}
        <p id="announcer" class="visually-hidden" role="status" aria-live="polite">
            {move || state.announcement.get()}
        </p>
    }
}
