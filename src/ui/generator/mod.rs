//! ReportView: the generator route (`/`). Owns the report state and the session, wires
//! the keyboard shortcuts, fills the editor for Run again (`/?rerun={id}`), and ends a
//! running report when the view goes away.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_query_map;

mod contract_input;
mod model_picker;
mod project_input;
mod project_tree;
mod reading;
mod report_panel;
mod rerun;
mod session;
mod upload;

pub use model_picker::ModelPicker;

use contract_input::ContractInput;
use report_panel::ReportPanel;
use rerun::fill_from;
use session::Session;

use crate::{
    api::contract_limit,
    ui::{
        links::RERUN_PARAM,
        reader::{ReaderLoad, ReportState, load::load_when_idle},
    },
};

/// What a key press asks for, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    Generate,
    Stop,
}

/// Ctrl+Enter or Cmd+Enter generates; Esc stops.
pub fn shortcut(key: &str, ctrl: bool, meta: bool) -> Option<Shortcut> {
    match key {
        "Enter" if ctrl || meta => Some(Shortcut::Generate),
        "Escape" => Some(Shortcut::Stop),
        _ => None,
    }
}

#[component]
pub fn ReportView() -> impl IntoView {
    let state = ReportState::new();
    // The reader's part is not in the first download: the page works first, then fetches
    // it while idle (or at Generate, if that comes first).
    let reader = RwSignal::new(ReaderLoad::Waiting);
    let session = StoredValue::new_local(Session::new(state, reader));
    let (hydrated, set_hydrated) = signal(false);
    // Effects run only in the browser, so this marks the page as interactive.
    Effect::new(move |_| {
        set_hydrated.set(true);
        load_when_idle(reader);
    });
    // Whenever it arrives (idle, Generate, Try again), it takes over the report shown.
    let loaded = Memo::new(move |_| reader.get());
    Effect::new(move |_| {
        if let ReaderLoad::Ready(parts) = loaded.get() {
            session.with_value(|s| s.attach(parts));
        }
    });
    let query = use_query_map();
    Effect::new(move |_| {
        if let Some(id) = query.with(|q| q.get(RERUN_PARAM)) {
            spawn_local(fill_from(state, id));
        }
    });

    // Asked after hydration, so the page never waits for it.
    let limit = LocalResource::new(contract_limit);
    let limit = Signal::derive(move || limit.get().and_then(Result::ok));

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        match shortcut(&ev.key(), ev.ctrl_key(), ev.meta_key()) {
            Some(Shortcut::Generate) if state.can_generate() => {
                ev.prevent_default();
                session.with_value(Session::start);
            }
            Some(Shortcut::Stop) if state.phase.get_untracked().is_running() => {
                ev.prevent_default();
                session.with_value(Session::stop);
            }
            _ => {}
        }
    });
    // Closing or reloading the tab: Stop (or, as the server says, leave it running).
    let leaving = window_event_listener(leptos::ev::pagehide, move |_| {
        session.try_with_value(Session::leave);
    });
    on_cleanup(move || {
        keys.remove();
        leaving.remove();
        session.try_with_value(Session::close);
    });

    view! {
        <section class="report-view" data-hydrated=move || hydrated.get().to_string()>
            <ContractInput state session limit hydrated/>
            <ReportPanel state session reader/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts() {
        assert_eq!(shortcut("Enter", true, false), Some(Shortcut::Generate));
        assert_eq!(shortcut("Enter", false, true), Some(Shortcut::Generate));
        assert_eq!(shortcut("Enter", false, false), None);
        assert_eq!(shortcut("Escape", false, false), Some(Shortcut::Stop));
        assert_eq!(shortcut("a", true, false), None);
    }
}
