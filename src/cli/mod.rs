//! The command line: one binary serves the web app (`auditstream`, `auditstream serve`) and
//! audits files in a terminal or CI (`auditstream audit`). Arguments are parsed with clap;
//! each subcommand lives in its own file and returns the process exit code.

mod audit;
mod export;
mod output;
mod project;
mod serve;
mod spinner;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::Severity;

/// Exit codes shared by the subcommands.
pub mod exit {
    /// No finding at or above `--fail-on`.
    pub const CLEAN: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Bad usage or unreadable input.
    pub const USAGE: u8 = 2;
    /// The model failed.
    pub const MODEL: u8 = 3;
    /// Stopped with Ctrl+C (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Parser, Debug)]
#[command(
    name = "auditstream",
    version,
    about = "Smart-contract security reports, streamed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Audit contract files, a project folder or a project's .zip with the offline analyzer,
    /// or a model with `--model`.
    Audit(AuditArgs),
    /// Convert a saved markdown report to JSON, SARIF or our markdown grammar.
    Export(ExportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// A markdown report, e.g. one downloaded from the page.
    #[arg(value_name = "REPORT.md")]
    pub report: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// The audited contract, or the folder of a project: each finding is checked against it
    /// (verdicts in JSON and SARIF) and SARIF gets snippets.
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Solidity (.sol) or Vyper (.vy) files (several are one project), a project's folder
    /// (Foundry, Hardhat or plain) or a .zip of one.
    #[arg(required = true, value_name = "FILE|DIR|ZIP")]
    pub files: Vec<PathBuf>,
    /// Only files matching this glob (project path, e.g. `src/core/**`) are in scope;
    /// repeat for more. Default: the project's own sources.
    #[arg(long, value_name = "GLOB")]
    pub scope: Vec<String>,
    /// Files matching this glob are out of scope; repeat for more.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// `provider/model` as configured for the server (AUDITSTREAM_* and auditstream.toml);
    /// without it the offline analyzer runs.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub model: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// No progress or summary on standard error.
    #[arg(long, short)]
    pub quiet: bool,
    /// Leave the offline analyzer's Info findings (hygiene notes) out of the report.
    #[arg(long)]
    pub no_info: bool,
    /// With --fail-on, count a model's unverified and contradicted findings too (by default
    /// only confirmed and consistent ones trip it).
    #[arg(long)]
    pub strict: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Md,
    Json,
    Sarif,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl FailOn {
    /// Whether a finding of `severity` trips this threshold.
    pub fn tripped_by(self, severity: Severity) -> bool {
        let limit = match self {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        };
        severity <= limit
    }
}

/// Parses the arguments and runs the command. Usage errors print clap's message and exit 2.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("auditstream: cannot start the async runtime: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    match cli.command {
        None | Some(Command::Serve) => runtime.block_on(serve::run()),
        Some(Command::Audit(args)) => ExitCode::from(runtime.block_on(audit::run(args))),
        Some(Command::Export(args)) => ExitCode::from(export::run(args)),
    }
}
