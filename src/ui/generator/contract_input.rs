//! The contract side of the page: the contract box (paste, pick or drop a file), or a
//! project (several files, a folder or a `.zip`, picked or dropped) shown as its tree;
//! the detected language, the model picker, Generate and Stop.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{
    ModelPicker,
    project_input::{self, is_zip},
    project_tree::ProjectTree,
    session::{Session, SessionHandle},
    upload::{self, EXTENSIONS},
};
use crate::report::detect_language;
use crate::ui::reader::ReportState;

#[component]
pub fn ContractInput(
    state: ReportState,
    session: SessionHandle,
    limit: Signal<Option<usize>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let Some(transfer) = ev.data_transfer() else {
            return;
        };
        let single = transfer
            .files()
            .filter(|f| f.length() == 1)
            .and_then(|f| f.get(0));
        let is_folder = (0..transfer.items().length()).any(|i| {
            transfer
                .items()
                .get(i)
                .and_then(|item| item.webkit_get_as_entry().ok().flatten())
                .is_some_and(|e| e.is_directory())
        });
        match single {
            Some(file) if !is_folder => take_one(state, file, limit.get_untracked()),
            _ => leptos::task::spawn_local(async move {
                match project_input::dropped_files(&transfer).await {
                    Ok((files, not_read)) => project_input::load_files(state, files, not_read),
                    Err(e) => state.input_error.set(Some(e)),
                }
            }),
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let files = picked(&ev, false);
        match <[_; 1]>::try_from(files) {
            Ok([(_, file)]) => take_one(state, file, limit.get_untracked()),
            Err(files) if !files.is_empty() => project_input::load_files(state, files, 0),
            Err(_) => {}
        }
    };
    let on_pick_folder = move |ev: leptos::ev::Event| {
        let files = picked(&ev, true);
        if !files.is_empty() {
            project_input::load_files(state, files, 0);
        }
    };
    // Another model has another context window: the estimate is asked again.
    Effect::new(move |first: Option<()>| {
        state.model.track();
        if first.is_some() {
            project_input::refresh(state);
        }
    });
    let language = move || {
        state.contract.with(|c| {
            (!c.trim().is_empty())
                .then(|| detect_language(c, state.filename.get().as_deref()).to_string())
        })
    };
    let file_label = move || {
        state
            .filename
            .get()
            .unwrap_or_else(|| "Open a file…".into())
    };
    let running = move || state.phase.get().is_running();

    view! {
        <div class="input-pane">
            <div class="input-head">
                <label for="contract">"Contract"</label>
                <span class="language" aria-live="off">{language}</span>
            </div>
            <textarea
                id="contract"
                spellcheck="false"
                aria-describedby="shortcuts"
                placeholder="Paste a Solidity or Vyper contract here, or drop a .sol / .vy file, several, a project folder or a .zip"
                hidden=move || state.project.with(Option::is_some)
                prop:value=move || state.contract.get()
                on:input=move |ev| state.contract.set(event_target_value(&ev))
                on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop
            ></textarea>
            <ProjectTree state/>
            {move || {
                state
                    .input_error
                    .get()
                    .map(|e| view! { <div class="input-error" role="alert">{e}</div> })
            }}
            <div class="model-row">
                <ModelPicker model=state.model/>
                {move || state.input_note.get().map(|n| view! { <p class="input-note">{n}</p> })}
            </div>
            <div class="actions">
                <label class="file">
                    <input
                        type="file"
                        id="file"
                        multiple
                        accept=format!("{},.zip", EXTENSIONS.join(","))
                        on:change=on_pick
                    />
                    <span>{file_label}</span>
                </label>
                <label class="folder">
                    <input type="file" id="folder" prop:webkitdirectory=true on:change=on_pick_folder/>
                    <span>"Open a folder…"</span>
                </label>
                <button
                    id="generate"
                    class="primary"
                    on:click=move |_| session.with_value(Session::start)
                    disabled=move || !hydrated.get() || !state.can_generate()
                >
                    "Generate"
                </button>
                <button
                    id="stop"
                    on:click=move |_| session.with_value(Session::stop)
                    disabled=move || !running()
                >
                    "Stop"
                </button>
            </div>
            <p id="shortcuts" class="hint">"Ctrl+Enter or ⌘+Enter generates; Esc stops."</p>
        </div>
    }
}

/// One file picked or dropped: a `.zip` is a project, a contract goes into the box.
fn take_one(state: ReportState, file: web_sys::File, limit: Option<usize>) {
    if is_zip(&file.name()) {
        project_input::load_zip(state, file);
    } else {
        state.project.set(None);
        upload::load_file(state, file, limit);
    }
}

/// The files of a file input, each with its path: inside the folder for a folder picker
/// (`webkitRelativePath`), else its name.
fn picked(ev: &leptos::ev::Event, folder: bool) -> Vec<(String, web_sys::File)> {
    let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
    let Some(list) = input.and_then(|i| i.files()) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|f| {
            let relative = folder
                .then(|| js_sys::Reflect::get(&f, &"webkitRelativePath".into()).ok())
                .flatten()
                .and_then(|v| v.as_string())
                .filter(|p| !p.is_empty());
            (relative.unwrap_or_else(|| f.name()), f)
        })
        .collect()
}
