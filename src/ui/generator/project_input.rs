//! A project into the page: several files picked or dropped, a folder (picked, or dropped
//! and walked through the browser's entries API), or a `.zip`. Only what the server
//! reads is read here (Solidity/Vyper sources and layout files, outside build and VCS
//! folders), then the server is asked for its preview (`POST /api/project`), which the
//! page shows as the project's tree before anything is generated. The choice of what to
//! read is pure and tested here.

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::client::{ProjectUpload, preview_project};
use crate::protocol::{ProjectFile, is_build_folder, is_kept, literal_glob};
use crate::ui::reader::{ProjectDraft, ReportState};

/// Whether the page reads `path` of a project at all: what the server keeps (sources and
/// layout files), outside the build, cache and VCS folders it never descends into.
/// Everything else is counted as not read.
pub fn is_wanted(path: &str) -> bool {
    let mut parts = path.split('/');
    let name = parts.next_back().unwrap_or_default();
    !parts.any(is_build_folder) && is_kept(name)
}

/// A `.zip` by its name.
pub fn is_zip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// The project's name for the page: the common top folder of `paths`, or the first file.
pub fn project_name(paths: &[String]) -> String {
    let top = |p: &String| p.split_once('/').map(|(t, _)| t.to_owned());
    match paths.first().and_then(top) {
        Some(t) if paths.iter().all(|p| top(p).as_deref() == Some(t.as_str())) => t,
        _ => paths.first().cloned().unwrap_or_default(),
    }
}

/// Reads the wanted ones of `files` (`(path, file)`) and asks for their preview;
/// `not_read` files were left out before (a drop's).
pub fn load_files(state: ReportState, files: Vec<(String, web_sys::File)>, not_read: usize) {
    let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
    let name = project_name(&paths);
    let (wanted, not_wanted): (Vec<_>, Vec<_>) = files.into_iter().partition(|(p, _)| is_wanted(p));
    if wanted.is_empty() {
        state.input_error.set(Some(format!(
            "{name} holds no Solidity or Vyper source (.sol, .vy)"
        )));
        return;
    }
    state.input_error.set(None);
    spawn_local(async move {
        let mut read = Vec::with_capacity(wanted.len());
        for (path, file) in wanted {
            match JsFuture::from(file.text()).await {
                Ok(text) => read.push(ProjectFile {
                    path,
                    content: text.as_string().unwrap_or_default(),
                }),
                Err(_) => {
                    state
                        .input_error
                        .set(Some(format!("could not read {path}")));
                    return;
                }
            }
        }
        let draft = ProjectDraft {
            name,
            files: read,
            not_read: not_read + not_wanted.len(),
            ..ProjectDraft::default()
        };
        ask_preview(state, draft, None).await;
    });
}

/// Reads a `.zip` and asks for its preview; the server unpacks it (in memory) and sends
/// back the files it read, which are what a report is then sent with.
pub fn load_zip(state: ReportState, file: web_sys::File) {
    let name = file.name();
    state.input_error.set(None);
    spawn_local(async move {
        let bytes = match JsFuture::from(file.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                state
                    .input_error
                    .set(Some(format!("could not read {name}")));
                return;
            }
        };
        let draft = ProjectDraft {
            name,
            ..ProjectDraft::default()
        };
        ask_preview(state, draft, Some(bytes)).await;
    });
}

/// Puts `path` in scope or takes it out, and asks for the preview again.
pub fn toggle_scope(state: ReportState, path: String, in_scope: bool) {
    let Some(draft) = state.project.get_untracked() else {
        return;
    };
    let Some(preview) = &draft.preview else {
        return;
    };
    let mut scoped: Vec<String> = preview
        .files
        .iter()
        .filter(|f| f.in_scope() && f.path != path)
        .map(|f| f.path.clone())
        .collect();
    if in_scope {
        scoped.push(path);
    }
    scoped.sort();
    let draft = ProjectDraft {
        scope: scoped.iter().map(|p| literal_glob(p)).collect(),
        // The boxes now say exactly which files are in scope.
        exclude: Vec::new(),
        ..draft
    };
    spawn_local(ask_preview(state, draft, None));
}

/// Puts a stored project back on the page (Run again): its files and globs as they were
/// sent, previewed afresh against the model now picked.
pub async fn restore(state: ReportState, draft: ProjectDraft) {
    ask_preview(state, draft, None).await;
}

/// Asks for the preview again (another model: another context window).
pub fn refresh(state: ReportState) {
    if let Some(draft) = state.project.get_untracked() {
        spawn_local(ask_preview(state, draft, None));
    }
}

/// Sends the draft's files (or `zip`) for the server's preview and shows the answer; a
/// refusal keeps the page as it was and says why.
async fn ask_preview(state: ReportState, mut draft: ProjectDraft, zip: Option<Vec<u8>>) {
    let model = state.model.get_untracked();
    let answer = match &zip {
        Some(bytes) => preview_project(ProjectUpload::Zip(bytes), model.as_deref()).await,
        None => {
            let upload = ProjectUpload::Files {
                files: &draft.files,
                scope: &draft.scope,
                exclude: &draft.exclude,
            };
            preview_project(upload, model.as_deref()).await
        }
    };
    match answer {
        Ok(mut preview) => {
            if zip.is_some() {
                draft.files = std::mem::take(&mut preview.contents);
            }
            // The paths the tree shows and the report will name: without the folder the
            // project was picked as.
            if let Some(root) = &preview.root {
                let prefix = format!("{root}/");
                for f in &mut draft.files {
                    if let Some(rest) = f.path.strip_prefix(&prefix) {
                        f.path = rest.to_owned();
                    }
                }
            }
            draft.preview = Some(preview);
            state.input_error.set(None);
            state.project.set(Some(draft));
        }
        Err(message) => state
            .input_error
            .set(Some(format!("{}: {message}", draft.name))),
    }
}

/// The files of a drop worth reading, with folders walked (the entries API), each with
/// its path inside what was dropped; and how many files were left unread.
pub async fn dropped_files(
    transfer: &web_sys::DataTransfer,
) -> Result<(Vec<(String, web_sys::File)>, usize), String> {
    let items = transfer.items();
    let mut entries = Vec::new();
    for i in 0..items.length() {
        if let Some(entry) = items
            .get(i)
            .and_then(|item| item.webkit_get_as_entry().ok().flatten())
        {
            entries.push((String::new(), entry));
        }
    }
    let mut out = Vec::new();
    let mut not_read = 0;
    if entries.is_empty() {
        // No entries API for this drop (a browser without it, or files a script
        // dropped): its flat list of files, by name.
        let files = transfer.files();
        for file in
            (0..files.as_ref().map_or(0, |f| f.length())).filter_map(|i| files.as_ref()?.get(i))
        {
            if is_wanted(&file.name()) || is_zip(&file.name()) {
                out.push((file.name(), file));
            } else {
                not_read += 1;
            }
        }
    }
    while let Some((parent, entry)) = entries.pop() {
        let path = if parent.is_empty() {
            entry.name()
        } else {
            format!("{parent}/{}", entry.name())
        };
        if entry.is_directory() {
            if is_build_folder(&entry.name()) {
                // Never walked: `.git` or `out/` of a real project can hold thousands of
                // files the server would leave out anyway.
                continue;
            }
            let dir: web_sys::FileSystemDirectoryEntry = entry.unchecked_into();
            for child in read_all(&dir.create_reader()).await? {
                entries.push((path.clone(), child));
            }
        } else if entry.is_file() {
            if !is_wanted(&path) && !is_zip(&path) {
                not_read += 1;
                continue;
            }
            let file: web_sys::FileSystemFileEntry = entry.unchecked_into();
            out.push((path, file_of(&file).await?));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((out, not_read))
}

fn js_error(e: JsValue) -> String {
    e.as_string()
        .unwrap_or_else(|| "the browser refused to read the drop".to_owned())
}

/// Every entry of a folder: `readEntries` answers in batches until an empty one.
async fn read_all(
    reader: &web_sys::FileSystemDirectoryReader,
) -> Result<Vec<web_sys::FileSystemEntry>, String> {
    let mut all = Vec::new();
    loop {
        let batch = callback_promise(|ok, err| {
            reader
                .read_entries_with_callback_and_callback(ok, err)
                .map_err(js_error)
        })
        .await?;
        let batch: js_sys::Array = batch.unchecked_into();
        if batch.length() == 0 {
            return Ok(all);
        }
        all.extend(
            batch
                .iter()
                .map(|e| e.unchecked_into::<web_sys::FileSystemEntry>()),
        );
    }
}

async fn file_of(entry: &web_sys::FileSystemFileEntry) -> Result<web_sys::File, String> {
    let file = callback_promise(|ok, err| {
        entry.file_with_callback_and_callback(ok, err);
        Ok(())
    })
    .await?;
    Ok(file.unchecked_into())
}

/// A callback-style browser call as a future: `call` gets the promise's resolve and
/// reject as its success and failure callbacks (the entries API predates promises).
async fn callback_promise(
    call: impl FnOnce(&js_sys::Function, &js_sys::Function) -> Result<(), String>,
) -> Result<JsValue, String> {
    let mut call = Some(call);
    let mut refused = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Some(call) = call.take()
            && let Err(e) = call(&resolve, &reject)
        {
            refused = Some(e);
        }
    });
    if let Some(e) = refused {
        return Err(e);
    }
    JsFuture::from(promise).await.map_err(js_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_and_layout_files_are_read() {
        assert!(is_wanted("vault/src/Vault.sol"));
        assert!(is_wanted("Token.VY"));
        assert!(is_wanted("vault/foundry.toml"));
        assert!(is_wanted("hardhat.config.ts"));
        assert!(is_wanted(
            "node_modules/@openzeppelin/contracts/access/Ownable.sol"
        ));
        assert!(!is_wanted("vault/out/Vault.sol/Vault.json"));
        assert!(!is_wanted("vault/.git/HEAD"));
        assert!(!is_wanted("vault/cache/Vault.sol"));
        assert!(!is_wanted("README.md"));
    }

    #[test]
    fn a_project_is_named_by_its_top_folder() {
        let paths = |ps: &[&str]| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(
            project_name(&paths(&["vault/src/A.sol", "vault/foundry.toml"])),
            "vault"
        );
        assert_eq!(project_name(&paths(&["A.sol", "B.sol"])), "A.sol");
        assert_eq!(project_name(&paths(&["a/A.sol", "b/B.sol"])), "a/A.sol");
        assert!(is_zip("Project.ZIP"));
    }
}
