//! `auditstream export REPORT.md --format json|sarif|md [--source FILE] [--output FILE]`:
//! reads a saved markdown report (from any model, in any layout the parser knows) and writes
//! its findings in the chosen format. `--source` names the contract: SARIF then carries
//! snippets and line numbers are checked against it.

use std::io::Write;

use super::output::{Audited, display_path, render};
use super::{ExportArgs, exit};
use crate::report::{Language, check_lines, detect_language, parse_finished_report};

/// Runs the export and returns the exit code; errors are one line on stderr.
pub fn run(args: ExportArgs) -> u8 {
    let text = match std::fs::read_to_string(&args.report) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("auditstream: cannot read {}: {e}", args.report.display());
            return exit::USAGE;
        }
    };
    let source = match &args.source {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(s) => Some((display_path(path), s)),
            Err(e) => {
                eprintln!("auditstream: cannot read {}: {e}", path.display());
                return exit::USAGE;
            }
        },
        None => None,
    };
    let mut report = parse_finished_report(&text);
    let (path, language, source_text) = match &source {
        Some((path, s)) => {
            check_lines(&mut report, s, Some(path));
            (path.clone(), detect_language(s, Some(path)), s.clone())
        }
        None => {
            let named = report
                .findings
                .iter()
                .flat_map(|f| &f.locations)
                .find_map(|l| l.file.clone());
            (
                named.unwrap_or_else(|| "contract".to_owned()),
                Language::Solidity,
                String::new(),
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
