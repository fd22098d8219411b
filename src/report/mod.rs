//! Reports as data: the findings model, the language of a contract, and (as the findings
//! issue lands) the markdown → findings parser and the JSON, SARIF and Markdown exports.
//! Pure and compiled for both the server and the browser.

pub mod language;
pub mod model;

pub use language::{Language, detect_language};
pub use model::{Confidence, Finding, Location, Report, Severity, Unclassified, slug};
