//! One report at a time in the browser: starts a stream, routes its events through the
//! frame batcher into the report state, and aborts it on Stop, on a newer Generate and
//! when the view goes away. A generation counter keeps a replaced stream from touching
//! the page. Depends on the state, never on the view.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use leptos::{prelude::*, task::spawn_local};
use web_sys::AbortController;

use super::{
    browser,
    findings::FindingsTracker,
    markdown::LiveMarkdown,
    report_state::{Input, Phase, ReportState},
};
use crate::{
    client::{ClientError, FrameBatcher, stream_report},
    protocol::{ReportEvent, ReportRequest},
};

/// How often the elapsed time ticks while a report runs.
const CLOCK_TICK: Duration = Duration::from_millis(200);

/// How often, at most, the findings are brought up to date while a report streams
/// (each update reads the text added since the last one).
const FINDINGS_EVERY_MS: f64 = 250.0;

/// How often, at most, the status line announces new findings to screen readers.
const ANNOUNCE_EVERY_MS: f64 = 1000.0;

/// One report's reading state: its markdown, its findings, when they were last read,
/// and the completed findings not announced yet.
#[derive(Default)]
struct Reader {
    markdown: LiveMarkdown,
    findings: FindingsTracker,
    findings_at: f64,
    unannounced: Vec<String>,
    announced_at: f64,
}

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
        };
        s.reset_report(browser::now_ms());
        s.announcement.set("generating report".into());
        self.start_clock();

        let live = self.generation.clone();
        let current = move || live.get() == generation;
        let reader = Rc::new(RefCell::new(Reader::default()));
        let batcher = {
            let current = current.clone();
            let reader = reader.clone();
            FrameBatcher::new(move |text| {
                if current() {
                    show_frame(s, &mut reader.borrow_mut(), text);
                }
            })
        };
        spawn_local(async move {
            let result = stream_report(&request, &signal, |ev| {
                if current() {
                    on_event(s, &batcher, ev);
                }
            })
            .await;
            if !current() {
                return;
            }
            batcher.flush();
            // The last block is final now: render it as written, without repair.
            let mut reader = reader.borrow_mut();
            let last = reader.markdown.finish();
            if s.tail.with_untracked(|t| *t != last) {
                s.tail.set(last);
            }
            let ended_well = result.is_ok() && s.phase.get_untracked() == Phase::Done;
            let findings = {
                let Reader {
                    markdown, findings, ..
                } = &mut *reader;
                findings.update(markdown.text(), ended_well)
            };
            let summary = findings.summary();
            s.findings.set(findings);
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
}

impl Drop for Session {
    /// Leaving the page or unmounting the view ends the report and its clock.
    fn drop(&mut self) {
        self.abort();
        if let Some(clock) = self.clock.take() {
            clock.clear();
        }
    }
}

fn on_event(s: ReportState, batcher: &FrameBatcher, ev: ReportEvent) {
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

/// One frame's text: the raw markdown grows, finished blocks are appended once, the
/// tail is replaced only when it renders differently.
fn show_frame(s: ReportState, reader: &mut Reader, text: &str) {
    let frame = reader.markdown.push(text);
    s.markdown.update(|m| m.push_str(text));
    let block_finished = !frame.finished.is_empty();
    s.append_blocks(frame.finished);
    if s.tail.with_untracked(|t| *t != frame.tail) {
        s.tail.set(frame.tail);
    }
    s.stats.update(|_| {});
    let now = browser::now_ms();
    if block_finished && now - reader.findings_at >= FINDINGS_EVERY_MS {
        reader.findings_at = now;
        let Reader {
            markdown, findings, ..
        } = reader;
        let found = findings.update(markdown.text(), false);
        reader.unannounced.extend(findings.newly_complete(&found));
        s.findings.set(found);
    }
    if !reader.unannounced.is_empty() && now - reader.announced_at >= ANNOUNCE_EVERY_MS {
        reader.announced_at = now;
        announce_findings(s, &std::mem::take(&mut reader.unannounced));
    }
}

/// One polite announcement for the findings completed since the last one.
fn announce_findings(s: ReportState, fresh: &[String]) {
    match fresh {
        [] => {}
        [one] => s.announcement.set(format!("new finding: {one}")),
        many => s.announcement.set(format!("{} new findings", many.len())),
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
