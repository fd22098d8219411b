//! ReportView: the contract input, Generate and Stop, and the report as it streams.

use leptos::prelude::*;

use super::ModelPicker;

/// Where the current report is in its life.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Streaming,
    Done,
    Stopped,
    Failed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Streaming => "streaming",
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Failed => "error",
        }
    }
}

/// What a report is generated from: contract, file name, model.
pub type Input = (String, Option<String>, Option<String>);

/// The signals a report session writes. All `Copy`, so handlers can capture them.
#[derive(Clone, Copy)]
pub struct ReportState {
    pub contract: RwSignal<String>,
    pub filename: RwSignal<Option<String>>,
    /// `provider/model` from the picker; `None` means the server's default.
    pub model: RwSignal<Option<String>>,
    pub text: RwSignal<String>,
    pub phase: RwSignal<Phase>,
    pub error: RwSignal<Option<String>>,
    /// `provider/model` of the report on screen, from its `meta` event.
    pub model_used: RwSignal<Option<String>>,
    /// A one-line summary from the `done` event.
    pub stats: RwSignal<Option<String>>,
    /// The input the current stream was started with.
    pub started_with: RwSignal<Option<Input>>,
}

impl ReportState {
    fn new() -> Self {
        Self {
            contract: RwSignal::new(String::new()),
            filename: RwSignal::new(None),
            model: RwSignal::new(None),
            text: RwSignal::new(String::new()),
            phase: RwSignal::new(Phase::Idle),
            error: RwSignal::new(None),
            model_used: RwSignal::new(None),
            stats: RwSignal::new(None),
            started_with: RwSignal::new(None),
        }
    }

    /// Generate is offered unless the report for exactly this input is streaming;
    /// pressing it with a changed input replaces the running stream.
    fn can_generate(&self) -> bool {
        if self.contract.with(|c| c.trim().is_empty()) {
            return false;
        }
        if self.phase.get() != Phase::Streaming {
            return true;
        }
        self.started_with.get() != Some(self.input())
    }

    pub fn input(&self) -> Input {
        (self.contract.get(), self.filename.get(), self.model.get())
    }
}

#[component]
pub fn ReportView() -> impl IntoView {
    let state = ReportState::new();
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, so this marks the page as interactive.
    Effect::new(move |_| hydrated.set(true));

    #[cfg(feature = "hydrate")]
    let session = StoredValue::new_local(super::session::Session::new(state));

    let generate = move |_| {
        #[cfg(feature = "hydrate")]
        session.with_value(|s| s.start());
    };
    let stop = move |_| {
        #[cfg(feature = "hydrate")]
        session.with_value(|s| s.stop());
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            super::session::load_file(state, file);
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                super::session::load_file(state, file);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let streaming = move || state.phase.get() == Phase::Streaming;

    view! {
        <section class="report-view" data-hydrated=move || hydrated.get().to_string()>
            <div class="input-pane">
                <label for="contract">"Contract"</label>
                <textarea
                    id="contract"
                    spellcheck="false"
                    placeholder="Paste a Solidity or Vyper contract here, or drop a .sol / .vy file"
                    prop:value=move || state.contract.get()
                    on:input=move |ev| state.contract.set(event_target_value(&ev))
                    on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                    on:drop=on_drop
                ></textarea>
                <div class="model-row">
                    <ModelPicker model=state.model/>
                </div>
                <div class="actions">
                    <label class="file">
                        <input type="file" id="file" accept=".sol,.vy,.txt" on:change=on_pick/>
                        <span>{move || state.filename.get().unwrap_or_else(|| "Open a file…".into())}</span>
                    </label>
                    <button
                        id="generate"
                        class="primary"
                        on:click=generate
                        disabled=move || !hydrated.get() || !state.can_generate()
                    >
                        "Generate"
                    </button>
                    <button id="stop" on:click=stop disabled=move || !streaming()>
                        "Stop"
                    </button>
                </div>
            </div>
            <div class="output-pane">
                <div class="status" data-phase=move || state.phase.get().as_str()>
                    <span class="phase">{move || state.phase.get().as_str()}</span>
                    {move || state.model_used.get().map(|m| view! { <span class="model">{m}</span> })}
                    {move || state.stats.get().map(|s| view! { <span class="stats">{s}</span> })}
                </div>
                {move || {
                    state.error.get().map(|e| view! { <div class="error" role="alert">{e}</div> })
                }}
                <article id="report" class="report" data-phase=move || state.phase.get().as_str()>
                    <span class="report-text">{move || state.text.get()}</span>
                    <Show when=streaming>
                        <span class="cursor" aria-hidden="true"></span>
                    </Show>
                </article>
            </div>
        </section>
    }
}
