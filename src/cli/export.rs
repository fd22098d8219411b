//! `auditstream export REPORT.md --format json|sarif|md [--source FILE|DIR] [--output FILE]`:
//! reads a saved markdown report (from any model, in any layout the parser knows) and writes
//! its findings in the chosen format. `--source` names the contract or the project's folder:
//! every finding is then checked against it (a verdict and reason each, as the page shows
//! them), the analyzer's findings the report missed are added, and SARIF carries snippets.

use std::io::Write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::output::{Audited, display_path, render};
use super::{ExportArgs, exit};
use crate::report::{Language, check_lines, detect_language, parse_finished_report};
use crate::verify::{self, CodeIndex, Source};

/// At most this many contract files are read from a `--source` folder.
pub const MAX_SOURCE_FILES: usize = 5_000;
/// At most this many bytes of contracts, all files together.
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;

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

/// The contract at `path`, or every `.sol`/`.vy` file under the folder `path` (symbolic
/// links and hidden folders skipped), each named by its path inside the folder; and how to
/// show the source in the export.
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
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if kind.is_symlink() || name.starts_with('.') {
                continue;
            }
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if name.ends_with(".sol") || name.ends_with(".vy") {
                files.push(entry.path());
                if files.len() > MAX_SOURCE_FILES {
                    return Err(format!("more than {MAX_SOURCE_FILES} contract files"));
                }
            }
        }
    }
    files.sort();
    let mut total = 0u64;
    let mut sources = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        total += text.len() as u64;
        if total > MAX_SOURCE_BYTES {
            return Err(format!("more than {MAX_SOURCE_BYTES} bytes of contracts"));
        }
        let inside = file.strip_prefix(path).unwrap_or(&file);
        sources.push(Source {
            path: Some(inside.to_string_lossy().replace('\\', "/")),
            text,
        });
    }
    if sources.is_empty() {
        return Err("no .sol or .vy files in it".to_owned());
    }
    Ok((display_path(path), sources))
}
