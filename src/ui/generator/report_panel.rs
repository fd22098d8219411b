//! The report side of the page: the status line with live figures, the actions (copy,
//! downloads, Regenerate), the error with Retry, the link to the report's stored page,
//! the report body and the polite status line for screen readers (the report text
//! itself is never in a live region). The status line, the actions and the reader are
//! shared with the stored report's page, so both show and export a report alike.

use leptos::prelude::*;

use super::{
    browser,
    contract_view::ContractView,
    exports::{self, ExportInput, export_name},
    findings_panel::FindingsPanel,
    history_query::report_href,
    report_body::ReportBody,
    report_state::{Phase, ReportState},
    session::{Session, SessionHandle},
};
use crate::history::history_enabled;

/// The three downloads.
#[derive(Clone, Copy)]
enum Export {
    Markdown,
    Json,
    Sarif,
}

/// Builds an export of the report on screen, from the input it was made from, and
/// offers it as a file.
fn download(state: ReportState, kind: Export) {
    let (contract, filename, _) = state.started_with.get_untracked().unwrap_or_default();
    let markdown = state.markdown.get_untracked();
    let model = state.model_used.get_untracked();
    let done = state.stats.with_untracked(|s| s.done.clone());
    let phase = state.phase.get_untracked();
    let status = matches!(phase, Phase::Stopped | Phase::Failed).then(|| phase.as_str());
    let input = ExportInput {
        markdown: &markdown,
        contract: &contract,
        filename: filename.as_deref(),
        model: model.as_deref(),
        done: done.as_ref(),
        status,
    };
    let (ext, mime, body) = match kind {
        Export::Markdown => ("md", "text/markdown", markdown.clone()),
        Export::Json => ("json", "application/json", exports::to_json(&input)),
        Export::Sarif => ("sarif", "application/sarif+json", exports::to_sarif(&input)),
    };
    browser::download(&export_name(filename.as_deref(), ext), mime, &body);
}

/// `label` replaces the phase's own words (a stored report says how it ended).
#[component]
pub fn StatusLine(
    state: ReportState,
    #[prop(optional)] label: Option<&'static str>,
) -> impl IntoView {
    let phase = move || state.phase.get();
    let figures = move || state.stats.with(|s| s.figures());
    let stats = move || {
        let f = figures();
        let ttft = f
            .ttft
            .map(|t| view! { <span class="stat-ttft">{format!("first token {t}")}</span> });
        let rate = f.rate.map(|r| view! { <span class="stat-rate">{r}</span> });
        view! {
            <span class="stat-tokens">{format!("{} tokens", f.tokens)}</span>
            {ttft}
            {rate}
            <span class="stat-elapsed">{f.elapsed}</span>
        }
    };
    view! {
        <div class="status" data-phase=move || phase().as_str() data-state=move || phase().state()>
            <span class="phase">{move || label.unwrap_or_else(|| phase().label())}</span>
            {move || state.model_used.get().map(|m| view! { <span class="model">{m}</span> })}
            {move || state.fallback_notice.get().map(|n| view! { <span class="fallback-notice">{n}</span> })}
            <Show when=move || phase() != Phase::Idle>
                <span class="stats">{stats}</span>
            </Show>
        </div>
    }
}

/// Copy and the downloads, then the page's own actions (`children`).
#[component]
pub fn ReportActions(state: ReportState, children: Children) -> impl IntoView {
    let copy = move |_| state.markdown.with_untracked(|m| browser::copy_text(m));
    view! {
        <div class="report-actions" role="toolbar" aria-label="Report actions">
            <button id="copy-report" type="button" on:click=copy disabled=move || !state.has_report()>
                "Copy report"
            </button>
            <button
                id="download-md"
                type="button"
                on:click=move |_| download(state, Export::Markdown)
                disabled=move || !state.has_report()
            >
                "Markdown"
            </button>
            <button
                id="download-json"
                type="button"
                on:click=move |_| download(state, Export::Json)
                disabled=move || !state.has_report()
            >
                "JSON"
            </button>
            <button
                id="download-sarif"
                type="button"
                on:click=move |_| download(state, Export::Sarif)
                disabled=move || !state.has_report()
            >
                "SARIF"
            </button>
            {children()}
        </div>
    }
}

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
pub fn ReportPanel(state: ReportState, session: SessionHandle) -> impl IntoView {
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
            <ReportActions state>
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
            <ReportReader state/>
        </div>
    }
}
