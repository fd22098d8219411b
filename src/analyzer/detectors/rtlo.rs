//! `rtlo` (SWC-130): the right-to-left override character (U+202E) in the source, which makes
//! the code display differently from how it compiles.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::report::{Confidence, Language, Severity};

pub struct RightToLeftOverride;

impl Detector for RightToLeftOverride {
    fn id(&self) -> &'static str {
        "rtlo"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-130")
    }

    fn languages(&self) -> &'static [Language] {
        &[Language::Solidity, Language::Vyper]
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        cx.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains('\u{202E}'))
            .map(|(i, _)| {
                Hit::at_line(i + 1, Severity::High, Confidence::High, "Right-to-left override character").explain(
                    "The line contains U+202E, which reverses how the following text is displayed. Reviewers see different code (for example swapped arguments) from what the compiler reads.",
                    "Remove the control character; never accept it in source files.",
                )
            })
            .collect()
    }
}
