//! The report side of the page: the status line with live figures, the actions (copy,
//! downloads, Regenerate), the error with Retry, the report body and the polite status
//! line for screen readers (the report text itself is never in a live region).

use leptos::prelude::*;

use super::{
    browser,
    contract_view::ContractView,
    exports::{self, ExportInput, export_name},
    findings_panel::FindingsPanel,
    report_body::ReportBody,
    report_state::{Phase, ReportState},
    session::{Session, SessionHandle},
};

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

#[component]
fn StatusLine(state: ReportState) -> impl IntoView {
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
            <span class="phase">{move || phase().label()}</span>
            {move || state.model_used.get().map(|m| view! { <span class="model">{m}</span> })}
            {move || state.fallback_notice.get().map(|n| view! { <span class="fallback-notice">{n}</span> })}
            <Show when=move || phase() != Phase::Idle>
                <span class="stats">{stats}</span>
            </Show>
        </div>
    }
}

#[component]
fn ReportActions(state: ReportState, session: SessionHandle) -> impl IntoView {
    let copy = move |_| state.markdown.with_untracked(|m| browser::copy_text(m));
    let can_regenerate =
        move || state.started_with.with(Option::is_some) && !state.phase.get().is_running();
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
            <button
                id="regenerate"
                type="button"
                on:click=move |_| session.with_value(Session::retry)
                disabled=move || !can_regenerate()
            >
                "Regenerate"
            </button>
        </div>
    }
}

#[component]
pub fn ReportPanel(state: ReportState, session: SessionHandle) -> impl IntoView {
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
            <ReportActions state session/>
            {error}
            // The findings sit below the report, so their arrival never moves the text.
            <ReportBody state/>
            <FindingsPanel state/>
            <ContractView state/>
            <p id="announcer" class="visually-hidden" role="status" aria-live="polite">
                {move || state.announcement.get()}
            </p>
        </div>
    }
}
