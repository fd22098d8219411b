//! A read-only view of the contract the report is about, with line numbers and a
//! finding's lines highlighted; opened from a finding's location.

use leptos::{html, prelude::*};

use super::state::ReportState;

/// The contract's lines with their 1-based numbers and whether each is highlighted.
pub fn numbered_lines(source: &str, (first, last): (u32, u32)) -> Vec<(u32, String, bool)> {
    source
        .lines()
        .zip(1u32..)
        .map(|(text, n)| (n, text.to_owned(), (first..=last).contains(&n)))
        .collect()
}

#[component]
pub fn ContractView(state: ReportState) -> impl IntoView {
    let list = NodeRef::<html::Ol>::new();
    let lines = move || {
        let range = state.viewing.get()?;
        let source = state
            .started_with
            .with(|i| i.as_ref().map(|(c, _, _)| c.clone()))?;
        Some(numbered_lines(&source, range))
    };
    // Bring the first highlighted line into view once it is drawn.
    Effect::new(move |_| {
        if state.viewing.get().is_some() {
            request_animation_frame(move || {
                if let Some(el) = list.get_untracked()
                    && let Ok(Some(hl)) = el.query_selector(".hl")
                {
                    hl.scroll_into_view_with_bool(false);
                }
            });
        }
    });
    let title = move || {
        let name = state
            .started_with
            .with(|i| i.as_ref().and_then(|(_, f, _)| f.clone()));
        let (a, b) = state.viewing.get().unwrap_or_default();
        let lines = if a == b {
            format!("line {a}")
        } else {
            format!("lines {a}-{b}")
        };
        format!("{}: {lines}", name.unwrap_or_else(|| "contract".into()))
    };
    view! {
        <Show when=move || state.viewing.get().is_some()>
            <section id="contract-view" class="contract-view" aria-label="Contract">
                <div class="contract-view-head">
                    <span>{title}</span>
                    <button type="button" class="close" on:click=move |_| state.viewing.set(None)>
                        "Close"
                    </button>
                </div>
                <ol class="contract-lines" node_ref=list>
                    {move || {
                        lines()
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(n, text, hl)| {
                                view! { <li class:hl=hl value=n><code>{text}</code></li> }
                            })
                            .collect_view()
                    }}
                </ol>
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::numbered_lines;

    #[test]
    fn the_finding_lines_are_highlighted() {
        let lines = numbered_lines("a\nb\nc\nd", (2, 3));
        let hl: Vec<u32> = lines.iter().filter(|l| l.2).map(|l| l.0).collect();
        assert_eq!(hl, [2, 3]);
        assert_eq!(lines[3], (4, "d".into(), false));
    }
}
