//! The findings panel: severity counts that update live, each finding as its block
//! completes (click to scroll the report to it, a location to open the contract view
//! at those lines, Copy for its markdown), each with the server's verdict once it is
//! checked (a badge; its reason on hover or opened), a toggle that hides the findings
//! that do not hold, and the blocks that did not parse, listed as unclassified rather
//! than dropped.

use std::sync::Arc;

use leptos::prelude::*;

use super::{
    findings::{CheckedCache, Findings, LiveFinding, LiveUnclassified},
    state::ReportState,
};
use crate::report::{FoundBy, Location};
use crate::ui::browser;

/// `Vault.sol:19-25`, `line 7`.
pub fn location_label(l: &Location) -> String {
    let lines = match l.end_line {
        Some(end) if end != l.line => format!("{}-{end}", l.line),
        _ => l.line.to_string(),
    };
    match &l.file {
        Some(f) => format!("{f}:{lines}"),
        None => format!("line {lines}"),
    }
}

/// Scrolls the report to a finding; the box stops following the stream to stay there.
/// Line 0 is a finding the report text does not hold (the analyzer's).
fn show_in_report(state: ReportState, line: u32) {
    if line == 0 {
        return;
    }
    state.following.set(false);
    browser::scroll_to_line(line);
}

#[component]
fn FindingItem(state: ReportState, item: Arc<LiveFinding>) -> impl IntoView {
    let line = item.line;
    let finding = &item.finding;
    let markdown = item.markdown.clone();
    let severity = finding.severity.as_str();
    let locations = finding
        .locations
        .iter()
        .map(|l| {
            let range = (l.line, l.end_line.unwrap_or(l.line));
            let file = l.file.clone();
            let label = location_label(l);
            let flagged = l.out_of_range;
            view! {
                <button
                    type="button"
                    class="location"
                    class:out-of-range=flagged
                    aria-label=format!("Show {label} in the contract")
                    on:click=move |_| {
                        state.viewing_file.set(file.clone());
                        state.viewing.set(Some(range));
                    }
                >
                    {label.clone()}
                </button>
            }
        })
        .collect_view();
    let verdict = finding.verdict.map(|v| v.as_str()).unwrap_or("");
    let badge = finding.verdict.map(|v| {
        // One element, its reason on hover and for screen readers: a report of thousands
        // of findings keeps a small panel.
        let reason = finding.reason.clone().unwrap_or_default();
        let label = format!("{}: {reason}", v.as_str());
        view! {
            <span class="verdict" data-verdict=v.as_str() title=reason aria-label=label>
                {v.as_str()}
            </span>
        }
    });
    let found_by = match finding.found_by {
        Some(FoundBy::Both) => Some("model and analyzer"),
        Some(FoundBy::Analyzer) => Some("analyzer"),
        _ => None,
    }
    .map(|who| view! { <span class="found-by">{format!("found by the {who}")}</span> });
    view! {
        <li
            class="finding"
            data-severity=severity
            data-complete=finding.complete.to_string()
            data-verdict=verdict
        >
            <span class="severity">{severity}</span>
            <button type="button" class="finding-title" on:click=move |_| show_in_report(state, line)>
                {finding.title.clone()}
            </button>
            {badge}
            {found_by}
            {locations}
            <button
                type="button"
                class="copy-finding"
                aria-label=format!("Copy finding: {}", finding.title)
                on:click=move |_| browser::copy_text(&markdown)
            ></button>
        </li>
    }
}

#[component]
fn UnclassifiedItem(state: ReportState, item: Arc<LiveUnclassified>) -> impl IntoView {
    let line = item.line;
    let title = item.item.title.clone();
    view! {
        <li class="unclassified-item">
            <button type="button" class="finding-title" on:click=move |_| show_in_report(state, line)>
                {title}
            </button>
        </li>
    }
}

/// Findings in pages of this many: a refresh re-lists only the pages whose findings
/// changed, and the browser lays out a page's box, not each finding, while it is off
/// screen (`content-visibility` in the stylesheet). Thousands of findings then cost a
/// refresh about as much as a few dozen.
pub const FINDINGS_PAGE: usize = 64;

/// One page of the list: its findings, compared by pointer with the last refresh's (a
/// finding unchanged since is the same `Arc`), so a page nothing happened to stays as it
/// is.
#[component]
fn FindingPage(
    state: ReportState,
    checked: Memo<Findings>,
    index: usize,
    hide_flagged: RwSignal<bool>,
) -> impl IntoView {
    let items = Memo::new(move |_| {
        checked.with(|f| {
            let from = (index * FINDINGS_PAGE).min(f.findings.len());
            let to = (from + FINDINGS_PAGE).min(f.findings.len());
            f.findings[from..to].to_vec()
        })
    });
    let shown = move || {
        let hide = hide_flagged.get();
        items.with(|items| {
            items
                .iter()
                .filter(|f| !hide || f.finding.holds())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ol class="finding-page" start=index * FINDINGS_PAGE + 1>
            <For
                each=shown
                key=|f| (f.line, f.finding.id.clone(), f.finding.complete, f.finding.verdict)
                let:item
            >
                <FindingItem state item/>
            </For>
        </ol>
    }
}

#[component]
pub fn FindingsPanel(state: ReportState) -> impl IntoView {
    // Shared storage (not `new_local`): the server renders this panel too and drops its
    // owner on another thread.
    let cache = StoredValue::new(CheckedCache::default());
    let checked = Memo::new(move |_| {
        state.findings.with(|f| {
            state.checks.with(|c| {
                cache
                    .try_update_value(|cache| f.with_checks_cached(c, cache))
                    .unwrap_or_else(|| f.with_checks(c))
            })
        })
    });
    let hide_flagged = RwSignal::new(false);
    let counts = move || {
        checked
            .with(|f| f.counts())
            .into_iter()
            .map(|(s, n)| {
                view! { <span class="count" data-severity=s.as_str()>{format!("{n} {s}")}</span> }
            })
            .collect_view()
    };
    let flagged = move || checked.with(Findings::flagged);
    let pages = Memo::new(move |_| checked.with(|f| f.findings.len().div_ceil(FINDINGS_PAGE)));
    let unclassified = move || checked.with(|f| f.unclassified.clone());
    let has_any = move || checked.with(|f| !f.findings.is_empty() || !f.unclassified.is_empty());
    view! {
        <Show when=has_any>
            <aside class="findings" aria-label="Findings">
                <div class="counts">
                    {counts}
                    <Show when=move || flagged() != 0>
                        <span class="count flagged">
                            {move || format!("{} unverified or contradicted", flagged())}
                        </span>
                        <label class="hide-flagged">
                            <input
                                type="checkbox"
                                id="hide-flagged"
                                prop:checked=move || hide_flagged.get()
                                on:change=move |ev| hide_flagged.set(event_target_checked(&ev))
                            />
                            "Hide them"
                        </label>
                    </Show>
                </div>
                <div class="finding-list">
                    <For each=move || 0..pages.get() key=|index| *index let:index>
                        <FindingPage state checked index hide_flagged/>
                    </For>
                </div>
                <Show when=move || !unclassified().is_empty()>
                    <p class="unclassified-head">"Unclassified"</p>
                    <ul class="unclassified">
                        <For each=unclassified key=|u| u.line let:item>
                            <UnclassifiedItem state item/>
                        </For>
                    </ul>
                </Show>
            </aside>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_like_the_report_writes_them() {
        let l = |file: Option<&str>, line, end_line| Location {
            file: file.map(str::to_owned),
            line,
            end_line,
            out_of_range: false,
        };
        assert_eq!(
            location_label(&l(Some("Vault.sol"), 19, Some(25))),
            "Vault.sol:19-25"
        );
        assert_eq!(location_label(&l(None, 7, None)), "line 7");
        assert_eq!(location_label(&l(None, 7, Some(7))), "line 7");
    }
}
