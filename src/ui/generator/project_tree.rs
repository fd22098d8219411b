//! The project on the page before it is sent: its files as a tree (folders indented),
//! each marked in scope, library, left out (and why) or not read, with a box to put a
//! source in scope or take it out; the lines in scope, the model tokens the report will
//! take against the model's window, and the imports nothing answers. The server's
//! preview says all of it, so the tree is what a report will see.

use leptos::prelude::*;

use super::project_input;
use crate::protocol::{PreviewFile, ProjectPreview};
use crate::ui::reader::ReportState;

/// Deeper folders are indented as this deep (the stylesheet has a rule per depth: the
/// page's policy allows no inline styles).
const MAX_DEPTH: usize = 8;

/// `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The estimate line: "about 12,345 tokens of the model's 32,768" (or over it).
pub fn estimate_line(p: &ProjectPreview) -> String {
    match p.context_tokens {
        Some(window) if p.estimated_tokens > window => format!(
            "about {} tokens: more than the model's {}; take files out of scope or pick a larger model",
            thousands(p.estimated_tokens),
            thousands(window)
        ),
        Some(window) => format!(
            "about {} tokens of the model's {}",
            thousands(p.estimated_tokens),
            thousands(window)
        ),
        None => format!(
            "about {} tokens (the builtin analyzer has no limit)",
            thousands(p.estimated_tokens)
        ),
    }
}

#[component]
fn TreeRow(state: ReportState, file: PreviewFile) -> impl IntoView {
    let depth = file.path.matches('/').count();
    let name = file.path.rsplit('/').next().unwrap_or_default().to_owned();
    let path = file.path.clone();
    let toggle = file.is_source().then(|| {
        let path = path.clone();
        let checked = file.in_scope();
        view! {
            <input
                type="checkbox"
                class="in-scope"
                prop:checked=checked
                aria-label=format!("Audit {path}")
                on:change=move |ev| {
                    project_input::toggle_scope(state, path.clone(), event_target_checked(&ev))
                }
            />
        }
    });
    let lines = (file.lines > 0).then(|| format!("{} lines", thousands(file.lines)));
    let title = path.clone();
    view! {
        <li class="tree-file" data-role=file.role.clone() data-path=path.clone() data-depth=depth.min(MAX_DEPTH)>
            {toggle}
            <span class="name" title=title>{name}</span>
            <span class="role">{file.label.clone()}</span>
            <span class="lines">{lines}</span>
        </li>
    }
}

/// Folder rows between the files: each folder once, before its first file.
fn folders_before(prev: Option<&str>, path: &str) -> Vec<(usize, String)> {
    let dirs: Vec<&str> = path.split('/').collect();
    let prev_dirs: Vec<&str> = prev.map(|p| p.split('/').collect()).unwrap_or_default();
    let folders = &dirs[..dirs.len() - 1];
    let prev_folders = &prev_dirs[..prev_dirs.len().saturating_sub(1)];
    let same = folders
        .iter()
        .zip(prev_folders)
        .take_while(|(a, b)| a == b)
        .count();
    folders[same..]
        .iter()
        .enumerate()
        .map(|(i, name)| (same + i, format!("{name}/")))
        .collect()
}

#[component]
pub fn ProjectTree(state: ReportState) -> impl IntoView {
    let draft = move || state.project.get();
    view! {
        {move || {
            draft()
                .map(|d| {
                    let summary = d.preview.as_ref().map(|p| {
                        let scoped = p.files.iter().filter(|f| f.in_scope()).count();
                        let libraries = p.files.iter().filter(|f| f.role == "library").count();
                        format!(
                            "{} project: {scoped} files in scope ({} lines), {libraries} library files",
                            p.layout,
                            thousands(p.lines_in_scope),
                        )
                    });
                    let estimate = d.preview.as_ref().map(estimate_line);
                    let over = d
                        .preview
                        .as_ref()
                        .is_some_and(|p| p.context_tokens.is_some_and(|w| p.estimated_tokens > w));
                    let not_read = (d.not_read > 0)
                        .then(|| format!("{} other files not read (not Solidity or Vyper sources)", d.not_read));
                    let unresolved = d
                        .preview
                        .as_ref()
                        .map(|p| p.unresolved.clone())
                        .unwrap_or_default();
                    let rows = d
                        .preview
                        .as_ref()
                        .map(|p| {
                            let mut prev: Option<&str> = None;
                            let mut rows = Vec::new();
                            for f in &p.files {
                                for (depth, folder) in folders_before(prev, &f.path) {
                                    rows.push(
                                        view! {
                                            <li class="tree-folder" data-depth=depth.min(MAX_DEPTH)>{folder}</li>
                                        }
                                            .into_any(),
                                    );
                                }
                                prev = Some(&f.path);
                                rows.push(view! { <TreeRow state file=f.clone()/> }.into_any());
                            }
                            rows
                        })
                        .unwrap_or_default();
                    view! {
                        <div class="project" id="project" aria-label="Project">
                            <div class="project-head">
                                <strong class="project-name">{d.name.clone()}</strong>
                                <button
                                    type="button"
                                    id="clear-project"
                                    on:click=move |_| state.project.set(None)
                                >
                                    "Back to one contract"
                                </button>
                            </div>
                            <p class="project-summary">{summary}</p>
                            <p class="project-estimate" class:over=over>{estimate}</p>
                            {not_read.map(|n| view! { <p class="project-not-read">{n}</p> })}
                            <ul class="project-tree">{rows}</ul>
                            {(!unresolved.is_empty())
                                .then(|| {
                                    view! {
                                        <div class="project-unresolved">
                                            <p>"Imports nothing in the project answers:"</p>
                                            <ul>
                                                {unresolved
                                                    .into_iter()
                                                    .map(|u| {
                                                        view! {
                                                            <li>{format!("{} (line {}): {}", u.file, u.line, u.import)}</li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        </div>
                                    }
                                })}
                        </div>
                    }
                })
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(32_768), "32,768");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn each_folder_is_shown_once_before_its_first_file() {
        assert_eq!(folders_before(None, "foundry.toml"), []);
        assert_eq!(
            folders_before(None, "src/core/Vault.sol"),
            [(0, "src/".to_owned()), (1, "core/".to_owned())]
        );
        assert_eq!(
            folders_before(Some("src/core/Vault.sol"), "src/core/Pool.sol"),
            []
        );
        assert_eq!(
            folders_before(Some("src/core/Vault.sol"), "src/lib/Math.sol"),
            [(1, "lib/".to_owned())]
        );
    }

    #[test]
    fn the_estimate_says_when_the_model_is_too_small() {
        let p = |estimated_tokens, context_tokens| ProjectPreview {
            estimated_tokens,
            context_tokens,
            ..ProjectPreview::default()
        };
        assert_eq!(
            estimate_line(&p(12_000, Some(32_768))),
            "about 12,000 tokens of the model's 32,768"
        );
        assert!(estimate_line(&p(40_000, Some(32_768))).contains("more than the model's 32,768"));
        assert!(estimate_line(&p(40_000, None)).contains("no limit"));
    }
}
