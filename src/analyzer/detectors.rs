//! The registry of offline checks. Each check is an independent `Detector`, grouped by concern
//! into the files below, so the line heuristics can be replaced one by one by AST detectors.
//!
//! All checks read `SourceFile::code()`, where comments and strings are already blanked, and
//! share the shallow scanning in `scan`. Their doc comments say what they miss.

mod access;
mod arithmetic;
mod calls;
mod constructor;
mod delegatecall;
mod pragma;
mod randomness;
mod reentrancy;
mod scan;
mod structure;
#[cfg(test)]
mod testing;
mod version;

use super::{Detector, Finding, Language, Severity, SourceFile};

const SOLIDITY: &[Language] = &[Language::Solidity];
const ALL_LANGUAGES: &[Language] = &[Language::Solidity, Language::Vyper];

/// Every detector, in a stable order.
pub fn all() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(access::TxOrigin),
        Box::new(access::Selfdestruct),
        Box::new(delegatecall::Delegatecall),
        Box::new(calls::UncheckedCall),
        Box::new(pragma::FloatingPragma),
        Box::new(randomness::WeakRandomness),
        Box::new(reentrancy::Reentrancy),
        Box::new(arithmetic::IntegerOverflow),
        Box::new(constructor::ConstructorName),
    ]
}

/// A finding at `line`, with the trimmed original line as its snippet.
fn finding(
    src: &SourceFile,
    detector: &'static str,
    severity: Severity,
    line: usize,
    title: impl Into<String>,
    explanation: impl Into<String>,
    recommendation: impl Into<String>,
) -> Finding {
    Finding {
        detector,
        title: title.into(),
        severity,
        line,
        explanation: explanation.into(),
        recommendation: recommendation.into(),
        snippet: src.snippet(line),
    }
}

/// `code` in a markdown code span, shortened to one line of at most 60 characters (a line
/// break before a `.` member access is dropped: `a\n  .call` reads `a.call`).
fn code_span(code: &str) -> String {
    let flat = code
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" .", ".")
        .replace('`', "");
    match flat.char_indices().nth(60) {
        Some((cut, _)) => format!("`{}…`", &flat[..cut]),
        None => format!("`{flat}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_kebab_case_and_match_findings() {
        let detectors = all();
        let ids: HashSet<&str> = detectors.iter().map(|d| d.id()).collect();
        assert_eq!(ids.len(), detectors.len());
        for d in &detectors {
            assert!(
                d.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                d.id()
            );
            assert!(
                d.languages().contains(&Language::Solidity)
                    || d.languages().contains(&Language::Vyper)
            );
        }
        // Every detector stamps its own id on what it finds.
        let src = SourceFile::with_language(
            "pragma solidity ^0.4.0;\ncontract Killer { uint n; function Kiler() public { n -= 1; require(tx.origin == o);\n \
             a.delegatecall(d); a.call.value(1)(); n = 2; selfdestruct(a); x = now % 2; } }",
            Language::Solidity,
        );
        let mut seen = HashSet::new();
        for d in &detectors {
            for f in d.check(&src) {
                assert_eq!(f.detector, d.id());
                seen.insert(f.detector);
            }
        }
        assert_eq!(
            seen, ids,
            "this source should trigger every Solidity detector"
        );
    }

    #[test]
    fn code_spans_are_flat_and_short() {
        assert_eq!(code_span("a\n   .call(`x`,\n  y)"), "`a.call(x, y)`");
        let long = "x".repeat(80);
        assert_eq!(code_span(&long), format!("`{}…`", "x".repeat(60)));
    }
}
