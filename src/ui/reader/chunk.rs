//! The reader's heavy half, as one set of parts (`load::ReaderParts`): only `parts` is
//! named from outside, through the split point in `load.rs`, so the markdown renderer,
//! the findings parser, the panels and the exports are all in the lazily loaded wasm
//! part and none in the first download.

use leptos::prelude::*;

use super::{
    body::ReportBody,
    contract_view::ContractView,
    exports::{EXPORTS, ExportInput, export_name},
    findings::FindingsTracker,
    findings_panel::FindingsPanel,
    live::LiveReader,
    markdown::LiveMarkdown,
    parts::{ReaderParts, Reading},
    state::{Phase, ReportState},
};
use crate::ui::browser;

pub fn parts() -> ReaderParts {
    ReaderParts {
        live,
        view,
        download,
        fill,
    }
}

impl Reading for LiveReader {
    fn frame(&mut self, text: &str) {
        LiveReader::frame(self, text);
    }
    fn replace(&mut self, text: &str) {
        LiveReader::replace(self, text);
    }
    fn finish(&mut self, ended_well: bool) -> String {
        LiveReader::finish(self, ended_well)
    }
}

fn live(state: ReportState) -> Box<dyn Reading> {
    Box::new(LiveReader::new(state))
}

/// The report as read: its body, its findings (below it, so their arrival never moves
/// the text) and the contract view.
fn view(state: ReportState) -> AnyView {
    view! {
        <ReportBody state/>
        <FindingsPanel state/>
        <ContractView state/>
    }
    .into_any()
}

/// Builds the export `id` of the report on screen, from the input it was made from, and
/// offers it as a file.
fn download(state: ReportState, id: &str) {
    let Some(format) = EXPORTS.iter().find(|f| f.id == id) else {
        return;
    };
    let (contract, filename, _) = state.started_with.get_untracked().unwrap_or_default();
    let markdown = state.markdown.get_untracked();
    let model = state.model_used.get_untracked();
    let done = state.stats.with_untracked(|s| s.done.clone());
    let checks = state.checks.get_untracked();
    let phase = state.phase.get_untracked();
    let status = matches!(phase, Phase::Stopped | Phase::Failed).then(|| phase.as_str());
    let input = ExportInput {
        markdown: &markdown,
        contract: &contract,
        filename: filename.as_deref(),
        model: model.as_deref(),
        done: done.as_ref(),
        status,
        checks: &checks,
    };
    let name = export_name(filename.as_deref(), format.extension);
    browser::download(&name, format.mime, &(format.build)(&input));
}

/// A finished text (a stored report) cut into blocks and rendered as the live page
/// renders it at the stream's end, with its findings (`finished`: it ended with `done`).
fn fill(state: ReportState, text: &str, finished: bool) {
    let mut markdown = LiveMarkdown::new();
    let update = markdown.push(text);
    state.append_blocks(update.finished);
    state.tail.set(markdown.finish());
    state
        .findings
        .set(FindingsTracker::default().update(text, finished));
}
