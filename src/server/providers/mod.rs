//! Model providers behind one face: `open()` turns a report request into a stream of
//! `Frame`s, or a typed `OpenError` before anything was streamed. Each network provider
//! is one file holding everything about it (a `Wire`: paths, headers, body, defaults,
//! pure parser); `kind.rs` has the one `match` on the kind; `http.rs` is the shared
//! thin IO (request, errors, body bytes); `decode.rs` turns body bytes into frames
//! through the provider's parser; `builtin.rs` streams the offline analyzer.

pub mod anthropic;
pub mod builtin;
mod decode;
mod frame;
pub mod http;
pub mod kind;
pub mod ollama;
pub mod openai;
pub mod passes;
#[cfg(test)]
mod replay_tests;
pub mod wire;

use std::{pin::Pin, time::Duration};

use axum::http::StatusCode;
use futures_util::Stream;
use reqwest::header::HeaderMap;

pub use frame::*;
pub use kind::{BUILTIN_MODEL, ProviderKind};
pub use wire::Wire;

use super::{
    config::{Limits, ProviderConfig},
    error::ApiError,
    prompt,
};
use crate::project::{Project, ProjectLimits};
use crate::protocol::{ProjectFile, ReportRequest};

/// Frames from a model, ending with one `Finish` or one `StreamFailure`.
/// Dropping it closes the upstream connection at once.
pub type FrameStream = Pin<Box<dyn Stream<Item = Result<Frame, StreamFailure>> + Send>>;

/// Why a stream that had started could not finish.
#[derive(Debug, thiserror::Error)]
pub enum StreamFailure {
    #[error("the model reported an error: {0}")]
    Upstream(UpstreamError),
    #[error("the model sent nothing for {} s", .0.as_secs_f64())]
    Stalled(Duration),
    #[error("the model's stream ended without its terminator")]
    Truncated,
    /// A terminator without a finish reason (`Finish::reason` is none).
    #[error(
        "the model ended its stream without a finish reason, so the report is cut off \
         (llama.cpp's Python server does this when another request interrupts it)"
    )]
    NoFinishReason,
    #[error("the connection to the model broke: {0}")]
    Disconnected(String),
    #[error("the model sent a line or event longer than {max} bytes")]
    TooLarge { max: usize },
}

/// Why a model could not be asked at all; answered before the stream starts.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot reach {provider} at {url}: {detail}")]
    Unreachable {
        provider: String,
        url: String,
        detail: String,
    },
    #[error("{message}")]
    Rejected { status: u16, message: String },
    #[error("{provider} sent no response within {} s", .after.as_secs_f64())]
    Timeout { provider: String, after: Duration },
    #[error(
        "the project's prompt needs about {needed} tokens with room for the report, more \
         than the {budget} of `{model}` (`context_tokens`); narrow it with `scope` or \
         `exclude` globs, or pick a model with a larger context"
    )]
    TooLargeForModel {
        model: String,
        needed: usize,
        budget: usize,
    },
}

/// Tokens kept free for the model's report when a project's prompt is measured.
pub const REPORT_TOKENS: usize = 8_192;

/// A cautious token count for code: one token per three bytes.
pub fn estimated_tokens(text: &str) -> usize {
    text.len().div_ceil(3)
}

/// The status and code a failure to open the model is answered with.
pub fn open_error_status(e: &OpenError) -> (StatusCode, &'static str) {
    match e {
        OpenError::Unreachable { .. } => (StatusCode::BAD_GATEWAY, "upstream_unreachable"),
        OpenError::Rejected { .. } => (StatusCode::BAD_GATEWAY, "upstream_rejected"),
        OpenError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"),
        OpenError::TooLargeForModel { .. } => {
            (StatusCode::PAYLOAD_TOO_LARGE, "project_exceeds_context")
        }
    }
}

impl From<OpenError> for ApiError {
    fn from(e: OpenError) -> Self {
        let (status, code) = open_error_status(&e);
        Self::new(status, code, e.to_string())
    }
}

/// What a provider needs to start one report.
pub struct ReportJob<'a> {
    pub provider: &'a ProviderConfig,
    pub model: &'a str,
    pub contract: &'a str,
    pub filename: Option<&'a str>,
    /// A project request's files (instead of `contract`), already checked by the relay.
    pub project: ProjectFiles<'a>,
    /// The analyzer's candidates for the model to confirm, refute or add to.
    pub guidance: Option<&'a str>,
    pub limits: &'a Limits,
    /// Delay between the builtin analyzer's tokens.
    pub builtin_pace: Duration,
    /// Where the parser counts the frames it skipped as malformed.
    pub malformed: MalformedCount,
}

/// A project request's files and scope globs, as the relay hands them on.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProjectFiles<'a> {
    pub files: &'a [ProjectFile],
    pub scope: &'a [String],
    pub exclude: &'a [String],
}

impl<'a> ProjectFiles<'a> {
    /// No project: the job is one contract.
    pub const NONE: ProjectFiles<'static> = ProjectFiles {
        files: &[],
        scope: &[],
        exclude: &[],
    };

    pub fn of(request: &'a ReportRequest) -> ProjectFiles<'a> {
        ProjectFiles {
            files: &request.files,
            scope: &request.scope,
            exclude: &request.exclude,
        }
    }

    /// The project, when there is one that passes the checks (the relay refused the
    /// request otherwise).
    fn build(&self, limits: &ProjectLimits) -> Option<Project> {
        if self.files.is_empty() {
            return None;
        }
        let files = self
            .files
            .iter()
            .map(|f| (f.path.clone(), f.content.clone()));
        Project::from_texts(files, self.scope, self.exclude, limits).ok()
    }
}

/// Asks the job's provider for a report. Returns once the model has answered with
/// success headers; the body then streams through the returned `FrameStream`.
pub async fn open(client: &reqwest::Client, job: ReportJob<'_>) -> Result<FrameStream, OpenError> {
    let p = job.provider;
    let project = job.project.build(&job.limits.project);
    let Some(wire) = p.kind.wire() else {
        // The builtin analyzer: no network, the same frames.
        if let Some(project) = &project {
            return Ok(builtin::stream_project(
                project,
                job.builtin_pace,
                job.limits.analyzer_info,
            ));
        }
        return Ok(builtin::stream_with_info(
            job.contract,
            job.filename,
            job.builtin_pace,
            job.limits.analyzer_info,
        ));
    };
    let boundary = prompt::new_boundary();
    let mut user = match &project {
        Some(project) => prompt::project_message(project, &boundary),
        None => prompt::user_message(job.contract, job.filename, &boundary),
    };
    if let Some(candidates) = job.guidance {
        user.push_str(candidates);
    }
    if let Some(project) = project {
        let fixed = estimated_tokens(prompt::SYSTEM_PROMPT) + REPORT_TOKENS;
        if fixed + estimated_tokens(&user) > p.context_tokens {
            let needed = fixed + estimated_tokens(&user);
            return open_in_passes(client, &job, wire, project, fixed, needed).await;
        }
    }
    ask(client, &job, wire, &user).await
}

/// Sends `user` (with the system prompt) to the job's model and waits for success
/// headers; the answer streams through the returned frames.
pub(crate) async fn ask(
    client: &reqwest::Client,
    job: &ReportJob<'_>,
    wire: &dyn Wire,
    user: &str,
) -> Result<FrameStream, OpenError> {
    let body = wire.request_body(job.model, prompt::SYSTEM_PROMPT, user);
    let resp = http::send(
        client,
        job,
        wire.chat_path(),
        auth_headers(job.provider),
        body,
    )
    .await?;
    let bytes = http::body_bytes(resp, job.limits.stall_timeout);
    Ok(decode::frames(
        bytes,
        wire.parser(),
        job.limits,
        job.malformed.clone(),
    ))
}

/// A project over the model's window (its one request would take `needed` tokens): planned
/// in passes (at most `max_passes`), the first one opened here, the rest by the stream as
/// each one before finishes. Without room for even one file, or with more passes than
/// allowed, it is refused as before. The analyzer's candidates are not sent with passes
/// (they are for the whole project).
async fn open_in_passes(
    client: &reqwest::Client,
    job: &ReportJob<'_>,
    wire: &'static dyn Wire,
    project: Project,
    fixed: usize,
    needed: usize,
) -> Result<FrameStream, OpenError> {
    let p = job.provider;
    let too_large = |needed: usize| OpenError::TooLargeForModel {
        model: format!("{}/{}", p.name, job.model),
        needed,
        budget: p.context_tokens,
    };
    if job.limits.max_passes <= 1 {
        return Err(too_large(needed));
    }
    let budget = p.context_tokens.saturating_sub(fixed);
    // A file that does not fit even alone: what its pass would need.
    let passes = passes::plan(&project, budget).map_err(|needed| too_large(needed + fixed))?;
    if passes.len() > job.limits.max_passes {
        return Err(too_large(needed));
    }
    let first = prompt::project_part(
        &project,
        &passes[0],
        &prompt::new_boundary(),
        (passes.len() > 1).then_some(prompt::PassNote {
            index: 1,
            total: passes.len(),
            first_number: 1,
        }),
    );
    let frames = ask(client, job, wire, &first).await?;
    if passes.len() == 1 {
        // It fits without the candidates: one request, as before.
        return Ok(frames);
    }
    let owned = passes::Owned {
        client: client.clone(),
        wire,
        provider: p.clone(),
        model: job.model.to_owned(),
        limits: job.limits.clone(),
        malformed: job.malformed.clone(),
    };
    Ok(passes::stream(project, passes, frames, owned))
}

/// The headers that authenticate to `p`, marked sensitive so they never show in logs.
pub fn auth_headers(p: &ProviderConfig) -> HeaderMap {
    p.kind.wire().map_or_else(HeaderMap::new, |w| {
        w.headers(p.api_key.as_ref().map(|k| k.expose()))
    })
}
