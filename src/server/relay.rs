//! `POST /api/report` (DESIGN §3): validate, open the model, then relay its frames as
//! our SSE events. Everything is owned by the response stream, so when the browser
//! goes away the stream is dropped and with it the upstream connection.

use std::{convert::Infallible, time::Instant};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures_util::{Stream, StreamExt};
use tracing::Instrument;

use super::{
    AppState,
    config::{ProviderConfig, Settings},
    providers::{self, Frame, FrameStream, OpenError, ReportJob, StreamFailure},
};
use crate::protocol::{
    ApiErrorBody, ApiErrorDetail, Done, Meta, ReportEvent, ReportRequest, StreamError,
    StreamErrorCode, Token,
};

/// An error answered before the stream starts: a status and `{"error":{code,message}}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: ApiErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<OpenError> for ApiError {
    fn from(e: OpenError) -> Self {
        let (status, code) = match &e {
            OpenError::Unreachable { .. } => (StatusCode::BAD_GATEWAY, "upstream_unreachable"),
            OpenError::Rejected { .. } => (StatusCode::BAD_GATEWAY, "upstream_rejected"),
            OpenError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"),
        };
        Self::new(status, code, e.to_string())
    }
}

/// The route handler.
pub async fn report(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let started = Instant::now();
    let settings = &state.settings;
    let request = read_request(req, settings).await?;
    let (provider, model) = resolve_model(settings, request.model.as_deref())?;
    let report_id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!("report", %report_id, provider = %provider.name, %model);
    let job = ReportJob {
        provider,
        model: &model,
        contract: &request.contract,
        filename: request.filename.as_deref(),
        limits: &settings.limits,
        builtin_pace: settings.builtin_pace,
    };
    let frames = providers::open(&state.http, job)
        .instrument(span.clone())
        .await
        .inspect_err(|e| span.in_scope(|| tracing::warn!(error = %e, "model not opened")))?;
    let meta = Meta {
        report_id,
        provider: provider.name.clone(),
        model,
    };
    let events = relay(meta, frames, started, settings.limits.max_duration, span);
    let sse = Sse::new(events.map(Ok::<_, Infallible>)).keep_alive(
        KeepAlive::new()
            .interval(settings.limits.keepalive)
            .text("ping"),
    );
    let mut resp = sse.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(resp)
}

/// Reads and validates the body: media type, size, JSON, a non-empty contract.
async fn read_request(req: Request, settings: &Settings) -> Result<ReportRequest, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the report request as Content-Type: application/json",
        ));
    }
    let max = settings.limits.max_contract_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the contract is larger than the limit of {max} bytes"),
        )
    };
    // JSON escaping at most doubles a real contract; the exact limit is checked below.
    let body = axum::body::to_bytes(req.into_body(), body_limit(max))
        .await
        .map_err(|_| too_large())?;
    let request: ReportRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the request is not valid JSON: {e}"),
        )
    })?;
    if request.contract.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_contract",
            "paste a contract (Solidity or Vyper) before generating a report",
        ));
    }
    if request.contract.len() > max {
        return Err(too_large());
    }
    Ok(request)
}

/// The largest request body read for a contract limit of `max` bytes.
pub fn body_limit(max_contract_bytes: usize) -> usize {
    max_contract_bytes
        .saturating_mul(2)
        .saturating_add(64 * 1024)
}

/// `provider/model`, a bare model for the default provider, or nothing for the default.
fn resolve_model<'s>(
    settings: &'s Settings,
    requested: Option<&str>,
) -> Result<(&'s ProviderConfig, String), ApiError> {
    let invalid = |msg: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_model", msg);
    let requested = requested.map(str::trim).filter(|m| !m.is_empty());
    let Some(requested) = requested else {
        return Ok((settings.default_provider(), settings.default_model.clone()));
    };
    let (provider, model) = match requested.split_once('/') {
        Some((name, model)) => {
            let p = settings.provider(name).ok_or_else(|| {
                let known: Vec<&str> = settings.providers.iter().map(|p| p.name.as_str()).collect();
                invalid(format!(
                    "unknown provider `{name}`; configured: {}",
                    known.join(", ")
                ))
            })?;
            (p, model)
        }
        None => (settings.default_provider(), requested),
    };
    if model.is_empty() {
        return Err(invalid(format!("`{requested}` names no model")));
    }
    if provider.kind == super::config::ProviderKind::Builtin
        && !provider.models.iter().any(|m| m == model)
    {
        return Err(invalid(format!(
            "the builtin provider offers only `builtin/{}`",
            provider.default_model()
        )));
    }
    Ok((provider, model.to_owned()))
}

/// Our event stream: `meta`, the tokens, then exactly one `done` or `error`.
fn relay(
    meta: Meta,
    mut frames: FrameStream,
    started: Instant,
    max_duration: std::time::Duration,
    span: tracing::Span,
) -> impl Stream<Item = Event> + Send {
    let deadline = tokio::time::Instant::from_std(started) + max_duration;
    async_stream::stream! {
        let mut ids = 0u64;
        let mut event = move |ev: ReportEvent| {
            ids += 1;
            Event::default().id(ids.to_string()).event(ev.name()).data(ev.data_json())
        };
        yield event(ReportEvent::Meta(meta));
        let mut first_token: Option<Instant> = None;
        let mut tokens = 0u64;
        let terminal = loop {
            let next = tokio::time::timeout_at(deadline, frames.next()).await;
            let failure = match next {
                Ok(Some(Ok(Frame::Delta(text)))) => {
                    first_token.get_or_insert_with(Instant::now);
                    tokens += 1;
                    yield event(ReportEvent::Token(Token { text }));
                    continue;
                }
                Ok(Some(Ok(Frame::Finish(f)))) => {
                    break ReportEvent::Done(Done {
                        finish_reason: f.reason,
                        output_tokens: f.output_tokens.or(Some(tokens)),
                        ttft_ms: first_token.map(|t| millis(t - started)),
                        duration_ms: millis(started.elapsed()),
                    });
                }
                Ok(Some(Err(failure))) => stream_error(&failure),
                // Providers always end with a Finish or an error; an end without
                // either is a truncation, never a success.
                Ok(None) => (StreamErrorCode::Truncated, StreamFailure::Truncated.to_string()),
                Err(_) => (
                    StreamErrorCode::Timeout,
                    format!("the report ran past the limit of {} s", max_duration.as_secs_f64()),
                ),
            };
            let (code, message) = failure;
            break ReportEvent::Error(StreamError { code, message, partial: tokens > 0 });
        };
        // Close the upstream before the last event goes out.
        drop(frames);
        match &terminal {
            ReportEvent::Done(d) => tracing::info!(parent: &span, outcome = "done", tokens, ttft_ms = d.ttft_ms, duration_ms = d.duration_ms),
            ReportEvent::Error(e) => tracing::warn!(parent: &span, outcome = e.code.as_str(), tokens, message = %e.message),
            _ => {}
        }
        yield event(terminal);
    }
}

fn stream_error(failure: &StreamFailure) -> (StreamErrorCode, String) {
    let code = match failure {
        StreamFailure::Upstream(_) | StreamFailure::LineTooLong { .. } => {
            StreamErrorCode::UpstreamError
        }
        StreamFailure::Stalled(_) => StreamErrorCode::Stalled,
        StreamFailure::Truncated | StreamFailure::Disconnected(_) => StreamErrorCode::Truncated,
    };
    (code, failure.to_string())
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
