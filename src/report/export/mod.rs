//! Findings out of the app: the versioned JSON document and SARIF 2.1.0 for GitHub code
//! scanning. (The Markdown export is the report text as written, or `write::write_report`.)
//! Pure: callers read files and clocks, these functions only shape data.

pub mod json;
pub mod sarif;

pub use json::{AuditedContract, AuditedFile, JSON_SCHEMA, ReportDocument, Timings, Tool};
pub use sarif::{
    SRCROOT, SarifInput, SarifTool, security_severity, to_sarif, to_sarif_in, to_sarif_string,
    to_sarif_string_in,
};
