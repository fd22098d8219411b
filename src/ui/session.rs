//! One report at a time in the browser: starts a stream, routes its events into the
//! page's signals through the frame batcher, and aborts it on Stop or on a newer
//! Generate. A generation counter keeps a replaced stream from touching the page.

use std::cell::{Cell, RefCell};

use leptos::{prelude::*, task::spawn_local};
use web_sys::AbortController;

use super::report_view::{Phase, ReportState};
use crate::{
    client::{ClientError, FrameBatcher, stream_report},
    protocol::{ReportEvent, ReportRequest},
};

pub struct Session {
    state: ReportState,
    controller: RefCell<Option<AbortController>>,
    generation: std::rc::Rc<Cell<u64>>,
}

impl Session {
    pub fn new(state: ReportState) -> Self {
        Self {
            state,
            controller: RefCell::new(None),
            generation: std::rc::Rc::new(Cell::new(0)),
        }
    }

    /// Starts a report for the current input, aborting any running one.
    pub fn start(&self) {
        let s = self.state;
        if let Some(old) = self.controller.borrow_mut().take() {
            old.abort();
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let Ok(controller) = AbortController::new() else {
            s.error
                .set(Some("this browser cannot abort requests".into()));
            return;
        };
        let signal = controller.signal();
        *self.controller.borrow_mut() = Some(controller);

        let input = untrack(|| s.input());
        s.started_with.set(Some(input.clone()));
        let (contract, filename, model) = input;
        let request = ReportRequest {
            contract,
            model,
            filename,
        };
        s.text.set(String::new());
        s.error.set(None);
        s.stats.set(None);
        s.model_used.set(None);
        s.phase.set(Phase::Streaming);

        let live = self.generation.clone();
        let current = move || live.get() == generation;
        let batcher = {
            let current = current.clone();
            FrameBatcher::new(move |text| {
                if current() {
                    s.text.update(|t| t.push_str(text));
                }
            })
        };
        spawn_local(async move {
            let result = stream_report(&request, &signal, |ev| {
                if !current() {
                    return;
                }
                match ev {
                    ReportEvent::Meta(m) => s
                        .model_used
                        .set(Some(format!("{}/{}", m.provider, m.model))),
                    ReportEvent::Token(t) => batcher.push(&t.text),
                    ReportEvent::Done(d) => {
                        batcher.flush();
                        s.stats.set(Some(done_summary(&d)));
                        s.phase.set(Phase::Done);
                    }
                    ReportEvent::Error(e) => {
                        batcher.flush();
                        s.error.set(Some(e.message));
                        s.phase.set(Phase::Failed);
                    }
                }
            })
            .await;
            if !current() {
                return;
            }
            batcher.flush();
            match result {
                Ok(()) => {}
                // Stop already set the phase; the partial text stays, with no error.
                Err(ClientError::Aborted) => s.phase.set(Phase::Stopped),
                Err(e) => {
                    s.error.set(Some(e.to_string()));
                    s.phase.set(Phase::Failed);
                }
            }
        });
    }

    /// Stops the running report at once; what arrived stays on the page.
    pub fn stop(&self) {
        if let Some(c) = self.controller.borrow_mut().take() {
            c.abort();
        }
        if self.state.phase.get_untracked() == Phase::Streaming {
            self.state.phase.set(Phase::Stopped);
        }
    }
}

fn done_summary(d: &crate::protocol::Done) -> String {
    let mut parts = Vec::new();
    if let Some(n) = d.output_tokens {
        parts.push(format!("{n} tokens"));
    }
    if let Some(t) = d.ttft_ms {
        parts.push(format!("first token {t} ms"));
    }
    if let Some(rate) = d.tokens_per_sec {
        parts.push(format!("{rate:.1} tok/s"));
    }
    parts.push(format!("{:.1} s", d.duration_ms as f64 / 1000.0));
    parts.join(" · ")
}

/// Reads a dropped or picked file into the contract box.
pub fn load_file(state: ReportState, file: web_sys::File) {
    let name = file.name();
    spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => {
                state.contract.set(text.as_string().unwrap_or_default());
                state.filename.set(Some(name));
            }
            Err(_) => state.error.set(Some(format!("could not read {name}"))),
        }
    });
}
