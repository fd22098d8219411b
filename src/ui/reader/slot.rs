//! A live report's reading whether or not the reader's part is here yet: until it is,
//! the text is kept as it arrives (`state.markdown`, which the plain view shows); once
//! it is, the reader takes over from the whole text so far, as after a resume's
//! snapshot, and the stream goes on through it.

use leptos::prelude::*;

use super::{
    parts::{ReaderParts, Reading},
    state::ReportState,
};

pub struct ReadingSlot {
    state: ReportState,
    reader: Option<Box<dyn Reading>>,
    /// How the stream ended, if it ended before the reader arrived.
    ended: Option<bool>,
}

impl ReadingSlot {
    /// `parts`: the reader's part, if it is here already.
    pub fn new(state: ReportState, parts: Option<ReaderParts>) -> Self {
        Self {
            state,
            reader: parts.map(|p| (p.live)(state)),
            ended: None,
        }
    }

    pub fn is_waiting(&self) -> bool {
        self.reader.is_none()
    }

    /// The reader's part arrived: it reads the text so far (and the end, if the stream
    /// has ended), then every frame after.
    pub fn attach(&mut self, parts: ReaderParts) {
        if self.reader.is_some() {
            return;
        }
        let mut reader = (parts.live)(self.state);
        let text = self.state.markdown.get_untracked();
        if !text.is_empty() {
            reader.replace(&text);
        }
        if let Some(ended_well) = self.ended {
            reader.finish(ended_well);
        }
        self.reader = Some(reader);
    }
}

impl Reading for ReadingSlot {
    fn frame(&mut self, text: &str) {
        match &mut self.reader {
            Some(reader) => reader.frame(text),
            None => self.state.markdown.update(|m| m.push_str(text)),
        }
    }

    fn replace(&mut self, text: &str) {
        match &mut self.reader {
            Some(reader) => reader.replace(text),
            None => self.state.markdown.set(text.to_owned()),
        }
    }

    fn finish(&mut self, ended_well: bool) -> String {
        match &mut self.reader {
            Some(reader) => reader.finish(ended_well),
            None => {
                self.ended = Some(ended_well);
                String::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::reader::load::now;

    const HEAD: &str =
        "# Security report: A.sol\n\n## Findings\n\n### 1. Reentrancy\n- **Severity:** High\n";
    const TAIL: &str = "- **Line:** 3\n\nThe balance is cleared after the call.\n";

    fn blocks(state: ReportState) -> usize {
        state
            .pages
            .with_untracked(|p| p.iter().map(|p| p.blocks.with_untracked(Vec::len)).sum())
    }

    #[test]
    fn a_reader_arriving_after_the_end_reads_the_whole_text_once_and_the_end() {
        Owner::new().with(|| {
            let state = ReportState::new();
            let mut slot = ReadingSlot::new(state, None);
            slot.frame(HEAD);
            slot.frame(TAIL);
            assert_eq!(slot.finish(true), "", "no findings without the reader");
            assert_eq!(state.markdown.get_untracked(), format!("{HEAD}{TAIL}"));
            assert_eq!(blocks(state), 0, "nothing rendered yet");

            slot.attach(now().expect("the server has the reader"));
            assert_eq!(state.markdown.get_untracked(), format!("{HEAD}{TAIL}"));
            assert!(blocks(state) >= 3);
            assert_eq!(state.findings.with_untracked(|f| f.summary()), "1 High");
        });
    }

    #[test]
    fn a_reader_arriving_mid_stream_goes_on_from_the_text_so_far() {
        Owner::new().with(|| {
            let state = ReportState::new();
            let mut slot = ReadingSlot::new(state, None);
            slot.frame(HEAD);
            slot.attach(now().expect("the server has the reader"));
            assert!(!slot.is_waiting());
            slot.frame(TAIL);
            assert_eq!(state.markdown.get_untracked(), format!("{HEAD}{TAIL}"));
            assert_eq!(slot.finish(true), "1 High");
        });
    }
}
