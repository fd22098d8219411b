//! What the reader shows above a report on both pages that show one (the generator and a
//! stored report): the status line with live figures, and the actions (copy and the
//! downloads), so both show and export a report alike.

use leptos::prelude::*;

use super::{
    exports::{EXPORTS, ExportFormat, ExportInput, export_name},
    state::{Phase, ReportState},
};
use crate::ui::browser;

/// Builds an export of the report on screen, from the input it was made from, and
/// offers it as a file.
fn download(state: ReportState, format: &ExportFormat) {
    let (contract, filename, _) = state.started_with.get_untracked().unwrap_or_default();
    let markdown = state.markdown.get_untracked();
    let model = state.model_used.get_untracked();
    let done = state.stats.with_untracked(|s| s.done.clone());
    let checks = state.checks.get_untracked();
    let phase = state.phase.get_untracked();
    let status = matches!(phase, Phase::Stopped | Phase::Failed).then(|| phase.as_str());
    let input = ExportInput {
        markdown: &markdown,
        contract: &contract,
        filename: filename.as_deref(),
        model: model.as_deref(),
        done: done.as_ref(),
        status,
        checks: &checks,
    };
    let name = export_name(filename.as_deref(), format.extension);
    browser::download(&name, format.mime, &(format.build)(&input));
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
            {move || {
                state
                    .pass
                    .get()
                    .filter(|_| phase().is_running())
                    .map(|p| view! { <span class="pass">{p}</span> })
            }}
            <Show when=move || phase() != Phase::Idle>
                <span class="stats">{stats}</span>
            </Show>
        </div>
    }
}

/// Copy and the downloads (one button per entry of `EXPORTS`), then the page's own
/// actions (`children`).
#[component]
pub fn ReportActions(state: ReportState, children: Children) -> impl IntoView {
    let copy = move |_| state.markdown.with_untracked(|m| browser::copy_text(m));
    let downloads = EXPORTS
        .iter()
        .map(|format| {
            view! {
                <button
                    id=format.id
                    type="button"
                    on:click=move |_| download(state, format)
                    disabled=move || !state.has_report()
                >
                    {format.label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="report-actions" role="toolbar" aria-label="Report actions">
            <button id="copy-report" type="button" on:click=copy disabled=move || !state.has_report()>
                "Copy report"
            </button>
            {downloads}
            {children()}
        </div>
    }
}
