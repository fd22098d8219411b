//! The stored report's page (`/reports/:id`): one stored report rendered on the server
//! with the live page's own reader (body, findings, contract view, exports, figures),
//! so its link can be shared and opens at once without running anything. Run again
//! opens the generator with its input; Delete is for the browser that made it. A part of
//! its own (`load.rs`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_params_map},
};

use super::state::status_label;

use crate::{
    api::{failure_message, get_report},
    history::{ReportStatus, StoredReport},
    ui::{
        delete_button::DeleteButton,
        links::{HISTORY_PATH, PASTED, report_href, rerun_href},
        part::PartFailed,
        reader::{
            ReaderLoad, ReportActions, ReportReader, ReportState, StatusLine,
            load::{ReaderParts, load_into, now, reload_into},
        },
        utc_time::{utc_datetime, utc_label},
    },
};

/// What the page says for an id the store does not have.
pub const NOT_FOUND: &str = "No report has this id; it may have been deleted or pruned.";

/// Answers the page with 404 (on the server; nothing to do in the browser).
fn not_found_status() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
}

/// The page, as its part hands it to the route.
pub fn page() -> AnyView {
    view! { <StoredReport/> }.into_any()
}

#[component]
fn StoredReport() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    // Blocking: the server awaits it, so the report is in the page's HTML.
    let report = Resource::new_blocking(move || id.get(), get_report);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    // Here on the server and when the page was opened at this address (the browser
    // loads the reader's part before it hydrates); fetched now after a navigation.
    let reader = RwSignal::new(now().map_or(ReaderLoad::Waiting, ReaderLoad::Ready));
    Effect::new(move |_| {
        if reader.get_untracked() == ReaderLoad::Waiting {
            load_into(reader);
        }
    });
    let loaded = Memo::new(move |_| reader.get());
    let retry_reader = Callback::new(move |()| reload_into(reader));
    let shown = move || {
        Suspend::new(async move {
            match report.await {
                Ok(Some(report)) => {
                    match loaded.get() {
                        ReaderLoad::Ready(parts) => {
                            view! { <StoredReportPanel report parts reader/> }.into_any()
                        }
                        ReaderLoad::Waiting => view! {
                            <p class="history-loading">"Loading the report viewer…"</p>
                        }
                        .into_any(),
                        ReaderLoad::Failed => {
                            let message = "The report viewer did not load; check the connection and try again.".to_owned();
                            view! { <PartFailed message retry=retry_reader/> }.into_any()
                        }
                    }
                }
                Ok(None) => {
                    not_found_status();
                    view! {
                        <Title text="Report not found: auditstream"/>
                        <div class="stored-missing">
                            <h2>"Report not found"</h2>
                            <p id="report-not-found">{NOT_FOUND}</p>
                            <p><a href=HISTORY_PATH>"Back to the history"</a></p>
                        </div>
                    }
                    .into_any()
                }
                Err(e) => view! {
                    <p class="history-error" role="alert">{failure_message(&e)}</p>
                }
                .into_any(),
            }
        })
    };
    view! {
        <section class="stored-report" data-hydrated=move || hydrated.get().to_string()>
            <Suspense fallback=|| view! { <p class="history-loading">"Loading the report…"</p> }>
                {shown}
            </Suspense>
        </section>
    }
}

#[component]
fn StoredReportPanel(
    report: StoredReport,
    parts: ReaderParts,
    reader: RwSignal<ReaderLoad>,
) -> impl IntoView {
    let state = ReportState::from_stored(&report, parts);
    let navigate = use_navigate();
    let name = report.filename.clone().unwrap_or_else(|| PASTED.into());
    let id = report.id.clone();
    let streaming = (report.status == ReportStatus::Streaming).then(|| {
        view! {
            <p class="stored-notice" role="status">
                "This report is still being written; this is the text so far. "
                <a href=report_href(&id) rel="external">"Reload"</a>
            </p>
        }
    });
    let error = report.error.as_ref().map(|e| {
        view! {
            <div class="error" role="alert">
                <span class="message">{e.message.clone()}</span>
            </div>
        }
    });
    view! {
        <Title text=format!("{name}: auditstream report")/>
        <div class="output-pane stored-pane" data-status=report.status.as_str()>
            <h2 class="stored-title">{name.clone()}</h2>
            <p class="stored-facts">
                <span>{report.language.clone()}</span>
                " · "
                <time datetime=utc_datetime(report.created_ms)>{utc_label(report.created_ms)}</time>
                " · "
                <a href=HISTORY_PATH>"History"</a>
            </p>
            <StatusLine state label=status_label(report.status)/>
            {streaming}
            {error}
            <ReportActions state reader>
                <a id="run-again" class="button-link" href=rerun_href(&report.id)>
                    "Run again"
                </a>
                <DeleteButton
                    id=report.id.clone()
                    name=name
                    on_deleted=move |()| navigate(HISTORY_PATH, NavigateOptions::default())
                />
            </ReportActions>
            <ReportReader state reader/>
        </div>
    }
}
