//! The findings panel: severity counts that update live, each finding as its block
//! completes (click to scroll the report to it, a location to open the contract view
//! at those lines, Copy for its markdown), and the blocks that did not parse, listed
//! as unclassified rather than dropped.

use std::sync::Arc;

use leptos::prelude::*;

use super::{
    findings::{LiveFinding, LiveUnclassified},
    state::ReportState,
};
use crate::report::Location;
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
fn show_in_report(state: ReportState, line: u32) {
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
            let label = location_label(l);
            let flagged = l.out_of_range;
            view! {
                <button
                    type="button"
                    class="location"
                    class:out-of-range=flagged
                    aria-label=format!("Show {label} in the contract")
                    on:click=move |_| state.viewing.set(Some(range))
                >
                    {label.clone()}
                </button>
            }
        })
        .collect_view();
    view! {
        <li class="finding" data-severity=severity data-complete=finding.complete.to_string()>
            <span class="severity">{severity}</span>
            <button type="button" class="finding-title" on:click=move |_| show_in_report(state, line)>
                {finding.title.clone()}
            </button>
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

#[component]
pub fn FindingsPanel(state: ReportState) -> impl IntoView {
    let counts =
        move || {
            state.findings.with(|f| f.counts()).into_iter().map(|(s, n)| {
            view! { <span class="count" data-severity=s.as_str()>{format!("{n} {s}")}</span> }
        })
        .collect_view()
        };
    let findings = move || state.findings.with(|f| f.findings.clone());
    let unclassified = move || state.findings.with(|f| f.unclassified.clone());
    let has_any = move || {
        state
            .findings
            .with(|f| !f.findings.is_empty() || !f.unclassified.is_empty())
    };
    view! {
        <Show when=has_any>
            <aside class="findings" aria-label="Findings">
                <div class="counts">{counts}</div>
                <ol class="finding-list">
                    <For each=findings key=|f| (f.line, f.finding.complete) let:item>
                        <FindingItem state item/>
                    </For>
                </ol>
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
