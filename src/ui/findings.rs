//! The findings of the report on screen, kept up to date while it streams. Uses the
//! findings parser from `src/report/`: one outline pass per update, and `parse_block`
//! only for blocks not yet seen finished (a finished block always parses the same).
//! Pure, so the panel, the status line and the tests share it.

use std::{collections::HashMap, sync::Arc};

use crate::report::{Block, Finding, Parsed, Severity, Unclassified, outline, parse_block};

/// A finding with where it sits in the report and its markdown (for Copy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveFinding {
    /// 1-based line of its heading in the report text.
    pub line: u32,
    pub finding: Finding,
    pub markdown: String,
}

/// An unclassified block with its place in the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveUnclassified {
    pub line: u32,
    pub item: Unclassified,
}

/// The findings so far. Shared (`Arc`), so a long report's list is cheap to hand on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    pub findings: Vec<Arc<LiveFinding>>,
    pub unclassified: Vec<Arc<LiveUnclassified>>,
}

/// What a block became, ready to list.
#[derive(Clone, Debug)]
enum Entry {
    Finding(Arc<LiveFinding>),
    Unclassified(Arc<LiveUnclassified>),
    Nothing,
}

impl Findings {
    /// `(severity, count)` for every severity present, most severe first.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .into_iter()
            .map(|s| {
                (
                    s,
                    self.findings
                        .iter()
                        .filter(|f| f.finding.severity == s)
                        .count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// "2 High, 3 Medium", or "no findings".
    pub fn summary(&self) -> String {
        let counts = self.counts();
        if counts.is_empty() {
            return "no findings".into();
        }
        counts
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Re-reads the growing report, parsing each finished block once.
#[derive(Debug, Default)]
pub struct FindingsTracker {
    finished: HashMap<usize, Entry>,
    /// Complete findings already announced.
    announced: usize,
}

impl FindingsTracker {
    /// The findings in `text`; `finished` once the stream has ended.
    pub fn update(&mut self, text: &str, finished: bool) -> Findings {
        let mut out = Findings::default();
        for block in outline(text, finished).blocks {
            let entry = match (block.finished, self.finished.get(&block.start)) {
                (true, Some(e)) => e.clone(),
                (true, None) => {
                    let e = entry(text, &block);
                    self.finished.insert(block.start, e.clone());
                    e
                }
                (false, _) => entry(text, &block),
            };
            match entry {
                Entry::Finding(f) => out.findings.push(f),
                Entry::Unclassified(u) => out.unclassified.push(u),
                Entry::Nothing => {}
            }
        }
        out
    }

    /// Titles of complete findings not announced before.
    pub fn newly_complete(&mut self, findings: &Findings) -> Vec<String> {
        let complete: Vec<&Arc<LiveFinding>> = findings
            .findings
            .iter()
            .filter(|f| f.finding.complete)
            .collect();
        let fresh = complete
            .iter()
            .skip(self.announced)
            .map(|f| f.finding.title.clone())
            .collect();
        self.announced = self.announced.max(complete.len());
        fresh
    }
}

fn entry(text: &str, block: &Block) -> Entry {
    match parse_block(text, block) {
        Parsed::Finding(finding) => Entry::Finding(Arc::new(LiveFinding {
            line: block.line,
            finding,
            markdown: block.text(text).trim_end().to_owned(),
        })),
        Parsed::Unclassified(item) => Entry::Unclassified(Arc::new(LiveUnclassified {
            line: block.line,
            item,
        })),
        Parsed::Section | Parsed::Pending => Entry::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "# Security report: Vault.sol\n\n## Summary\nTwo findings.\n\n## Findings\n\n### 1. Reentrancy in withdraw\n- **Severity:** High\n- **Line:** 19-25\n\n**Explanation.** Re-enter.\n\n### 2. Floating pragma\n- **Severity:** Low\n- **Line:** 1\n\n### 3. Something odd\nNo severity here.\n";

    #[test]
    fn findings_appear_as_their_blocks_complete_and_parse_once() {
        let mut t = FindingsTracker::default();
        let cut = REPORT.find("- **Line:** 1\n").unwrap();
        let partial = t.update(&REPORT[..cut], false);
        assert_eq!(partial.findings.len(), 2);
        assert!(partial.findings[0].finding.complete);
        assert!(!partial.findings[1].finding.complete);
        assert_eq!(t.newly_complete(&partial), ["Reentrancy in withdraw"]);
        assert_eq!(partial.findings[0].line, 8);
        assert!(
            partial.findings[0]
                .markdown
                .starts_with("### 1. Reentrancy")
        );

        let done = t.update(REPORT, true);
        assert_eq!(done.findings.len(), 2);
        assert_eq!(done.unclassified.len(), 1);
        assert_eq!(done.summary(), "1 High, 1 Low");
        assert_eq!(t.newly_complete(&done), ["Floating pragma"]);
        assert_eq!(done.findings[0].finding.locations[0].line, 19);
        assert_eq!(done, FindingsTracker::default().update(REPORT, true));
    }

    #[test]
    fn an_empty_report_has_no_findings() {
        assert_eq!(
            FindingsTracker::default().update("", false).summary(),
            "no findings"
        );
    }
}
