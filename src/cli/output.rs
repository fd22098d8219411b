//! What `audit` and `export` write: one report per file, as markdown (our grammar), the JSON
//! document (`auditstream.report/1`) or one SARIF run, all through the `report` module's
//! writer and exports; and file paths shown relative to the working directory.

use std::path::Path;

use super::Format;
use crate::report::export::{
    AuditedContract, ReportDocument, SarifInput, SarifTool, to_sarif_string_in,
};
use crate::report::{Language, Report, write_report};

/// One audited file.
pub struct Audited {
    /// As shown in reports and SARIF: relative to the working directory when below it.
    pub path: String,
    pub language: Language,
    pub report: Report,
    pub source: String,
}

/// The output text. Markdown: the reports one after another. JSON: the document for one
/// file, an array of documents for several. SARIF: one run with every file's results, its
/// relative paths relative to `root` (`%SRCROOT%`).
pub fn render(format: Format, model: &str, audited: &[Audited], root: Option<&Path>) -> String {
    match format {
        Format::Md => audited
            .iter()
            .map(|a| write_report(&a.report, a.language))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Json => {
            let docs: Vec<ReportDocument> = audited
                .iter()
                .map(|a| {
                    let contract = AuditedContract {
                        name: a.path.clone(),
                        language: a.language,
                        sha256: None,
                    };
                    ReportDocument::new(a.report.clone(), contract, Some(model.to_owned()))
                })
                .collect();
            match docs.as_slice() {
                [one] => one.to_json(),
                many => serde_json::to_string_pretty(many).unwrap_or_default() + "\n",
            }
        }
        Format::Sarif => {
            let inputs: Vec<SarifInput<'_>> = audited
                .iter()
                .map(|a| SarifInput {
                    path: &a.path,
                    report: &a.report,
                    source: (!a.source.is_empty()).then_some(a.source.as_str()),
                })
                .collect();
            let root = root.map(|r| r.to_string_lossy().replace('\\', "/"));
            to_sarif_string_in(&inputs, &SarifTool::default(), root.as_deref())
        }
    }
}

/// The path relative to the working directory when it lies below it, else as given; with
/// `/` separators (SARIF URIs and report titles use it).
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    let absolute = std::fs::canonicalize(path).ok();
    let shown = match (&cwd, &absolute) {
        (Some(c), Some(a)) => a
            .strip_prefix(c)
            .map_or_else(|_| path.to_path_buf(), Path::to_path_buf),
        _ => path.to_path_buf(),
    };
    shown
        .to_string_lossy()
        .trim_start_matches("./")
        .replace('\\', "/")
}
