//! One report at a time in the browser: starts a stream, routes its events into the
//! report state and its text through the frame batcher to the reader (a `ReadingSlot`:
//! the reader's lazily loaded part, or the text kept until it arrives),
//! and stops it on Stop, on a newer Generate and when the view goes away (`close`, from
//! the view's cleanup) or the page is left (`leave`). Each report has an id the page
//! picks, so a lost connection is read on (`reading`) and Stop is the fetch aborted plus
//! the report's stop route. A generation counter keeps a replaced stream from touching
//! the page. Depends on the reader, never on the view.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use leptos::{prelude::*, task::spawn_local};
use web_sys::AbortController;

use super::reading::read_report;
use crate::{
    client::{ClientError, FrameBatcher, stop_report},
    protocol::{ReportEvent, ReportRequest, ResumeHints},
    ui::{
        browser,
        reader::{
            Input, Phase, ReaderLoad, Reading, ReadingSlot, ReportState,
            load::{ReaderParts, load_into, now},
        },
    },
};

/// How often the elapsed time ticks while a report runs.
const CLOCK_TICK: Duration = Duration::from_millis(200);

/// How components hold the page's session: `Copy`, browser-local.
pub type SessionHandle = StoredValue<Session, LocalStorage>;

pub struct Session {
    state: ReportState,
    /// The page's reader part: fetched again at Generate after a failed load.
    reader: RwSignal<ReaderLoad>,
    /// The latest report's reading, which the reader's part takes over when it arrives.
    reading: RefCell<Option<Rc<RefCell<ReadingSlot>>>>,
    controller: RefCell<Option<AbortController>>,
    clock: RefCell<Option<IntervalHandle>>,
    generation: Rc<Cell<u64>>,
    /// The running report's id, while it runs: Stop goes to its stop route.
    running_id: Rc<RefCell<Option<String>>>,
    /// What the running report's `meta` said about reading it on.
    hints: Rc<Cell<Option<ResumeHints>>>,
}

impl Session {
    pub fn new(state: ReportState, reader: RwSignal<ReaderLoad>) -> Self {
        Self {
            state,
            reader,
            reading: RefCell::new(None),
            controller: RefCell::new(None),
            clock: RefCell::new(None),
            generation: Rc::new(Cell::new(0)),
            running_id: Rc::new(RefCell::new(None)),
            hints: Rc::new(Cell::new(None)),
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
        self.stop_running();
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
        let report_id = browser::random_uuid();
        self.running_id.replace(report_id.clone());
        self.hints.set(None);
        let request = match s.project.get_untracked() {
            // A project goes as its files; the contract box is not part of it.
            Some(project) => ReportRequest {
                model,
                files: project.files,
                scope: project.scope,
                exclude: project.exclude,
                filename: Some(project.name),
                report_id,
                ..ReportRequest::default()
            },
            None => ReportRequest {
                contract,
                model,
                filename,
                report_id,
                ..ReportRequest::default()
            },
        };
        s.reset_report(browser::now_ms());
        s.announcement.set("generating report".into());
        self.start_clock();

        let live = self.generation.clone();
        let current = move || live.get() == generation;
        let reader = Rc::new(RefCell::new(ReadingSlot::new(s, now())));
        if reader.borrow().is_waiting() {
            // The report starts at once; the reader takes over when its part is here
            // (`attach`, from the page, once it is).
            load_into(self.reader);
        }
        self.reading.replace(Some(reader.clone()));
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
        let (hints, running_id) = (self.hints.clone(), self.running_id.clone());
        spawn_local(async move {
            let lost = || {
                if current() {
                    lost_connection(s, &batcher);
                }
            };
            let result = read_report(&request, &signal, &hints, lost, |ev| {
                if current() {
                    if let ReportEvent::Meta(m) = &ev {
                        hints.set(m.resume);
                    }
                    on_event(s, &batcher, &reader_for_events, ev);
                }
            })
            .await;
            if !current() {
                return;
            }
            running_id.take();
            batcher.flush();
            let ended_well = result.is_ok() && s.phase.get_untracked() == Phase::Done;
            let summary = reader.borrow_mut().finish(ended_well);
            s.stats.update(|st| st.now_ms = browser::now_ms());
            match result {
                Ok(()) if ended_well && summary.is_empty() => {
                    s.announcement.set("report complete".into())
                }
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

    /// Ends the running report's stream and, for one with its own id, the report itself
    /// (its stop route: the model is cut off at once, wherever the report runs).
    fn stop_running(&self) {
        self.abort();
        if let Some(id) = self.running_id.take() {
            stop_report(&id);
        }
    }

    /// The reader's part arrived: the latest report (running or ended) is read through it
    /// from its whole text.
    pub fn attach(&self, parts: ReaderParts) {
        if let Some(reading) = self.reading.borrow().as_ref() {
            reading.borrow_mut().attach(parts);
        }
    }

    /// Stops the running report at once; what arrived stays on the page.
    pub fn stop(&self) {
        self.stop_running();
        if self.state.phase.get_untracked().is_running() {
            stopped(self.state);
        }
    }

    /// The page is being left (`pagehide`): the report stops, unless the server says
    /// leaving keeps it (`AUDITSTREAM_RESUME_KEEP_ON_LEAVE`): it then runs on into the
    /// history, or until no one has read it for the grace period.
    pub fn leave(&self) {
        let keep = self.hints.get().is_some_and(|h| h.keep_on_leave);
        if keep {
            self.running_id.take();
            self.abort();
        } else {
            self.stop();
        }
    }

    /// Unmounting the view (its one cleanup path): the report stops and its clock with
    /// it.
    pub fn close(&self) {
        self.stop();
        if let Some(clock) = self.clock.take() {
            clock.clear();
        }
    }
}

fn on_event(
    s: ReportState,
    batcher: &FrameBatcher,
    reader: &RefCell<ReadingSlot>,
    ev: ReportEvent,
) {
    if s.phase.get_untracked() == Phase::Reconnecting {
        reconnected(s);
    }
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

/// The first event after a lost connection: back to where the report was.
fn reconnected(s: ReportState) {
    let writing = s.markdown.with_untracked(|m| !m.is_empty());
    s.phase.set(if writing {
        Phase::Streaming
    } else {
        Phase::Connecting
    });
    s.announcement.set("reconnected".into());
}

/// The connection was lost; the report runs on and is read on after a short wait.
fn lost_connection(s: ReportState, batcher: &FrameBatcher) {
    batcher.flush();
    if s.phase.get_untracked().is_running() {
        s.phase.set(Phase::Reconnecting);
        s.announcement.set("connection lost; reconnecting…".into());
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
