//! `auditstream audit FILE…`: the offline analyzer (default) or a model (`--model`), written
//! as markdown, JSON or SARIF to stdout or `--output`, with an exit code CI can act on. With a
//! model the markdown streams as it is written, through the same provider code and settings
//! as the server; Ctrl+C drops the stream, which closes the model's connection at once.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;

use super::formats::{self, Audited};
use super::spinner::Spinner;
use super::{AuditArgs, Format, exit};
use crate::analyzer;
use crate::server::Settings;
use crate::server::providers::{self, Frame, MalformedCount, ReportJob};

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
    let mut audited = Vec::new();
    let mut markdown = String::new();
    for (path, text) in inputs {
        let shown = display_path(path);
        let analysis = analyzer::analyze(text, Some(&shown));
        if args.format == Format::Md {
            if !markdown.is_empty() {
                markdown.push('\n');
            }
            markdown.push_str(&analyzer::render_markdown(&analysis));
        }
        audited.push(Audited {
            path: shown,
            language: analysis.language.to_string(),
            pragma: analysis.pragma,
            findings: analysis.findings,
        });
    }
    let text = match args.format {
        Format::Md => markdown,
        Format::Json => formats::to_json("builtin/analyzer", &audited),
        Format::Sarif => formats::to_sarif(&audited),
    };
    if let Err(e) = out.write_all(text.as_bytes()) {
        eprintln!("auditstream: cannot write the report: {e}");
        return exit::USAGE;
    }
    if !args.quiet {
        let total: usize = audited.iter().map(|a| a.findings.len()).sum();
        eprintln!("auditstream: {} file(s), {total} finding(s)", audited.len());
    }
    let tripped = args.fail_on.is_some_and(|limit| {
        audited
            .iter()
            .flat_map(|a| &a.findings)
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
    if args.format != Format::Md || args.fail_on.is_some() {
        eprintln!(
            "auditstream: --format json/sarif and --fail-on need the report parser with --model; use --format md"
        );
        return exit::USAGE;
    }
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
    for (path, text) in inputs {
        let shown = display_path(path);
        let job = ReportJob {
            provider,
            model: model_name,
            contract: text,
            filename: Some(&shown),
            limits: &settings.limits,
            builtin_pace: std::time::Duration::ZERO,
            malformed: MalformedCount::default(),
        };
        let mut spinner = Spinner::start(format!("asking {model} about {shown}"), !args.quiet);
        let opened = tokio::select! {
            opened = providers::open(&client, job) => opened,
            _ = tokio::signal::ctrl_c() => return interrupted(),
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
                _ = tokio::signal::ctrl_c() => return interrupted(),
            };
            match next {
                Some(Ok(Frame::Delta(text))) => {
                    spinner.stop();
                    if out
                        .write_all(text.as_bytes())
                        .and_then(|()| out.flush())
                        .is_err()
                    {
                        return exit::USAGE;
                    }
                }
                Some(Ok(Frame::Finish(_))) => break,
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
        let _ = out.write_all(b"\n");
    }
    exit::CLEAN
}

fn interrupted() -> u8 {
    eprintln!("\nauditstream: stopped");
    exit::INTERRUPTED
}

/// The path relative to the working directory when it lies below it, else as given; with
/// `/` separators (SARIF URIs and report titles use it).
fn display_path(path: &Path) -> String {
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
