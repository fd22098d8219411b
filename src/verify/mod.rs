//! Findings you can trust: every finding a model writes is held against the code it is
//! about (docs/verification.md). `CodeIndex` reads the sources once; `check::verify` gives
//! one finding its verdict and reason; `Joiner` does it block by block as a report streams
//! and, at its end, adds what the analyzer found and the model did not.
//!
//! Pure: no IO, no clocks. Server-only (it needs the tree-sitter analyzer); the browser gets
//! verdicts as `finding` events.

mod check;
mod claims;
mod index;
mod lexer;
mod prompt;

#[cfg(test)]
mod tests;

pub use check::{Outcome, verify};
pub use index::{CodeIndex, Source};
pub use prompt::candidates_prompt;

use std::collections::HashSet;
use std::sync::Arc;

use crate::protocol::{FindingCheck, apply_checks};
use crate::report::{
    Finding, FindingBlock, FoundBy, Outliner, Parsed, Report, Severity, Verdict, outline,
    parse_block, parse_finished_report,
};

/// The least severe analyzer finding that joins a model's report when the model did not
/// report it: Info notes (pragma, style) would bury the model's list.
pub const JOIN_FROM: Severity = Severity::Low;

/// Checks a report's findings as its text grows.
#[derive(Debug)]
pub struct Joiner {
    index: Arc<CodeIndex>,
    outliner: Outliner,
    text: String,
    /// How many of the outliner's finished blocks have been checked.
    checked: usize,
    /// Analyzer findings some model finding matched.
    matched: HashSet<usize>,
    /// Blocks starting before this byte are not the model's (the injection guard's notice
    /// goes first) and get no verdict.
    skip_before: usize,
}

impl Joiner {
    pub fn new(index: Arc<CodeIndex>) -> Joiner {
        Joiner {
            index,
            outliner: Outliner::default(),
            text: String::new(),
            checked: 0,
            matched: HashSet::new(),
            skip_before: 0,
        }
    }

    /// A joiner for a report whose text starts with `prefix`, which is ours, not the
    /// model's (the guard's notice): its findings are left as they are, and heading lines
    /// count in the whole text, as the reader sees it.
    pub fn after(index: Arc<CodeIndex>, prefix: &str) -> Joiner {
        let mut j = Joiner::new(index);
        j.text.push_str(prefix);
        j.outliner.feed(&j.text);
        j.skip_before = prefix.len();
        j
    }

    /// Adds report text; the checks of the findings whose blocks it completed.
    pub fn push(&mut self, text: &str) -> Vec<FindingCheck> {
        self.text.push_str(text);
        // Blocks end only at a line end: a token without one costs its copy, nothing more
        // (a model writing one endless line must not be scanned again per token).
        if !text.contains('\n') {
            return Vec::new();
        }
        self.outliner.feed(&self.text);
        let blocks: Vec<FindingBlock> = self.outliner.finished()[self.checked..].to_vec();
        self.checked += blocks.len();
        blocks.iter().filter_map(|b| self.check_block(b)).collect()
    }

    /// The report ended: checks the last blocks, then, when it is complete (`join`), adds
    /// the analyzer's findings at `JOIN_FROM` or above that no model finding matched.
    pub fn finish(&mut self, join: bool) -> Vec<FindingCheck> {
        let all = outline(&self.text, true).blocks;
        let rest: Vec<FindingBlock> = all.into_iter().skip(self.checked).collect();
        self.checked += rest.len();
        let mut out: Vec<FindingCheck> = rest.iter().filter_map(|b| self.check_block(b)).collect();
        if join {
            out.extend(self.unmatched());
        }
        out
    }

    fn check_block(&mut self, block: &FindingBlock) -> Option<FindingCheck> {
        if block.start < self.skip_before {
            return None;
        }
        let Parsed::Finding(f) = parse_block(&self.text, block) else {
            return None;
        };
        let outcome = verify(&f, block.text(&self.text), &self.index);
        Some(self.record(Some(block.line), &f, outcome))
    }

    fn record(&mut self, report_line: Option<u32>, f: &Finding, o: Outcome) -> FindingCheck {
        if let Some(i) = o.confirmed_by {
            self.matched.insert(i);
        }
        let found_by = if o.confirmed_by.is_some() {
            FoundBy::Both
        } else {
            FoundBy::Model
        };
        let mut parsed = f.clone();
        parsed.verdict = Some(o.verdict);
        parsed.reason = Some(o.reason.clone());
        parsed.found_by = Some(found_by);
        FindingCheck {
            report_line,
            id: f.id.clone(),
            title: f.title.clone(),
            verdict: o.verdict,
            reason: o.reason,
            found_by,
            finding: Some(Box::new(parsed)),
        }
    }

    fn unmatched(&self) -> Vec<FindingCheck> {
        self.index
            .candidates
            .iter()
            .enumerate()
            .filter(|(i, c)| !self.matched.contains(i) && c.severity <= JOIN_FROM)
            .enumerate()
            .map(|(n, (_, c))| {
                let mut finding = c.clone();
                finding.id = format!("A-{}", n + 1);
                let check = FindingCheck {
                    report_line: None,
                    id: finding.id.clone(),
                    title: finding.title.clone(),
                    verdict: Verdict::Confirmed,
                    reason: format!(
                        "found by the analyzer (`{}`); the model's report does not mention it",
                        c.rule
                    ),
                    found_by: FoundBy::Analyzer,
                    finding: None,
                };
                check.apply(&mut finding);
                FindingCheck {
                    finding: Some(Box::new(finding)),
                    ..check
                }
            })
            .collect()
    }
}

/// A whole saved report checked against `index`: every finding gets its verdict, and the
/// analyzer's unmatched findings are added (`auditstream export --source`).
pub fn verify_report(markdown: &str, index: Arc<CodeIndex>) -> (Report, Vec<FindingCheck>) {
    verify_report_after(markdown, "", index)
}

/// [`verify_report`] for a report that starts with `prefix`, which is ours (`Joiner::after`).
pub fn verify_report_after(
    markdown: &str,
    prefix: &str,
    index: Arc<CodeIndex>,
) -> (Report, Vec<FindingCheck>) {
    if !index.has_code() {
        // Nothing to check against (not a contract): the report as it is.
        return (parse_finished_report(markdown), Vec::new());
    }
    let mut joiner = Joiner::after(index, prefix);
    let mut checks = joiner.push(markdown.strip_prefix(prefix).unwrap_or(markdown));
    checks.extend(joiner.finish(true));
    let mut report = parse_finished_report(markdown);
    apply_checks(&mut report, markdown, &checks);
    (report, checks)
}
