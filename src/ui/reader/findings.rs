//! The findings of the report on screen, kept up to date while it streams. Uses the
//! findings parser from `src/report/`: an `Outliner` reads only the lines added since the
//! last update, each finished block is parsed once (a finished block always parses the
//! same), and only the block still growing is parsed again; so an update costs the new
//! text, not the whole report. Pure, so the panel, the status line and the tests share it.

use std::sync::Arc;

use crate::protocol::FindingCheck;
use crate::report::{Finding, FindingBlock, Outliner, Parsed, Severity, Unclassified, parse_block};

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

/// The checked copies of findings, by heading line, with the finding and verdict each was
/// made from.
#[derive(Debug, Default)]
pub struct CheckedCache(
    std::collections::HashMap<u32, (Arc<LiveFinding>, crate::report::Verdict, Arc<LiveFinding>)>,
);

/// What a block became, ready to list.
#[derive(Clone, Debug)]
enum Entry {
    Finding(Arc<LiveFinding>),
    Unclassified(Arc<LiveUnclassified>),
    Nothing,
}

impl Findings {
    /// `(severity, count)` for every severity present, most severe first. A finding the
    /// checks found false (unverified, contradicted) is not counted: see `flagged`.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::all()
            .map(|s| {
                (
                    s,
                    self.findings
                        .iter()
                        .filter(|f| f.finding.severity == s && f.finding.holds())
                        .count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// How many findings the checks marked unverified or contradicted.
    pub fn flagged(&self) -> usize {
        self.findings.iter().filter(|f| !f.finding.holds()).count()
    }

    /// These findings with the server's verdicts on them (matched by heading line), then
    /// the analyzer's findings the report text does not hold (line 0: not in the text).
    /// Only the findings a check names are copied.
    pub fn with_checks(&self, checks: &[FindingCheck]) -> Findings {
        self.with_checks_cached(checks, &mut CheckedCache::default())
    }

    /// [`Findings::with_checks`], reusing the checked copies `cache` made last time for
    /// findings and verdicts that have not changed: a long report's refresh then copies
    /// only what is new.
    pub fn with_checks_cached(
        &self,
        checks: &[FindingCheck],
        cache: &mut CheckedCache,
    ) -> Findings {
        if checks.is_empty() {
            return self.clone();
        }
        // By heading line, so a long report's thousands of checks cost one pass, not one
        // search per finding.
        let by_line: std::collections::HashMap<u32, &FindingCheck> = checks
            .iter()
            .filter_map(|c| Some((c.report_line?, c)))
            .collect();
        let mut findings: Vec<Arc<LiveFinding>> = self
            .findings
            .iter()
            .map(|f| match by_line.get(&f.line) {
                Some(c) => {
                    if let Some((src, verdict, checked)) = cache.0.get(&f.line)
                        && Arc::ptr_eq(src, f)
                        && *verdict == c.verdict
                    {
                        return checked.clone();
                    }
                    let mut checked = LiveFinding::clone(f);
                    c.apply(&mut checked.finding);
                    let checked = Arc::new(checked);
                    cache
                        .0
                        .insert(f.line, (f.clone(), c.verdict, checked.clone()));
                    checked
                }
                None => f.clone(),
            })
            .collect();
        findings.extend(checks.iter().filter_map(|c| {
            let finding = Finding::clone(c.finding.as_deref().filter(|_| c.report_line.is_none())?);
            let markdown = format!("**{}** ({}): {}", finding.title, finding.severity, c.reason);
            Some(Arc::new(LiveFinding {
                line: 0,
                finding,
                markdown,
            }))
        }));
        Findings {
            findings,
            unclassified: self.unclassified.clone(),
        }
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

/// Follows the growing report, parsing each finished block once.
#[derive(Debug, Default)]
pub struct FindingsTracker {
    outliner: Outliner,
    /// What the finished blocks became, in order (as many as the outliner has finished).
    finished: Findings,
    /// How many of the outliner's finished blocks have been parsed.
    parsed: usize,
    /// Complete findings already announced.
    announced: usize,
}

impl FindingsTracker {
    /// The findings in `text`, which starts with every text passed before; `finished` once
    /// the stream has ended.
    pub fn update(&mut self, text: &str, finished: bool) -> Findings {
        self.outliner.feed(text);
        for block in &self.outliner.finished()[self.parsed..] {
            push(&mut self.finished, entry(text, block));
        }
        self.parsed = self.outliner.finished().len();
        let mut out = self.finished.clone();
        if finished {
            // The end: the last line counts and the last block is final.
            let outline = self.outliner.outline(text, true);
            for block in &outline.blocks[self.parsed..] {
                push(&mut out, entry(text, block));
            }
        } else if let Some(open) = self.outliner.open_block(text) {
            push(&mut out, entry(text, &open));
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

fn push(findings: &mut Findings, entry: Entry) {
    match entry {
        Entry::Finding(f) => findings.findings.push(f),
        Entry::Unclassified(u) => findings.unclassified.push(u),
        Entry::Nothing => {}
    }
}

fn entry(text: &str, block: &FindingBlock) -> Entry {
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
    fn one_tracker_fed_every_prefix_agrees_with_a_fresh_read_of_it() {
        let mut t = FindingsTracker::default();
        let cuts = (0..=REPORT.len()).filter(|&i| REPORT.is_char_boundary(i));
        for cut in cuts.step_by(7).chain([REPORT.len()]) {
            let prefix = &REPORT[..cut];
            assert_eq!(
                t.update(prefix, false),
                FindingsTracker::default().update(prefix, false),
                "at byte {cut}"
            );
        }
        assert_eq!(
            t.update(REPORT, true),
            FindingsTracker::default().update(REPORT, true)
        );
    }

    #[test]
    fn an_empty_report_has_no_findings() {
        assert_eq!(
            FindingsTracker::default().update("", false).summary(),
            "no findings"
        );
    }

    #[test]
    fn verdicts_land_on_their_findings_and_false_ones_leave_the_counts() {
        use crate::report::{FoundBy, Verdict};
        let found = FindingsTracker::default().update(REPORT, true);
        let check = |line, verdict, finding| FindingCheck {
            report_line: line,
            id: "x".into(),
            title: "x".into(),
            verdict,
            reason: "because".into(),
            found_by: FoundBy::Model,
            finding,
        };
        let mut extra = found.findings[1].finding.clone();
        extra.title = "Joined".into();
        let checked = found.with_checks(&[
            check(Some(found.findings[0].line), Verdict::Unverified, None),
            check(None, Verdict::Confirmed, Some(Box::new(extra))),
        ]);
        assert_eq!(checked.findings.len(), 3);
        assert_eq!(
            checked.findings[0].finding.verdict,
            Some(Verdict::Unverified)
        );
        assert_eq!(checked.findings[1].finding.verdict, None);
        assert!(
            Arc::ptr_eq(&checked.findings[1], &found.findings[1]),
            "unchecked ones are shared"
        );
        assert_eq!(checked.findings[2].line, 0);
        // The unverified High is counted apart; the joined Low counts.
        assert_eq!(checked.counts(), [(Severity::Low, 2)]);
        assert_eq!(checked.flagged(), 1);
    }
}
