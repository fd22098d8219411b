//! `auditstream audit FILE…|DIR|ZIP`: the offline analyzer (default) or a model (`--model`),
//! written as markdown, JSON or SARIF to stdout or `--output`, with an exit code CI can act
//! on. One file is audited on its own; a folder, a zip or several files are one project
//! (`super::project`), analyzed with one symbol table, or asked of a model in one prompt
//! (as the relay asks it), one report per file in scope. With a
//! model the markdown streams as it is written, through the same provider code and settings
//! as the server; Ctrl+C drops the stream, which closes the model's connection at once. As on
//! the server, text in a contract aimed at the model becomes `G-` findings ahead of the report
//! (the prompt-injection guard), so CI sees them whichever model audits.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::signal::unix::{SignalKind, signal};

use futures_util::StreamExt;

use super::output::{Audited, display_path, render};
use super::project::{self, CliProject};
use super::spinner::Spinner;
use super::{AuditArgs, Format, exit};
use crate::analyzer;
use crate::analyzer::injection;
use crate::analyzer::project::analyze_project;
use crate::project::Project;
use crate::protocol::{ProjectFile, ReportRequest};
use crate::report::{Report, check_lines, detect_language, parse_finished_report};
use crate::server::Settings;
use crate::server::providers::{self, Finish, Frame, MalformedCount, ReportJob, StreamFailure};
use crate::verify;
use std::sync::Arc;

/// The guard's notice and `G-` findings for one contract, as the server sends them ahead of
/// every report; `None` for a contract with no text aimed at the model.
fn guard_notice(text: &str, shown: &str) -> Option<String> {
    injection::notice(&injection::scan(text, Some(shown)))
}

/// `report` with the guard's `G-` findings for `text` ahead of its own, and a sentence
/// saying so in its summary.
fn with_guard(mut report: Report, text: &str, shown: &str) -> Report {
    if let Some(notice) = guard_notice(text, shown) {
        let guard = parse_finished_report(&notice).findings;
        report.summary = format!(
            "The prompt-injection guard found text aimed at the model in {} place(s): \
             the G- findings. The analyzer's own findings follow them.\n\n{}",
            guard.len(),
            report.summary
        );
        report.findings.splice(0..0, guard);
    }
    report
}

/// What is audited: files each on its own (one file given), or a project.
enum Work {
    Files(Vec<(PathBuf, String)>),
    Project(Box<CliProject>),
}

/// Runs the audit and returns the exit code. Every error is one line on stderr.
pub async fn run(args: AuditArgs) -> u8 {
    let work = if project::is_project(&args) {
        let limits = match Settings::from_env() {
            Ok(s) => s.limits.project,
            Err(e) => {
                eprintln!("auditstream: bad configuration: {e}");
                return exit::USAGE;
            }
        };
        match project::load(&args, &limits) {
            Ok(p) => Work::Project(Box::new(p)),
            Err(e) => {
                eprintln!("auditstream: {e}");
                return exit::USAGE;
            }
        }
    } else {
        let mut inputs = Vec::new();
        for path in &args.files {
            match std::fs::read_to_string(path) {
                Ok(text) => inputs.push((path.clone(), text)),
                Err(e) => {
                    eprintln!("auditstream: cannot read {}: {e}", path.display());
                    return exit::USAGE;
                }
            }
        }
        Work::Files(inputs)
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("auditstream: cannot write {}: {e}", path.display());
                return exit::USAGE;
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    let code = match (&args.model, &work) {
        (None, Work::Files(inputs)) => offline(&args, inputs, cwd.as_deref(), &mut out),
        (None, Work::Project(p)) => offline_project(&args, p, &mut out),
        (Some(model), Work::Files(inputs)) => {
            let asked: Vec<Asked> = inputs
                .iter()
                .map(|(path, text)| Asked::contract(display_path(path), text.clone()))
                .collect();
            with_model(&args, model, &asked, cwd.as_deref(), &mut out).await
        }
        (Some(model), Work::Project(p)) => {
            let asked = [Asked::project(&p.project)];
            with_model(&args, model, &asked, p.root.as_deref(), &mut out).await
        }
    };
    if let Err(e) = out.flush() {
        eprintln!("auditstream: cannot write the report: {e}");
        return exit::USAGE;
    }
    code
}

fn offline(
    args: &AuditArgs,
    inputs: &[(PathBuf, String)],
    root: Option<&Path>,
    out: &mut dyn Write,
) -> u8 {
    let audited: Vec<Audited> = inputs
        .iter()
        .map(|(path, text)| {
            let shown = display_path(path);
            let mut analysis = analyzer::analyze(text, Some(&shown));
            if args.no_info {
                analysis = analysis.without_info();
            }
            Audited {
                report: with_guard(analysis.report(), text, &shown),
                language: analysis.language,
                path: shown,
                source: text.clone(),
            }
        })
        .collect();
    let text = render(args.format, "builtin/analyzer", &audited, root);
    if let Err(e) = out.write_all(text.as_bytes()) {
        eprintln!("auditstream: cannot write the report: {e}");
        return exit::USAGE;
    }
    finish(args, &audited)
}

/// A project with the offline analyzer: one report per file in scope, paths relative to
/// the project's root; on stderr the layout, the files read and the unresolved imports.
fn offline_project(args: &AuditArgs, p: &CliProject, out: &mut dyn Write) -> u8 {
    let started = Instant::now();
    let mut analysis = analyze_project(&p.project);
    let took = started.elapsed();
    if args.no_info {
        analysis.files = analysis
            .files
            .into_iter()
            .map(|a| a.without_info())
            .collect();
    }
    let audited: Vec<Audited> = analysis
        .reports()
        .into_iter()
        .zip(&analysis.files)
        .map(|((path, report), a)| {
            let text = p
                .project
                .file(&path)
                .map(|f| f.content.clone())
                .unwrap_or_default();
            Audited {
                report: with_guard(report, &text, &path),
                language: a.language,
                path,
                source: text,
            }
        })
        .collect();
    if !args.quiet {
        eprintln!(
            "auditstream: {} project, {} file(s) in scope, {} read as context, {} unresolved \
             import(s), analyzed in {} ms",
            analysis.layout,
            analysis.files.len(),
            analysis.context_files,
            analysis.unresolved.len(),
            took.as_millis()
        );
        for u in &analysis.unresolved {
            eprintln!(
                "auditstream: unresolved import `{}` ({}:{})",
                u.import, u.file, u.line
            );
        }
    }
    let text = render(args.format, "builtin/analyzer", &audited, p.root.as_deref());
    if let Err(e) = out.write_all(text.as_bytes()) {
        eprintln!("auditstream: cannot write the report: {e}");
        return exit::USAGE;
    }
    finish(args, &audited)
}

/// The exit code for `--fail-on`, after a summary line on stderr (unless `--quiet`).
fn finish(args: &AuditArgs, audited: &[Audited]) -> u8 {
    if !args.quiet {
        let total: usize = audited.iter().map(|a| a.report.findings.len()).sum();
        eprintln!("auditstream: {} file(s), {total} finding(s)", audited.len());
    }
    let tripped = args.fail_on.is_some_and(|limit| {
        audited
            .iter()
            .flat_map(|a| &a.report.findings)
            .filter(|f| args.strict || f.holds())
            .any(|f| limit.tripped_by(f.severity))
    });
    if tripped { exit::FINDINGS } else { exit::CLEAN }
}

/// One request to the model: a contract, or a whole project in one prompt.
struct Asked {
    /// As shown in the spinner and in a contract's report.
    shown: String,
    request: ReportRequest,
    /// A project's files in scope, `(path, text)`: the model's findings are split by file.
    in_scope: Vec<(String, String)>,
}

impl Asked {
    fn contract(shown: String, text: String) -> Asked {
        Asked {
            request: ReportRequest {
                contract: text,
                filename: Some(shown.clone()),
                ..ReportRequest::default()
            },
            shown,
            in_scope: Vec::new(),
        }
    }

    /// The project as the relay would get it: its files, and its scope as the exact paths.
    fn project(project: &Project) -> Asked {
        let in_scope: Vec<(String, String)> = project
            .in_scope()
            .into_iter()
            .map(|i| {
                (
                    project.files[i].path.clone(),
                    project.files[i].content.clone(),
                )
            })
            .collect();
        Asked {
            shown: format!("the {} project", project.layout.kind.as_str()),
            request: ReportRequest {
                files: project
                    .files
                    .iter()
                    .map(|f| ProjectFile {
                        path: f.path.clone(),
                        content: f.content.clone(),
                    })
                    .collect(),
                scope: in_scope.iter().map(|(p, _)| globset::escape(p)).collect(),
                ..ReportRequest::default()
            },
            in_scope,
        }
    }

    /// The guard's hits: the contract's, or every file's with its path.
    fn guard(&self) -> Option<String> {
        if self.request.files.is_empty() {
            return guard_notice(&self.request.contract, &self.shown);
        }
        injection::notice(&injection::scan_files(
            self.request
                .files
                .iter()
                .map(|f| (f.path.as_str(), f.content.as_str())),
        ))
    }

    /// The model's report as audited files: the contract's, or one per file in scope with
    /// the findings at its lines (findings naming no file of the project go to the first).
    fn audited(&self, mut report: Report) -> Vec<Audited> {
        if self.in_scope.is_empty() {
            let text = &self.request.contract;
            check_lines(&mut report, text, Some(&self.shown));
            return vec![Audited {
                report,
                language: detect_language(text, Some(&self.shown)),
                path: self.shown.clone(),
                source: text.clone(),
            }];
        }
        let file_of = |f: &crate::report::Finding| {
            let named = f.locations.first().and_then(|l| l.file.as_deref())?;
            self.in_scope
                .iter()
                .position(|(p, _)| p == named)
                .or_else(|| {
                    let name = named.rsplit('/').next().unwrap_or(named);
                    self.in_scope
                        .iter()
                        .position(|(p, _)| p.rsplit('/').next() == Some(name))
                })
        };
        let mut per_file: Vec<Vec<crate::report::Finding>> = vec![Vec::new(); self.in_scope.len()];
        for f in std::mem::take(&mut report.findings) {
            per_file[file_of(&f).unwrap_or(0)].push(f);
        }
        self.in_scope
            .iter()
            .zip(per_file)
            .map(|((path, text), findings)| {
                let mut part = Report {
                    findings,
                    ..report.clone()
                };
                check_lines(&mut part, text, Some(path));
                Audited {
                    report: part,
                    language: detect_language(text, Some(path)),
                    path: path.clone(),
                    source: text.clone(),
                }
            })
            .collect()
    }
}

/// Each of `inputs` asked of the model on its own.
async fn with_model(
    args: &AuditArgs,
    model: &str,
    inputs: &[Asked],
    root: Option<&Path>,
    out: &mut dyn Write,
) -> u8 {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("auditstream: bad configuration: {e}");
            return exit::USAGE;
        }
    };
    let Some((provider_name, model_name)) = model.split_once('/') else {
        eprintln!("auditstream: --model must be provider/model, got `{model}`");
        return exit::USAGE;
    };
    let Some(provider) = settings.provider(provider_name) else {
        let known: Vec<&str> = settings.providers.iter().map(|p| p.name.as_str()).collect();
        eprintln!(
            "auditstream: unknown provider `{provider_name}` (configured: {})",
            known.join(", ")
        );
        return exit::USAGE;
    };
    let client = match reqwest::Client::builder()
        .connect_timeout(settings.limits.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("auditstream: cannot build the HTTP client: {e}");
            return exit::MODEL;
        }
    };
    let stream_md = args.format == Format::Md;
    // One SIGINT listener for the whole run, registered now (a `ctrl_c()` future registers
    // only when first polled, and one per select misses a Ctrl+C landing between two).
    let mut interrupt = match signal(SignalKind::interrupt()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("auditstream: cannot listen for Ctrl+C: {e}");
            return exit::USAGE;
        }
    };
    let mut audited = Vec::new();
    for asked in inputs {
        let shown = asked.shown.clone();
        let mut markdown = asked.guard().unwrap_or_default();
        let guard_len = markdown.len();
        if stream_md && out.write_all(markdown.as_bytes()).is_err() {
            return exit::USAGE;
        }
        // As on the server: the analyzer's findings guide the model and check its report.
        let index = Arc::new(verify::CodeIndex::build(&verify::Source::of_request(
            &asked.request,
        )));
        let guidance = verify::candidates_prompt(&index);
        let job = ReportJob {
            provider,
            model: model_name,
            contract: &asked.request.contract,
            filename: asked.request.filename.as_deref(),
            project: providers::ProjectFiles::of(&asked.request),
            guidance: guidance.as_deref(),
            limits: &settings.limits,
            builtin_pace: std::time::Duration::ZERO,
            malformed: MalformedCount::default(),
        };
        let mut spinner = Spinner::start(format!("asking {model} about {shown}"), !args.quiet);
        let opened = tokio::select! {
            opened = providers::open(&client, job) => opened,
            _ = interrupt.recv() => return interrupted(),
        };
        let mut frames = match opened {
            Ok(f) => f,
            Err(e) => {
                spinner.stop();
                eprintln!("auditstream: {model}: {e}");
                return exit::MODEL;
            }
        };
        loop {
            let next = tokio::select! {
                next = frames.next() => next,
                // Dropping `frames` on return closes the model's connection.
                _ = interrupt.recv() => return interrupted(),
            };
            match next {
                Some(Ok(Frame::Delta(text))) => {
                    spinner.stop();
                    markdown.push_str(&text);
                    let shown = !stream_md
                        || out
                            .write_all(text.as_bytes())
                            .and_then(|()| out.flush())
                            .is_ok();
                    if !shown {
                        return exit::USAGE;
                    }
                }
                Some(Ok(Frame::Finish(Finish {
                    reason: Some(_), ..
                }))) => break,
                Some(Ok(Frame::Finish(Finish { reason: None, .. }))) => {
                    spinner.stop();
                    eprintln!("auditstream: {model}: {}", StreamFailure::NoFinishReason);
                    return exit::MODEL;
                }
                Some(Err(e)) => {
                    spinner.stop();
                    eprintln!("auditstream: {model}: {e}");
                    return exit::MODEL;
                }
                None => {
                    eprintln!("auditstream: {model}: the stream ended without finishing");
                    return exit::MODEL;
                }
            }
        }
        if stream_md {
            let _ = out.write_all(b"\n");
        }
        // The guard's findings are ours: only the model's are checked.
        let (report, _) = verify::verify_report_after(&markdown, &markdown[..guard_len], index);
        audited.extend(asked.audited(report));
    }
    if !stream_md {
        let text = render(args.format, model, &audited, root);
        if out.write_all(text.as_bytes()).is_err() {
            return exit::USAGE;
        }
    }
    finish(args, &audited)
}

fn interrupted() -> u8 {
    eprintln!("\nauditstream: stopped");
    exit::INTERRUPTED
}
