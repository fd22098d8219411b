//! The contract side of the page: the contract box (paste, pick or drop a file), its
//! detected language, the model picker, Generate and Stop.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{
    ModelPicker,
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
        let file = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0));
        if let Some(file) = file {
            upload::load_file(state, file, limit.get_untracked());
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) {
            upload::load_file(state, file, limit.get_untracked());
        }
    };
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
                placeholder="Paste a Solidity or Vyper contract here, or drop a .sol / .vy file"
                prop:value=move || state.contract.get()
                on:input=move |ev| state.contract.set(event_target_value(&ev))
                on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop
            ></textarea>
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
                    <input type="file" id="file" accept=EXTENSIONS.join(",") on:change=on_pick/>
                    <span>{file_label}</span>
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
