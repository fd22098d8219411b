//! `floating-pragma` (SWC-103) and `outdated-compiler` (SWC-102): hygiene of the version
//! pragma. Both point at the same line, so a floating pragma that also allows old compilers
//! is one finding (it says both), and `outdated-compiler` speaks only for pinned versions.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::version;
use crate::report::{Confidence, Language, Severity};

pub struct FloatingPragma;
pub struct OutdatedCompiler;

/// Compilers before this are reported as outdated (0.8 added checked arithmetic).
const CURRENT: version::Version = (0, 8, 0);

impl Detector for FloatingPragma {
    fn id(&self) -> &'static str {
        "floating-pragma"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-103")
    }

    fn languages(&self) -> &'static [Language] {
        &[Language::Solidity, Language::Vyper]
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let Some(p) = &cx.pragma else {
            if cx.language == Language::Solidity && cx.symbols().local_contracts().is_empty() {
                return Vec::new();
            }
            return vec![Hit::at_line(1, Severity::Info, Confidence::High, "No compiler version pragma").explain(
                "The file names no compiler version, so any compiler (with different semantics and known bugs) may build it.",
                "Add a pinned version pragma, e.g. `pragma solidity 0.8.28;`.",
            )];
        };
        if version::is_pinned(&p.constraint) {
            return Vec::new();
        }
        let old = version::allows_below(&p.constraint, CURRENT);
        vec![Hit::at_line(p.line, Severity::Info, Confidence::High, format!("Floating pragma `{}`", p.constraint)).explain(
            format!(
                "The constraint `{}` lets the contract be compiled with versions other than the one it was tested with{}.",
                p.constraint,
                if old { ", including compilers older than 0.8 with known bugs and unchecked arithmetic" } else { "" }
            ),
            "Pin the exact version the contract was tested with, e.g. `pragma solidity 0.8.28;`.",
        )]
    }
}

impl Detector for OutdatedCompiler {
    fn id(&self) -> &'static str {
        "outdated-compiler"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-102")
    }

    fn languages(&self) -> &'static [Language] {
        &[Language::Solidity]
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let Some(p) = &cx.pragma else {
            return Vec::new();
        };
        if !version::is_pinned(&p.constraint) || !version::all_below(&p.constraint, CURRENT) {
            return Vec::new();
        }
        vec![Hit::at_line(p.line, Severity::Info, Confidence::High, format!("Outdated compiler `{}`", p.constraint)).explain(
            format!("Solidity {} is older than 0.8: it has publicly known bugs and does not check arithmetic for overflow.", p.constraint.trim_start_matches('=')),
            "Move to a recent 0.8.x compiler and re-test.",
        )]
    }
}
