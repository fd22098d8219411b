//! The report side of the generator: the status line and actions (the reader's), with
//! Regenerate; the error with Retry; the link to the report's stored page; the reader
//! itself (body, findings, contract, and the polite status line for screen readers: the
//! report text itself is never in a live region).

use leptos::prelude::*;

use super::session::{Session, SessionHandle};
use crate::{
    api::history_enabled,
    ui::{
        links::report_href,
        reader::{ReaderLoad, ReportActions, ReportReader, ReportState, StatusLine},
    },
};

/// "Saved to history", once the report's `meta` named its stored row, on a server that
/// keeps a history.
#[component]
fn SavedLink(state: ReportState) -> impl IntoView {
    // Asked after hydration, so the page never waits for it.
    let history_on = LocalResource::new(history_enabled);
    let link = move || {
        let id = state.report_id.get()?;
        matches!(history_on.get(), Some(Ok(true))).then(|| {
            view! {
                <p class="saved-link">
                    "Saved to history: "
                    <a id="saved-report" href=report_href(&id)>"open report page"</a>
                </p>
            }
        })
    };
    view! { {link} }
}

#[component]
pub fn ReportPanel(
    state: ReportState,
    session: SessionHandle,
    reader: RwSignal<ReaderLoad>,
) -> impl IntoView {
    let can_regenerate =
        move || state.started_with.with(Option::is_some) && !state.phase.get().is_running();
    let error = move || {
        state.error.get().map(|e| {
            view! {
                <div class="error" role="alert">
                    <span class="message">{e}</span>
                    <button id="retry" type="button" on:click=move |_| session.with_value(Session::retry)>
                        "Retry"
                    </button>
                </div>
            }
        })
    };
    view! {
        <div class="output-pane">
            <StatusLine state/>
            <ReportActions state reader>
                <button
                    id="regenerate"
                    type="button"
                    on:click=move |_| session.with_value(Session::retry)
                    disabled=move || !can_regenerate()
                >
                    "Regenerate"
                </button>
            </ReportActions>
            {error}
            <SavedLink state/>
            <ReportReader state reader/>
        </div>
    }
}
