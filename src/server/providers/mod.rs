//! Model providers behind one face: `open()` turns a report request into a stream of
//! `Frame`s, or a typed `OpenError` before anything was streamed. Each provider is a
//! pure frame parser (its own file) plus the shared thin IO in `http.rs`.

pub mod anthropic;
pub mod builtin;
mod frame;
pub mod http;
pub mod ollama;
pub mod openai;
#[cfg(test)]
mod replay_tests;

use std::{pin::Pin, time::Duration};

use futures_util::Stream;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

pub use frame::*;

use super::{
    config::{Limits, ProviderConfig, ProviderKind},
    prompt,
};

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
}

/// What a provider needs to start one report.
pub struct ReportJob<'a> {
    pub provider: &'a ProviderConfig,
    pub model: &'a str,
    pub contract: &'a str,
    pub filename: Option<&'a str>,
    pub limits: &'a Limits,
    /// Delay between the builtin analyzer's tokens.
    pub builtin_pace: Duration,
    /// Where the parser counts the frames it skipped as malformed.
    pub malformed: MalformedCount,
}

/// Largest answer any provider is asked for.
const MAX_OUTPUT_TOKENS: u32 = 8192;

/// Asks the job's provider for a report. Returns once the model has answered with
/// success headers; the body then streams through the returned `FrameStream`.
pub async fn open(client: &reqwest::Client, job: ReportJob<'_>) -> Result<FrameStream, OpenError> {
    let p = job.provider;
    let user = prompt::user_message(job.contract, job.filename);
    let system = prompt::SYSTEM_PROMPT;
    let headers = auth_headers(p);
    match p.kind {
        ProviderKind::Builtin => Ok(builtin::stream(
            job.contract,
            job.filename,
            job.builtin_pace,
        )),
        ProviderKind::OpenAi => {
            let body = openai::request_body(job.model, system, &user);
            let resp = http::send(client, &job, "/chat/completions", headers, body).await?;
            Ok(http::sse_frames(
                resp,
                openai::ChatParser::default(),
                job.limits,
                job.malformed.clone(),
            ))
        }
        ProviderKind::Anthropic => {
            let body = anthropic::request_body(job.model, system, &user, MAX_OUTPUT_TOKENS);
            let resp = http::send(client, &job, "/v1/messages", headers, body).await?;
            Ok(http::sse_frames(
                resp,
                anthropic::MessagesParser::default(),
                job.limits,
                job.malformed.clone(),
            ))
        }
        ProviderKind::Ollama => {
            let body = ollama::request_body(job.model, system, &user);
            let resp = http::send(client, &job, "/api/chat", headers, body).await?;
            Ok(http::ndjson_frames(
                resp,
                ollama::ChatLineParser::default(),
                job.limits,
                job.malformed.clone(),
            ))
        }
    }
}

/// The headers that authenticate to `p`, marked sensitive so they never show in logs.
pub fn auth_headers(p: &ProviderConfig) -> HeaderMap {
    let mut headers = HeaderMap::new();
    match p.kind {
        ProviderKind::OpenAi => {
            if let Some(key) = &p.api_key {
                headers.insert(
                    AUTHORIZATION,
                    secret_header(&format!("Bearer {}", key.expose())),
                );
            }
        }
        ProviderKind::Anthropic => {
            if let Some(key) = &p.api_key {
                headers.insert("x-api-key", secret_header(key.expose()));
            }
            headers.insert(
                "anthropic-version",
                HeaderValue::from_static(anthropic::ANTHROPIC_VERSION),
            );
        }
        ProviderKind::Builtin | ProviderKind::Ollama => {}
    }
    headers
}

/// A header value that never shows up in `Debug` output.
fn secret_header(value: &str) -> HeaderValue {
    let mut v = HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""));
    v.set_sensitive(true);
    v
}
