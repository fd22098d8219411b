//! The report side of the page: the status line with live figures, the actions (copy,
//! downloads, Regenerate), the error with Retry, the report body and the polite status
//! line for screen readers (the report text itself is never in a live region).

use leptos::prelude::*;

use super::{
    browser,
    contract_input::SessionHandle,
    report_body::ReportBody,
    report_state::{Phase, ReportState},
    session::Session,
};

/// The download name for an export: `Vault.sol` → `Vault.report.md`.
pub fn export_name(filename: Option<&str>, extension: &str) -> String {
    let stem = filename
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f))
        .map(|f| f.rsplit_once('.').map_or(f, |(stem, _)| stem))
        .filter(|s| !s.is_empty())
        .unwrap_or("contract");
    format!("{stem}.report.{extension}")
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
            <Show when=move || phase() != Phase::Idle>
                <span class="stats">{stats}</span>
            </Show>
        </div>
    }
}

#[component]
fn ReportActions(state: ReportState, session: SessionHandle) -> impl IntoView {
    let copy = move |_| state.markdown.with_untracked(|m| browser::copy_text(m));
    let download_md = move |_| {
        let name = export_name(state.filename.get_untracked().as_deref(), "md");
        state
            .markdown
            .with_untracked(|m| browser::download(&name, "text/markdown", m));
    };
    let can_regenerate =
        move || state.started_with.with(Option::is_some) && !state.phase.get().is_running();
    view! {
        <div class="report-actions" role="toolbar" aria-label="Report actions">
            <button id="copy-report" type="button" on:click=copy disabled=move || !state.has_report()>
                "Copy report"
            </button>
            <button id="download-md" type="button" on:click=download_md disabled=move || !state.has_report()>
                "Markdown"
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
            <ReportBody state/>
            <p id="announcer" class="visually-hidden" role="status" aria-live="polite">
                {move || state.announcement.get()}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::export_name;

    #[test]
    fn exports_are_named_after_the_contract() {
        assert_eq!(export_name(Some("Vault.sol"), "md"), "Vault.report.md");
        assert_eq!(export_name(Some("dir/a.b.vy"), "sarif"), "a.b.report.sarif");
        assert_eq!(export_name(None, "json"), "contract.report.json");
        assert_eq!(export_name(Some(".sol"), "md"), "contract.report.md");
    }
}
