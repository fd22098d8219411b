//! `auditstream audit FILE…`: the offline analyzer (default) or a model (`--model`), written
//! as markdown, JSON or SARIF to stdout or `--output`, with an exit code CI can act on. With a
//! model the markdown streams as it is written, through the same provider code and settings
//! as the server; Ctrl+C drops the stream, which closes the model's connection at once. As on
//! the server, text in a contract aimed at the model becomes `G-` findings ahead of the report
//! (the prompt-injection guard), so CI sees them whichever model audits.

use std::io::Write;
use std::path::PathBuf;
use tokio::signal::unix::{SignalKind, signal};

use futures_util::StreamExt;

use super::output::{Audited, display_path, render};
use super::spinner::Spinner;
use super::{AuditArgs, Format, exit};
use crate::analyzer;
use crate::analyzer::injection;
use crate::report::{check_lines, detect_language, parse_finished_report};
use crate::server::Settings;
use crate::server::providers::{self, Finish, Frame, MalformedCount, ReportJob, StreamFailure};
use crate::verify;
use std::sync::Arc;

/// The guard's notice and `G-` findings for one contract, as the server sends them ahead of
/// every report; `None` for a contract with no text aimed at the model.
fn guard_notice(text: &str, shown: &str) -> Option<String> {
    injection::notice(&injection::scan(text, Some(shown)))
}

/// Runs the audit and returns the exit code. Every error is one line on stderr.
pub async fn run(args: AuditArgs) -> u8 {
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
    let code = match &args.model {
        None => offline(&args, &inputs, &mut out),
        Some(model) => with_model(&args, model, &inputs, &mut out).await,
    };
    if let Err(e) = out.flush() {
        eprintln!("auditstream: cannot write the report: {e}");
        return exit::USAGE;
    }
    code
}

fn offline(args: &AuditArgs, inputs: &[(PathBuf, String)], out: &mut dyn Write) -> u8 {
    let audited: Vec<Audited> = inputs
        .iter()
        .map(|(path, text)| {
            let shown = display_path(path);
            let mut analysis = analyzer::analyze(text, Some(&shown));
            if args.no_info {
                analysis = analysis.without_info();
            }
            let mut report = analysis.report();
            if let Some(notice) = guard_notice(text, &shown) {
                let guard = parse_finished_report(&notice).findings;
                report.summary = format!(
                    "The prompt-injection guard found text aimed at the model in {} place(s): \
                     the G- findings. The analyzer's own findings follow them.\n\n{}",
                    guard.len(),
                    report.summary
                );
                report.findings.splice(0..0, guard);
            }
            Audited {
                report,
                language: analysis.language,
                path: shown,
                source: text.clone(),
            }
        })
        .collect();
    let text = render(args.format, "builtin/analyzer", &audited);
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

async fn with_model(
    args: &AuditArgs,
    model: &str,
    inputs: &[(PathBuf, String)],
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
    for (path, text) in inputs {
        let shown = display_path(path);
        let mut markdown = guard_notice(text, &shown).unwrap_or_default();
        let guard_len = markdown.len();
        if stream_md && out.write_all(markdown.as_bytes()).is_err() {
            return exit::USAGE;
        }
        // As on the server: the analyzer's findings guide the model and check its report.
        let index = Arc::new(verify::CodeIndex::build(&[verify::Source {
            path: Some(shown.clone()),
            text: text.clone(),
        }]));
        let guidance = verify::candidates_prompt(&index);
        let job = ReportJob {
            provider,
            model: model_name,
            contract: text,
            filename: Some(&shown),
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
        let (mut report, _) = verify::verify_report_after(&markdown, &markdown[..guard_len], index);
        check_lines(&mut report, text, Some(&shown));
        audited.push(Audited {
            report,
            language: detect_language(text, Some(&shown)),
            path: shown,
            source: text.clone(),
        });
    }
    if !stream_md {
        let text = render(args.format, model, &audited);
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
