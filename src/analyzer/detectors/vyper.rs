//! Vyper checks. There is no Vyper grammar in tree-sitter-solidity, so these stay small and
//! line-based (the report header says so): `selfdestruct` in a function with no `msg.sender`
//! assertion, and `send`/`raw_call` whose result is not used.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::report::{Confidence, Language, Severity};

pub struct VyperSelfdestruct;
pub struct VyperUncheckedSend;

/// Lines of the function containing line `at` (0-based), from its `def` to `at`.
fn function_head<'a, 'b>(lines: &'b [&'a str], at: usize) -> &'b [&'a str] {
    let start = (0..=at)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("def "))
        .unwrap_or(0);
    &lines[start..=at]
}

fn code(line: &str) -> &str {
    line.split('#').next().unwrap_or("")
}

impl Detector for VyperSelfdestruct {
    fn id(&self) -> &'static str {
        "selfdestruct"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-106")
    }

    fn languages(&self) -> &'static [Language] {
        &[Language::Vyper]
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (i, line) in cx.lines.iter().enumerate() {
            if !code(line).contains("selfdestruct(") {
                continue;
            }
            let guarded = function_head(&cx.lines, i)
                .iter()
                .any(|l| code(l).contains("assert") && code(l).contains("msg.sender"));
            if guarded {
                continue;
            }
            hits.push(Hit::at_line(i + 1, Severity::High, Confidence::Low, "Anyone can destroy the contract").explain(
                "`selfdestruct` runs with no `assert msg.sender == …` before it in this function, so any caller may destroy the contract and take its ether.",
                "Assert that `msg.sender` is the owner first, or remove the self-destruct.",
            ));
        }
        hits
    }
}

impl Detector for VyperUncheckedSend {
    fn id(&self) -> &'static str {
        "unchecked-call"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-104")
    }

    fn languages(&self) -> &'static [Language] {
        &[Language::Vyper]
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (i, line) in cx.lines.iter().enumerate() {
            let t = code(line).trim();
            if !(t.starts_with("raw_call(") && t.contains("revert_on_failure=False")) {
                continue;
            }
            hits.push(Hit::at_line(i + 1, Severity::Medium, Confidence::Medium, "Unchecked `raw_call`").explain(
                "`raw_call` with `revert_on_failure=False` returns a success flag, which is discarded here.",
                "Assign the result and assert it, or leave `revert_on_failure` at its default.",
            ));
        }
        hits
    }
}
