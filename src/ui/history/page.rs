//! The history page (`/history`), this browser's reports newest first, with search
//! by filename, status and severity filters and pages. The filters live in the URL
//! (`history_query`), so a list reloads, shares and goes Back as it was; the server
//! renders the first list into the page. A part of its own (`load.rs`).

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_query_map},
};

use super::query::{
    counts_label, history_href, is_filtered, page_count, query_from_params, severity_param,
    with_page,
};

use crate::{
    api::{failure_message, list_reports},
    history::{HistoryPage, HistoryQuery, ReportStatus, ReportSummary},
    report::Severity,
    ui::{
        delete_button::DeleteButton,
        links::{HISTORY_PATH, PASTED, report_href},
        utc_time::{utc_datetime, utc_label},
    },
};

/// The page, as its part hands it to the route.
pub fn page() -> AnyView {
    view! { <History/> }.into_any()
}

#[component]
fn History() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| query_from_params(|k| p.get(k))));
    let list = Resource::new_blocking(move || query.get(), list_reports);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let refetch = Callback::new(move |()| list.refetch());
    let shown = move || {
        Suspend::new(async move {
            match list.await {
                Ok(page) => {
                    // The pager follows the page the server answered.
                    let query = with_page(&query.get_untracked(), page.page);
                    view! { <HistoryList page query refetch/> }.into_any()
                }
                Err(e) => view! {
                    <p class="history-error" role="alert">{failure_message(&e)}</p>
                }
                .into_any(),
            }
        })
    };
    view! {
        <Title text="History: auditstream"/>
        <section class="history-view" data-hydrated=move || hydrated.get().to_string()>
            <h2>"History"</h2>
            <p class="hint">"The reports made in this browser, newest first."</p>
            <HistoryFilters query/>
            <Transition fallback=|| view! { <p class="history-loading">"Loading reports…"</p> }>
                {shown}
            </Transition>
        </section>
    }
}

/// Search and filters; each change opens the first page of the new list.
#[component]
fn HistoryFilters(query: Memo<HistoryQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let text = RwSignal::new(query.with_untracked(|q| q.filename.clone().unwrap_or_default()));
    // Back and Forward change the URL under the search box.
    Effect::new(move |_| text.set(query.with(|q| q.filename.clone().unwrap_or_default())));
    let go = move |change: &dyn Fn(&mut HistoryQuery)| {
        let mut q = query.get_untracked();
        let typed = text.get_untracked().trim().to_owned();
        q.filename = (!typed.is_empty()).then_some(typed);
        change(&mut q);
        q.page = 0;
        navigate(&history_href(&q), NavigateOptions::default());
    };
    let search = {
        let go = go.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            go(&|_: &mut HistoryQuery| {});
        }
    };
    let on_status = {
        let go = go.clone();
        move |value: String| go(&|q: &mut HistoryQuery| q.status = ReportStatus::parse(&value))
    };
    let on_severity = move |value: String| {
        go(&|q: &mut HistoryQuery| {
            q.severity = Severity::all().find(|s| severity_param(*s) == value);
        });
    };
    let statuses = ReportStatus::all()
        .map(|s| (s.as_str().to_owned(), s.as_str()))
        .collect();
    let severities = Severity::all()
        .map(|s| (severity_param(s), s.as_str()))
        .collect();
    let status = Signal::derive(move || query.with(|q| q.status.map(ReportStatus::as_str)));
    let severity = Signal::derive(move || query.with(|q| q.severity.map(severity_param)));
    // Without the app (before hydration), the form still works as a plain GET.
    view! {
        <form class="history-filters" role="search" method="get" action=HISTORY_PATH on:submit=search>
            <label class="filter">
                <span>"Filename"</span>
                <input
                    id="history-q"
                    name="q"
                    type="search"
                    placeholder="Vault.sol"
                    prop:value=move || text.get()
                    value=query.with_untracked(|q| q.filename.clone())
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </label>
            <button id="history-search" type="submit">"Search"</button>
            <FilterSelect id="history-status" name="status" label="Status" options=statuses selected=status pick=on_status/>
            <FilterSelect
                id="history-severity"
                name="severity"
                label="Severity"
                options=severities
                selected=severity
                pick=on_severity
            />
        </form>
    }
}

/// One of the list's filters as a select: "any", then an option per `(value, label)`.
/// `selected` is the value the URL holds (`None` for any); picking one calls `pick`.
#[component]
fn FilterSelect<S: ToString + Send + Sync + 'static>(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<(String, &'static str)>,
    selected: Signal<Option<S>>,
    pick: impl Fn(String) + 'static,
) -> impl IntoView {
    let current = move || selected.with(|s| s.as_ref().map(ToString::to_string));
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = {
                let value = value.clone();
                move || current().as_deref() == Some(value.as_str())
            };
            view! { <option value=value selected=is_selected>{text}</option> }
        })
        .collect_view();
    view! {
        <label class="filter">
            <span>{label}</span>
            <select id=id name=name on:change=move |ev| pick(event_target_value(&ev))>
                <option value="" selected=move || current().is_none()>"any"</option>
                {options}
            </select>
        </label>
    }
}

/// One page of the list, its pager, or the empty state that fits.
#[component]
fn HistoryList(page: HistoryPage, query: HistoryQuery, refetch: Callback<()>) -> impl IntoView {
    let pages = page_count(page.total, page.page_size);
    let empty = page.reports.is_empty().then(|| {
        if page.total > 0 {
            view! {
                <p class="history-empty">
                    "No reports on this page. " <a href=history_href(&with_page(&query, 0))>"First page"</a>
                </p>
            }
            .into_any()
        } else if is_filtered(&query) {
            view! {
                <p class="history-empty">
                    "No reports match. " <a href=HISTORY_PATH>"Clear the filters"</a>
                </p>
            }
            .into_any()
        } else {
            view! {
                <p class="history-empty">"No reports yet. " <a href="/">"Write one"</a></p>
            }
            .into_any()
        }
    });
    let rows = (!page.reports.is_empty()).then(|| {
        let rows = page
            .reports
            .into_iter()
            .map(|summary| view! { <HistoryRow summary refetch/> })
            .collect_view();
        view! { <ol class="history-list" aria-label="Reports">{rows}</ol> }
    });
    let previous = (query.page > 0).then(|| history_href(&with_page(&query, query.page - 1)));
    let next = (query.page + 1 < pages).then(|| history_href(&with_page(&query, query.page + 1)));
    let pager_link = |href: Option<String>, label: &'static str, rel: &'static str| match href {
        Some(href) => view! { <a class="pager-link" href=href rel=rel>{label}</a> }.into_any(),
        None => view! { <span class="pager-link" aria-disabled="true">{label}</span> }.into_any(),
    };
    let reports = if page.total == 1 { "report" } else { "reports" };
    view! {
        {empty}
        {rows}
        <nav class="pager" aria-label="Pages">
            {pager_link(previous, "Previous", "prev")}
            <span class="page-of">{format!("page {} of {pages}", query.page + 1)}</span>
            <span class="history-total">{format!("{} {reports}", page.total)}</span>
            {pager_link(next, "Next", "next")}
        </nav>
    }
}

#[component]
fn HistoryRow(summary: ReportSummary, refetch: Callback<()>) -> impl IntoView {
    let name = summary.filename.clone().unwrap_or_else(|| PASTED.into());
    let counts = match counts_label(&summary.counts) {
        c if !c.is_empty() => c,
        _ if summary.status == ReportStatus::Streaming => String::new(),
        _ => "no findings".into(),
    };
    let status = summary.status.as_str();
    let id = summary.id;
    let href = report_href(&id);
    let key = id.clone();
    view! {
        <li class="history-item" data-id=key data-status=status>
            <a class="history-name" href=href>{name.clone()}</a>
            <span class="history-status" data-status=status>{status}</span>
            <span class="history-counts">{counts}</span>
            <span class="history-model">{format!("{}/{}", summary.provider, summary.model)}</span>
            <time class="history-time" datetime=utc_datetime(summary.created_ms)>
                {utc_label(summary.created_ms)}
            </time>
            <DeleteButton id name on_deleted=move |()| refetch.run(())/>
        </li>
    }
}
