//! A read-only view of the contract the report is about, with line numbers and a
//! finding's lines highlighted; opened from a finding's location. For a project it shows
//! the file the location names, and a list of the project's sources to open any other.

use leptos::{html, prelude::*};

use super::state::ReportState;
use crate::protocol::is_source;

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
    let project_file = move |path: &str| {
        state.project.with(|p| {
            let files = &p.as_ref()?.files;
            project_source(
                files.iter().map(|f| (f.path.as_str(), f.content.as_str())),
                path,
            )
            .map(str::to_owned)
        })
    };
    let lines = move || {
        let range = state.viewing.get()?;
        let source = match state.viewing_file.get() {
            Some(path) if state.project.with(Option::is_some) => project_file(&path)
                .unwrap_or_else(|| format!("{path} is not among the project's files on this page")),
            _ => state
                .started_with
                .with(|i| i.as_ref().map(|(c, _, _)| c.clone()))?,
        };
        Some(numbered_lines(&source, range))
    };
    // The project's sources, as the server's preview sorted them out (a stored report
    // has no preview: its sources by name).
    let sources = move || {
        state
            .project
            .with(|p| {
                let draft = p.as_ref()?;
                Some(match &draft.preview {
                    Some(preview) => preview
                        .files
                        .iter()
                        .filter(|f| f.is_source())
                        .map(|f| f.path.clone())
                        .collect::<Vec<_>>(),
                    None => draft
                        .files
                        .iter()
                        .filter(|f| is_source(&f.path))
                        .map(|f| f.path.clone())
                        .collect(),
                })
            })
            .unwrap_or_default()
    };
    let pick = move |ev: leptos::ev::Event| {
        let path = event_target_value(&ev);
        state.viewing_file.set(Some(path));
        state.viewing.set(Some((1, 1)));
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
        let name = state.viewing_file.get().or_else(|| {
            state
                .started_with
                .with(|i| i.as_ref().and_then(|(_, f, _)| f.clone()))
        });
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
                    <Show when=move || !sources().is_empty()>
                        <select class="contract-file" aria-label="Open a file of the project" on:change=pick>
                            {move || {
                                let open = state.viewing_file.get();
                                sources()
                                    .into_iter()
                                    .map(|p| {
                                        let selected = open.as_deref() == Some(p.as_str());
                                        view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </Show>
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

/// The text of the project file a location names: its path exactly, or else the one file
/// whose path ends with it (`Vault.sol` for `src/Vault.sol`).
pub fn project_source<'a>(
    files: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    path: &str,
) -> Option<&'a str> {
    if let Some((_, text)) = files.clone().find(|(p, _)| *p == path) {
        return Some(text);
    }
    let suffix = format!("/{}", path.trim_start_matches("./"));
    let mut ends = files.filter(|(p, _)| p.ends_with(&suffix));
    match (ends.next(), ends.next()) {
        (Some((_, text)), None) => Some(text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{numbered_lines, project_source};

    #[test]
    fn a_location_opens_its_project_file() {
        let files = [
            ("src/Vault.sol", "v"),
            ("lib/a/Vault.sol", "w"),
            ("src/Base.sol", "b"),
        ];
        let it = || files.iter().map(|(p, t)| (*p, *t));
        assert_eq!(project_source(it(), "src/Vault.sol"), Some("v"));
        assert_eq!(project_source(it(), "Base.sol"), Some("b"));
        // Two files end with it: neither is guessed.
        assert_eq!(project_source(it(), "Vault.sol"), None);
        assert_eq!(project_source(it(), "Nope.sol"), None);
    }

    #[test]
    fn the_finding_lines_are_highlighted() {
        let lines = numbered_lines("a\nb\nc\nd", (2, 3));
        let hl: Vec<u32> = lines.iter().filter(|l| l.2).map(|l| l.0).collect();
        assert_eq!(hl, [2, 3]);
        assert_eq!(lines[3], (4, "d".into(), false));
    }
}
