//! One report at a time in the browser: starts a stream, routes its events into the
//! report state and its text through the frame batcher to the reader (`LiveReader`),
//! and aborts it on Stop, on a newer Generate and when the view goes away (`close`, from
//! the view's cleanup). A generation counter keeps a replaced stream from touching the
//! page. Depends on the reader, never on the view.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use leptos::{prelude::*, task::spawn_local};
use web_sys::AbortController;

use crate::{
    client::{ClientError, FrameBatcher, stream_report},
    protocol::{ReportEvent, ReportRequest},
    ui::{
        browser,
        reader::{Input, LiveReader, Phase, ReportState},
    },
};

/// How often the elapsed time ticks while a report runs.
const CLOCK_TICK: Duration = Duration::from_millis(200);

/// How components hold the page's session: `Copy`, browser-local.
pub type SessionHandle = StoredValue<Session, LocalStorage>;

pub struct Session {
    state: ReportState,
    controller: RefCell<Option<AbortController>>,
    clock: RefCell<Option<IntervalHandle>>,
    generation: Rc<Cell<u64>>,
}

impl Session {
    pub fn new(state: ReportState) -> Self {
        Self {
            state,
            controller: RefCell::new(None),
            clock: RefCell::new(None),
            generation: Rc::new(Cell::new(0)),
        }
    }

    /// Starts a report for the current input, replacing any running one.
    pub fn start(&self) {
        let input = untrack(|| self.state.input());
        self.start_with(input);
    }

    /// Sends the last report's input again (Retry, Regenerate).
    pub fn retry(&self) {
        match self.state.started_with.get_untracked() {
            Some(input) => self.start_with(input),
            None => self.start(),
        }
    }

    fn start_with(&self, input: Input) {
        let s = self.state;
        self.abort();
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let Ok(controller) = AbortController::new() else {
            s.error
                .set(Some("this browser cannot abort requests".into()));
            return;
        };
        let signal = controller.signal();
        *self.controller.borrow_mut() = Some(controller);

        s.started_with.set(Some(input.clone()));
        let (contract, filename, model) = input;
        let request = ReportRequest {
            contract,
            model,
            filename,
            ..ReportRequest::default()
        };
        s.reset_report(browser::now_ms());
        s.announcement.set("generating report".into());
        self.start_clock();

        let live = self.generation.clone();
        let current = move || live.get() == generation;
        let reader = Rc::new(RefCell::new(LiveReader::new(s)));
        let batcher = {
            let current = current.clone();
            let reader = reader.clone();
            FrameBatcher::new(move |text| {
                if current() {
                    reader.borrow_mut().frame(text);
                }
            })
        };
        let reader_for_events = reader.clone();
        spawn_local(async move {
            let result = stream_report(&request, &signal, |ev| {
                if current() {
                    on_event(s, &batcher, &reader_for_events, ev);
                }
            })
            .await;
            if !current() {
                return;
            }
            batcher.flush();
            let ended_well = result.is_ok() && s.phase.get_untracked() == Phase::Done;
            let summary = reader.borrow_mut().finish(ended_well);
            s.stats.update(|st| st.now_ms = browser::now_ms());
            match result {
                Ok(()) if ended_well => s.announcement.set(format!("report complete: {summary}")),
                Ok(()) => {}
                Err(ClientError::Aborted) => stopped(s),
                Err(e) => failed(s, e.to_string()),
            }
        });
    }

    fn start_clock(&self) {
        let s = self.state;
        let handle = set_interval_with_handle(
            move || {
                if s.phase.get_untracked().is_running() {
                    s.stats.update(|st| st.now_ms = browser::now_ms());
                }
            },
            CLOCK_TICK,
        );
        if let Some(old) = self.clock.replace(handle.ok()) {
            old.clear();
        }
    }

    fn abort(&self) {
        if let Some(c) = self.controller.borrow_mut().take() {
            c.abort();
        }
    }

    /// Stops the running report at once; what arrived stays on the page.
    pub fn stop(&self) {
        self.abort();
        if self.state.phase.get_untracked().is_running() {
            stopped(self.state);
        }
    }

    /// Leaving the page or unmounting the view (its one cleanup path): the report stops
    /// and its clock with it.
    pub fn close(&self) {
        self.stop();
        if let Some(clock) = self.clock.take() {
            clock.clear();
        }
    }
}

fn on_event(s: ReportState, batcher: &FrameBatcher, reader: &RefCell<LiveReader>, ev: ReportEvent) {
    match ev {
        ReportEvent::Meta(m) => {
            s.fallback_notice.set(m.fallback_notice());
            s.model_used
                .set(Some(format!("{}/{}", m.provider, m.model)));
            s.report_id.set(Some(m.report_id));
        }
        ReportEvent::Token(t) => {
            s.stats.update_untracked(|st| st.token(browser::now_ms()));
            if s.phase.get_untracked() == Phase::Connecting {
                s.phase.set(Phase::Streaming);
                s.announcement.set("report started".into());
            }
            batcher.push(&t.text);
        }
        // Shown with the next findings refresh (at most every 250 ms, and at the end): a
        // report of thousands of findings must not rebuild the panel per verdict.
        ReportEvent::Finding(check) => s.checks.update_untracked(|c| c.push(check)),
        // A resumed stream whose missed events are gone: its text replaces ours.
        ReportEvent::Snapshot(snap) => {
            batcher.flush();
            s.checks.set(snap.findings);
            reader.borrow_mut().replace(&snap.text);
        }
        ReportEvent::Done(d) => {
            batcher.flush();
            s.stats.update(|st| st.done = Some(d));
            s.phase.set(Phase::Done);
        }
        ReportEvent::Error(e) => {
            batcher.flush();
            failed(s, e.message);
        }
    }
}

fn stopped(s: ReportState) {
    s.phase.set(Phase::Stopped);
    s.announcement
        .set("report stopped; the partial report is kept".into());
}

fn failed(s: ReportState, message: String) {
    s.announcement.set(format!("report failed: {message}"));
    s.error.set(Some(message));
    s.phase.set(Phase::Failed);
}
