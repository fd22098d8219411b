//! `auditstream export REPORT.md --format json|sarif|md [--source FILE|DIR] [--output FILE]`:
//! reads a saved markdown report (from any model, in any layout the parser knows) and writes
//! its findings in the chosen format. `--source` names the contract or the project's folder:
//! every finding is then checked against it (a verdict and reason each, as the page shows
//! them), the analyzer's findings the report missed are added, and SARIF carries snippets.

use std::io::Write;

use std::path::Path;
use std::sync::Arc;

use super::output::{Audited, display_path, render};
use super::{ExportArgs, exit};
use crate::project::folder;
use crate::report::{Language, check_lines, detect_language, parse_finished_report};
use crate::server::Settings;
use crate::verify::{self, CodeIndex, Source};

/// Runs the export and returns the exit code; errors are one line on stderr.
pub fn run(args: ExportArgs) -> u8 {
    let text = match std::fs::read_to_string(&args.report) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("auditstream: cannot read {}: {e}", args.report.display());
            return exit::USAGE;
        }
    };
    let sources = match &args.source {
        Some(path) => match read_sources(path) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("auditstream: cannot read {}: {e}", path.display());
                return exit::USAGE;
            }
        },
        None => None,
    };
    let (path, language, source_text, report) = match sources {
        Some((shown, sources)) => {
            let one = match sources.as_slice() {
                [one] => Some(one.text.clone()),
                _ => None,
            };
            let (mut report, _) =
                verify::verify_report(&text, Arc::new(CodeIndex::build(&sources)));
            let language = sources.first().map_or(Language::Solidity, |s| {
                detect_language(&s.text, s.path.as_deref())
            });
            if let Some(one) = &one {
                check_lines(&mut report, one, Some(&shown));
            }
            (shown, language, one.unwrap_or_default(), report)
        }
        None => {
            let report = parse_finished_report(&text);
            let named = report
                .findings
                .iter()
                .flat_map(|f| &f.locations)
                .find_map(|l| l.file.clone());
            (
                named.unwrap_or_else(|| "contract".to_owned()),
                Language::Solidity,
                String::new(),
                report,
            )
        }
    };
    let audited = [Audited {
        path,
        language,
        report,
        source: source_text,
    }];
    let cwd = std::env::current_dir().ok();
    let out = render(args.format, "unknown", &audited, cwd.as_deref());
    let written = match &args.output {
        Some(p) => std::fs::write(p, out.as_bytes()),
        None => std::io::stdout().lock().write_all(out.as_bytes()),
    };
    match written {
        Ok(()) => exit::CLEAN,
        Err(e) => {
            eprintln!("auditstream: cannot write the export: {e}");
            exit::USAGE
        }
    }
}

/// The contract at `path`, or the files of the project folder `path` (read through the
/// project gate: its limits, `AUDITSTREAM_MAX_PROJECT_*`, and no symbolic links), each
/// named by its path inside the folder; and how to show the source in the export.
fn read_sources(path: &Path) -> Result<(String, Vec<Source>), String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let shown = display_path(path);
        return Ok((
            shown.clone(),
            vec![Source {
                path: Some(shown),
                text,
            }],
        ));
    }
    let limits = Settings::from_env()
        .map_err(|e| format!("bad configuration: {e}"))?
        .limits
        .project;
    let (files, _skipped) = folder::read_folder(path, &limits).map_err(|e| e.to_string())?;
    let sources = files
        .into_iter()
        .map(|f| Source {
            path: Some(f.path),
            text: f.content,
        })
        .collect();
    Ok((display_path(path), sources))
}
