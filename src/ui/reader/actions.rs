//! What the reader shows above a report on both pages that show one (the generator and a
//! stored report): the status line with live figures, and the actions (copy and the
//! downloads, built by the reader's lazily loaded part), so both show and export a
//! report alike.

use leptos::{prelude::*, task::spawn_local};

use super::{
    load::{ReaderLoad, load},
    state::{Phase, ReportState},
};
use crate::ui::browser;

/// The downloads, in button order: the button's element id and label. Each is built by
/// the reader's part (`exports::EXPORTS`, which lists the same ids), loaded first if it
/// is not here yet.
pub const DOWNLOADS: [(&str, &str); 3] = [
    ("download-md", "Markdown"),
    ("download-json", "JSON"),
    ("download-sarif", "SARIF"),
];

/// Builds and offers download `id`, with the reader's part (fetched now if need be; a
/// failure shows where the reader would be).
fn download(state: ReportState, reader: RwSignal<ReaderLoad>, id: &'static str) {
    if let Some(parts) = reader.get_untracked().ready() {
        (parts.download)(state, id);
        return;
    }
    spawn_local(async move {
        match load().await {
            Ok(parts) => {
                _ = reader.try_set(ReaderLoad::Ready(parts));
                (parts.download)(state, id);
            }
            Err(_) => _ = reader.try_set(ReaderLoad::Failed),
        }
    });
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
pub fn ReportActions(
    state: ReportState,
    reader: RwSignal<ReaderLoad>,
    children: Children,
) -> impl IntoView {
    let copy = move |_| state.markdown.with_untracked(|m| browser::copy_text(m));
    let downloads = DOWNLOADS
        .iter()
        .map(|&(id, label)| {
            view! {
                <button
                    id=id
                    type="button"
                    on:click=move |_| download(state, reader, id)
                    disabled=move || !state.has_report()
                >
                    {label}
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
