//! A report being read as it streams: each frame's text goes to the markdown renderer
//! (finished blocks appended once, the tail replaced only when it renders differently),
//! the findings are brought up to date at most every `FINDINGS_EVERY_MS`, and new ones
//! are announced politely. The generator's session hands every frame here, once.

use leptos::prelude::*;

use super::{findings::FindingsTracker, markdown::LiveMarkdown, state::ReportState};
use crate::ui::browser;

/// How often, at most, the findings are brought up to date while a report streams
/// (each update reads the text added since the last one).
const FINDINGS_EVERY_MS: f64 = 250.0;

/// How often, at most, the status line announces new findings to screen readers.
const ANNOUNCE_EVERY_MS: f64 = 1000.0;

/// One report's reading state: its markdown, its findings, when they were last read,
/// and the completed findings not announced yet.
pub struct LiveReader {
    state: ReportState,
    markdown: LiveMarkdown,
    findings: FindingsTracker,
    findings_at: f64,
    unannounced: Vec<String>,
    announced_at: f64,
    /// How far the text has been read for pass headings, and when it last was.
    passes_read: usize,
    passes_at: f64,
}

impl LiveReader {
    pub fn new(state: ReportState) -> Self {
        Self {
            state,
            markdown: LiveMarkdown::default(),
            findings: FindingsTracker::default(),
            findings_at: 0.0,
            unannounced: Vec::new(),
            announced_at: 0.0,
            passes_read: 0,
            passes_at: 0.0,
        }
    }

    /// One frame's text: the raw markdown grows, finished blocks are appended once, the
    /// tail is replaced only when it renders differently.
    pub fn frame(&mut self, text: &str) {
        let s = self.state;
        let update = self.markdown.push(text);
        s.markdown.update(|m| m.push_str(text));
        let block_finished = !update.finished.is_empty();
        s.append_blocks(update.finished);
        if s.tail.with_untracked(|t| *t != update.tail) {
            s.tail.set(update.tail);
        }
        s.stats.update(|_| {});
        let now = browser::now_ms();
        if block_finished && now - self.findings_at >= FINDINGS_EVERY_MS {
            self.findings_at = now;
            let found = s
                .markdown
                .with_untracked(|m| self.findings.update(m, false));
            self.unannounced
                .extend(self.findings.newly_complete(&found));
            s.findings.set(found);
        }
        // Pass headings are read line by line, not only when a block ends: a model writing
        // one long block (a code listing) would otherwise leave the last pass's name up.
        if now - self.passes_at >= FINDINGS_EVERY_MS {
            self.passes_at = now;
            let (pass, read) = s
                .markdown
                .with_untracked(|m| latest_pass(m, self.passes_read));
            self.passes_read = read;
            if pass.is_some() {
                s.pass.set(pass);
            }
        }
        if !self.unannounced.is_empty() && now - self.announced_at >= ANNOUNCE_EVERY_MS {
            self.announced_at = now;
            announce_findings(s, &std::mem::take(&mut self.unannounced));
        }
    }

    /// A resumed stream's `snapshot`: the text so far replaces what is on screen (the
    /// reader missed events its server no longer holds), and reading goes on from it.
    pub fn replace(&mut self, text: &str) {
        let s = self.state;
        self.markdown = LiveMarkdown::default();
        self.findings = FindingsTracker::default();
        self.findings_at = 0.0;
        s.markdown.set(String::new());
        s.pages.set(Vec::new());
        s.tail.set(Vec::new());
        self.frame(text);
    }

    /// The stream has ended: the last block is rendered as written (no more repair) and
    /// the findings read once more; `ended_well` when it ended with `done`. Returns the
    /// findings' summary for the announcement.
    pub fn finish(&mut self, ended_well: bool) -> String {
        let s = self.state;
        let last = self.markdown.finish();
        if s.tail.with_untracked(|t| *t != last) {
            s.tail.set(last);
        }
        let findings = s
            .markdown
            .with_untracked(|m| self.findings.update(m, ended_well));
        let summary = findings.summary();
        s.findings.set(findings);
        summary
    }
}

/// The last pass heading (`## Pass 2 of 5: src/Vault.sol`, as the server writes a
/// project reported in passes) among the complete lines of `text` after byte `from`, as
/// the status line says it, and how far the text has been read.
pub fn latest_pass(text: &str, from: usize) -> (Option<String>, usize) {
    let from = from.min(text.len());
    let Some(end) = text[from..].rfind('\n').map(|i| from + i + 1) else {
        return (None, from);
    };
    let pass = text[from..end].lines().rev().find_map(|line| {
        let (index, total, label) = crate::report::pass::read_heading(line)?;
        Some(format!("pass {index} of {total}: {label}"))
    });
    (pass, end)
}

/// One polite announcement for the findings completed since the last one.
fn announce_findings(s: ReportState, fresh: &[String]) {
    match fresh {
        [] => {}
        [one] => s.announcement.set(format!("new finding: {one}")),
        many => s.announcement.set(format!("{} new findings", many.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_pass_is_the_last_complete_pass_heading() {
        let text = "# Security report: foundry project\n\n## Pass 1 of 3: src/A.sol\n\n### 1. X\n## Pass 2 of 3: src/B.sol, src/C.sol\n## Pass 3 of";
        let (pass, read) = latest_pass(text, 0);
        assert_eq!(pass.as_deref(), Some("pass 2 of 3: src/B.sol, src/C.sol"));
        assert_eq!(&text[read..], "## Pass 3 of");
        // Nothing new since: no pass to change to.
        assert_eq!(latest_pass(text, read), (None, read));
        // A heading that only looks like one is not a pass.
        assert_eq!(latest_pass("## Pass the salt: now\n", 0).0, None);
    }
}
