//! The shape of the reader's lazily loaded part, which both sides name: what the first
//! download calls (`load.rs`, `slot.rs`) and what the part provides (`chunk.rs`).

use leptos::prelude::*;

use super::state::ReportState;

/// The reader's parts. Function pointers into the split-off part: calling one runs code
/// the first download does not hold.
#[derive(Clone, Copy)]
pub struct ReaderParts {
    /// The reading state of one live report.
    pub live: fn(ReportState) -> Box<dyn Reading>,
    /// The report as read: body, findings panel, contract view.
    pub view: fn(ReportState) -> AnyView,
    /// Builds the download with this id (`DOWNLOADS`) from the report on screen and
    /// offers it as a file.
    pub download: fn(ReportState, &str),
    /// Fills `state` with a finished text (a stored report): blocks and findings.
    pub fill: fn(ReportState, &str, bool),
}

/// A live report's reading: the text as it arrives, a snapshot replacing it, the end.
pub trait Reading {
    /// One frame's text.
    fn frame(&mut self, text: &str);
    /// A resumed stream's snapshot: the whole text so far replaces what is on screen.
    fn replace(&mut self, text: &str);
    /// The stream ended (`ended_well`: with `done`). Returns the findings' summary.
    fn finish(&mut self, ended_well: bool) -> String;
}
