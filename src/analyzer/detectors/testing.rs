//! What every detector's tests ask: which lines a detector flags, and how severely.

use super::super::{Detector, Language, Severity, source::SourceFile};

/// `(line, severity)` of each finding of `d` on `text` read as `language`.
pub(super) fn run(d: &dyn Detector, text: &str, language: Language) -> Vec<(usize, Severity)> {
    d.check(&SourceFile::with_language(text, language))
        .iter()
        .map(|f| (f.line, f.severity))
        .collect()
}

/// [`run`] on Solidity.
pub(super) fn sol(d: &dyn Detector, text: &str) -> Vec<(usize, Severity)> {
    run(d, text, Language::Solidity)
}
