//! Offline security analysis for the built-in provider: contract source in, findings out, then
//! a markdown report in the same shape the LLM providers are asked for. Pure (no IO, no async,
//! no clocks), so it is cheap to test and safe to call from any task.
//!
//! The detectors are honest line-and-statement heuristics over comment/string-blanked source;
//! each documents what it misses. They sit behind the `Detector` trait so AST-based checks
//! (solang-parser) can replace them one at a time.

mod detectors;
pub mod markdown;
pub mod source;

use std::collections::{HashMap, HashSet};
use std::fmt;

pub use crate::report::{Language, detect_language};
pub use markdown::render_markdown;
pub use source::{Pragma, SourceFile};

/// How serious a finding is. The order is most severe first, so sorting ascending puts
/// `Critical` at the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// `"Critical"`, `"High"`, `"Medium"`, `"Low"` or `"Info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
            Severity::Info => "Info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One issue at one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable detector id, e.g. `"tx-origin"`.
    pub detector: &'static str,
    pub title: String,
    pub severity: Severity,
    /// 1-based line.
    pub line: usize,
    pub explanation: String,
    pub recommendation: String,
    /// The trimmed source line.
    pub snippet: String,
}

/// The result of analyzing one contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub language: Language,
    pub filename: Option<String>,
    /// Number of source lines.
    pub lines: usize,
    /// The first version pragma's constraint, e.g. `^0.4.24`.
    pub pragma: Option<String>,
    /// Sorted by severity (most severe first), then line, then detector id.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// One check. Implementations are independent of each other and read only the `SourceFile`.
pub trait Detector: Send + Sync {
    /// Stable kebab-case id, used as `Finding::detector`.
    fn id(&self) -> &'static str;
    /// The languages this detector understands; it is only run on those.
    fn languages(&self) -> &'static [Language];
    fn check(&self, src: &SourceFile) -> Vec<Finding>;
}

/// At most this many findings per detector are reported: the most severe, then the earliest.
/// The last one listed says how many more there were. This keeps a hostile or generated input
/// from turning into a multi-megabyte report.
pub const MAX_FINDINGS_PER_DETECTOR: usize = 20;

/// Every registered detector.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    detectors::all()
}

/// Analyzes `source`. The language comes from `filename` (`.sol`, `.vy`) or, failing that, the
/// text. A detector reports at most one finding per line (the most severe is kept), and at most
/// `MAX_FINDINGS_PER_DETECTOR` in all.
pub fn analyze(source: &str, filename: Option<&str>) -> Analysis {
    let filename = filename.map(str::trim).filter(|f| !f.is_empty());
    let src = SourceFile::new(source, filename);
    let mut findings: Vec<Finding> = detectors()
        .iter()
        .filter(|d| d.languages().contains(&src.language()))
        .flat_map(|d| d.check(&src))
        .collect();
    findings
        .sort_by(|a, b| (a.severity, a.line, a.detector).cmp(&(b.severity, b.line, b.detector)));
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.detector, f.line)));
    cap_per_detector(&mut findings);
    Analysis {
        language: src.language(),
        filename: filename.map(str::to_owned),
        lines: src.line_count(),
        pragma: src.pragma().map(|p| p.constraint.clone()),
        findings,
    }
}

/// Keeps the first `MAX_FINDINGS_PER_DETECTOR` findings of each detector (in the sorted order)
/// and notes the rest in the explanation of the last one kept.
fn cap_per_detector(findings: &mut Vec<Finding>) {
    let mut totals: HashMap<&'static str, usize> = HashMap::new();
    findings.retain(|f| {
        let n = totals.entry(f.detector).or_default();
        *n += 1;
        *n <= MAX_FINDINGS_PER_DETECTOR
    });
    for (id, total) in totals {
        let more = total.saturating_sub(MAX_FINDINGS_PER_DETECTOR);
        if let Some(last) = findings
            .iter_mut()
            .rev()
            .find(|f| f.detector == id && more > 0)
        {
            last.explanation.push_str(&format!(
                " The same check matched {more} more line{} that are not listed here; only \
                 {MAX_FINDINGS_PER_DETECTOR} are shown per check.",
                if more == 1 { "" } else { "s" }
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The shared contract fixtures: next to the crate, or under `$AUDITSTREAM_TESTDATA`.
    fn fixtures() -> PathBuf {
        let beside = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/testdata/contracts"
        ));
        if beside.is_dir() {
            return beside;
        }
        let from_env =
            std::env::var_os("AUDITSTREAM_TESTDATA").map(|d| PathBuf::from(d).join("contracts"));
        match from_env {
            Some(dir) if dir.is_dir() => dir,
            _ => panic!(
                "contract fixtures not found at {} and AUDITSTREAM_TESTDATA is not set",
                beside.display()
            ),
        }
    }

    fn fixture(name: &str) -> Analysis {
        let text = std::fs::read_to_string(fixtures().join(name)).expect("fixture is readable");
        analyze(&text, Some(name))
    }

    fn at(a: &Analysis) -> Vec<(&str, usize)> {
        a.findings.iter().map(|f| (f.detector, f.line)).collect()
    }

    /// `(SWC id, expected lines)` from an `.expected.yaml`, read by hand (just the shapes the
    /// SWC registry uses: `- id: SWC-107` and `name.sol: [17, 18]`).
    fn expected(yaml: &str) -> Vec<(String, Vec<usize>)> {
        let mut out: Vec<(String, Vec<usize>)> = Vec::new();
        for line in yaml.lines().map(str::trim) {
            if let Some(id) = line.strip_prefix("- id:") {
                out.push((id.trim().to_owned(), Vec::new()));
            } else if let (Some((key, list)), Some(last)) = (line.split_once(": ["), out.last_mut())
                && key.ends_with(".sol")
            {
                let nums = list
                    .trim_end_matches(']')
                    .split(',')
                    .map(|n| n.trim().parse::<usize>().expect("line number"));
                last.1.extend(nums);
            }
        }
        out
    }

    #[test]
    fn every_swc_fixture_yields_its_expected_finding() {
        let detector_for = |swc: &str| match swc {
            "SWC-101" => "integer-overflow",
            "SWC-104" => "unchecked-call",
            "SWC-107" => "reentrancy",
            "SWC-115" => "tx-origin",
            other => panic!("no detector mapped for {other}"),
        };
        let mut checked = 0;
        for entry in std::fs::read_dir(fixtures()).expect("fixture dir") {
            let path = entry.expect("entry").path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".expected.yaml") else {
                continue;
            };
            let yaml = std::fs::read_to_string(&path).expect("yaml");
            let analysis = fixture(&format!("{stem}.sol"));
            let issues = expected(&yaml);
            assert!(!issues.is_empty(), "{name} lists no issues");
            for (swc, lines) in issues {
                let id = detector_for(&swc);
                assert!(
                    analysis
                        .findings
                        .iter()
                        .any(|f| f.detector == id && lines.contains(&f.line)),
                    "{stem}.sol: expected {id} ({swc}) at one of {lines:?}, got {:?}",
                    at(&analysis)
                );
                checked += 1;
            }
        }
        assert!(checked >= 4, "only {checked} expectations checked");
    }

    #[test]
    fn fixtures_yield_exactly_these_findings() {
        assert_eq!(at(&fixture("swc_mycontract.sol")), [("tx-origin", 18)]);
        assert_eq!(
            at(&fixture("swc_unchecked_return_value.sol")),
            [("unchecked-call", 10)]
        );
        assert_eq!(at(&fixture("swc_simple_dao.sol")), [("reentrancy", 17)]);
        assert_eq!(
            at(&fixture("swc_integer_overflow_minimal.sol")),
            [("integer-overflow", 10), ("floating-pragma", 4)]
        );
        assert_eq!(
            at(&fixture("nssc_incorrect_constructor.sol")),
            [("constructor-name", 13), ("floating-pragma", 1)]
        );
        let dao = fixture("swc_simple_dao.sol");
        assert!(
            dao.findings[0].explanation.contains("`credit` (line 18)"),
            "{}",
            dao.findings[0].explanation
        );
        assert_eq!(
            dao.findings[0].snippet,
            "require(msg.sender.call.value(amount)());"
        );
        assert_eq!(
            (dao.language, dao.lines, dao.pragma.as_deref()),
            (Language::Solidity, 25, Some("0.4.24"))
        );
    }

    #[test]
    fn findings_are_sorted_by_severity_then_line_and_deduplicated() {
        let src = "pragma solidity ^0.8.0;\ncontract A {\n function f(address t) public {\n  t.delegatecall(\"\"); t.delegatecall(\"\");\n  selfdestruct(payable(t));\n }\n}\n";
        let a = analyze(src, Some("A.sol"));
        let order: Vec<(Severity, usize, &str)> = a
            .findings
            .iter()
            .map(|f| (f.severity, f.line, f.detector))
            .collect();
        assert_eq!(
            order,
            [
                (Severity::Critical, 4, "delegatecall"),
                (Severity::High, 5, "selfdestruct"),
                (Severity::Medium, 4, "unchecked-call"),
                (Severity::Low, 1, "floating-pragma"),
            ]
        );
        assert_eq!((a.count(Severity::High), a.count(Severity::Info)), (1, 0));
    }

    #[test]
    fn findings_are_capped_per_detector_with_a_note() {
        let body = "  selfdestruct(payable(msg.sender));\n".repeat(MAX_FINDINGS_PER_DETECTOR + 5);
        let src = format!(
            "pragma solidity 0.8.19;\ncontract A {{\n function f() public {{\n{body} }}\n}}\n"
        );
        let a = analyze(&src, None);
        assert_eq!(a.count(Severity::High), MAX_FINDINGS_PER_DETECTOR);
        let last = a.findings.last().unwrap();
        assert_eq!(last.line, 3 + MAX_FINDINGS_PER_DETECTOR);
        assert!(
            last.explanation.ends_with(
                "matched 5 more lines that are not listed here; only 20 are shown per check."
            ),
            "{}",
            last.explanation
        );
        assert!(!a.findings[0].explanation.contains("more line"));
    }

    #[test]
    fn language_filename_and_empty_input() {
        let vy = analyze(
            "# @version ^0.3.7\n@external\ndef kill():\n    selfdestruct(msg.sender)\n",
            None,
        );
        assert_eq!(vy.language, Language::Vyper);
        assert_eq!(at(&vy), [("selfdestruct", 4), ("floating-pragma", 1)]);
        let named = analyze("selfdestruct(x)\n", Some("  Kill.vy "));
        assert_eq!(
            (named.language, named.filename.as_deref()),
            (Language::Vyper, Some("Kill.vy"))
        );
        let empty = analyze("", Some(" "));
        assert_eq!(
            (empty.lines, empty.filename, empty.findings.len()),
            (0, None, 0)
        );
        assert_eq!(empty.language, Language::Solidity);
    }

    #[test]
    fn severities_display_and_order() {
        let shown: Vec<String> = Severity::ALL.iter().map(|s| s.to_string()).collect();
        assert_eq!(shown, ["Critical", "High", "Medium", "Low", "Info"]);
        assert!(Severity::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            (Language::Vyper.to_string(), Language::Vyper.fence()),
            ("Vyper".to_owned(), "vyper")
        );
    }

    #[test]
    fn registry_covers_both_languages() {
        let ds = detectors();
        let vyper: Vec<&str> = ds
            .iter()
            .filter(|d| d.languages().contains(&Language::Vyper))
            .map(|d| d.id())
            .collect();
        assert_eq!(ds.len(), 9);
        for id in [
            "selfdestruct",
            "delegatecall",
            "unchecked-call",
            "weak-randomness",
            "floating-pragma",
        ] {
            assert!(vyper.contains(&id), "{id} should run on Vyper");
        }
    }
}
