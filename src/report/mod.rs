//! Reports as data: the findings model, the language of a contract, the markdown → findings
//! parser, and the Markdown, JSON and SARIF exports. Pure and compiled for both the server
//! and the browser.

pub mod export;
pub mod language;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod scan;
mod words;

#[cfg(test)]
mod layouts;
#[cfg(all(test, feature = "ssr"))]
mod roundtrip;
#[cfg(test)]
mod streaming;

pub use language::{Language, detect_language};
pub use markdown::write_report;
pub use model::{Confidence, Finding, Location, Report, Severity, Unclassified, slug};
pub use parse::{Parsed, check_lines, parse_block, parse_finished_report, parse_report};
pub use scan::{Block, Outline, outline};
