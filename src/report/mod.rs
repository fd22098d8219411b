//! Reports as data: the findings model, the language of a contract, the markdown → findings
//! parser, and the Markdown, JSON and SARIF exports. Pure and compiled for both the server
//! and the browser.
//!
//! Layout:
//! - `model`: `Finding`, `Severity`, `Location`, `Report`, `Unclassified`.
//! - `scan` (blocks and headings) → `parse` (`parse_report` for text still streaming,
//!   `parse_finished_report` for a whole report, `parse_block` for one finished block,
//!   `check_lines`); `vocabulary` holds the words both use, `line_ref` reads line references.
//! - `write::write_report`: our grammar (docs/reports.md) from a `Report`.
//! - `pass`: the heading of each pass of a project reported in passes.
//! - `export`: the JSON document (`auditstream.report/1`) and SARIF 2.1.0.

pub mod export;
pub mod language;
mod line_ref;
pub mod model;
pub mod parse;
pub mod pass;
pub mod scan;
mod vocabulary;
pub mod write;

#[cfg(test)]
mod layouts;
#[cfg(all(test, feature = "ssr"))]
mod roundtrip;
#[cfg(test)]
mod streaming;

pub use language::{Language, detect_language};
pub use line_ref::MAX_LOCATIONS;
pub use model::{
    Confidence, Finding, FoundBy, Location, Report, Severity, Unclassified, Verdict, slug,
};
pub use parse::{Parsed, check_lines, parse_block, parse_finished_report, parse_report};
pub use scan::{FindingBlock, Outline, Outliner, outline};
pub use write::write_report;
