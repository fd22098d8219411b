//! `POST /api/report` (DESIGN §3): validate, open the model, then relay its frames as
//! our SSE events. Everything is owned by the response stream, so when the browser
//! goes away the stream is dropped and with it the upstream connection.

mod coalesce;
mod inflight;

use std::{convert::Infallible, future::Future, time::Instant};

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
    error::{ApiError, Rejection},
    guard,
    metrics::Outcome,
    providers::{self, Frame, FrameStream, MalformedCount, ReportJob, StreamFailure},
};
use inflight::InFlight;

use crate::protocol::{
    Done, Meta, ReportEvent, ReportRequest, StreamError, StreamErrorCode, Token,
};

/// The route handler: a stream, or a JSON error counted by its code.
pub async fn report(State(state): State<AppState>, req: Request) -> Response {
    match start(&state, req).await {
        Ok(resp) => resp,
        Err(e) => {
            state.metrics.pre_stream_error(e.code);
            e.into_response()
        }
    }
}

/// The guards, then the model opened; the 200 response carries everything after.
async fn start(state: &AppState, req: Request) -> Result<Response, ApiError> {
    let started = Instant::now();
    let settings = &state.settings;
    let limits = &settings.limits;
    guard::check_origin(
        req.headers(),
        req.uri().authority().map(|a| a.as_str()),
        limits,
    )?;
    if state.shutdown.is_cancelled() {
        return Err(Rejection::ShuttingDown.into());
    }
    let slot = guard::stream_slot(&state.streams, limits.max_streams)?;
    let request = read_request(req, settings).await?;
    let (provider, model) = resolve_model(settings, request.model.as_deref())?;
    let report_id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!(
        "report",
        %report_id,
        provider = %provider.name,
        %model,
        outcome = tracing::field::Empty,
        tokens = tracing::field::Empty,
        ttft_ms = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        malformed = tracing::field::Empty,
    );
    let malformed = MalformedCount::default();
    let job = ReportJob {
        provider,
        model: &model,
        contract: &request.contract,
        filename: request.filename.as_deref(),
        limits,
        builtin_pace: settings.builtin_pace,
        malformed: malformed.clone(),
    };
    let open = providers::open(&state.http, job).instrument(span.clone());
    let frames = tokio::select! {
        opened = open => opened.inspect_err(|e| {
            span.in_scope(|| tracing::warn!(error = %e, "model not opened"));
        })?,
        () = grace_over(state) => return Err(Rejection::ShuttingDown.into()),
    };
    let meta = Meta {
        report_id,
        provider: provider.name.clone(),
        model,
    };
    let inflight = InFlight::new(slot, state.metrics.clone(), span, started, malformed);
    let deadline = tokio::time::Instant::from_std(started) + limits.max_duration;
    let events = relay(meta, frames, inflight, deadline, grace_over(state));
    let sse = Sse::new(events.map(Ok::<_, Infallible>))
        .keep_alive(KeepAlive::new().interval(limits.keepalive).text("ping"));
    // Events already waiting leave in one write; a lone token still leaves at once.
    let (parts, body) = sse.into_response().into_parts();
    let body = axum::body::Body::from_stream(coalesce::Coalesce::new(body.into_data_stream()));
    let mut resp = Response::from_parts(parts, body);
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(resp)
}

/// Resolves once a shutdown has begun and its grace period has passed.
fn grace_over(state: &AppState) -> impl Future<Output = ()> + Send + 'static {
    let token = state.shutdown.clone();
    let grace = state.settings.limits.shutdown_grace;
    async move {
        token.cancelled_owned().await;
        tokio::time::sleep(grace).await;
    }
}

/// Reads and validates the body: media type, size and read time, JSON, a non-empty contract.
async fn read_request(req: Request, settings: &Settings) -> Result<ReportRequest, ApiError> {
    guard::check_json(req.headers())?;
    let max = settings.limits.max_contract_bytes;
    // JSON escaping at most doubles a real contract; the exact limit is checked below.
    let body = guard::read_body(
        req.into_body(),
        body_limit(max),
        settings.limits.body_timeout,
        max,
    )
    .await?;
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
        return Err(Rejection::TooLarge { max }.into());
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

/// What the relay loop waits for next.
enum Next {
    Frame(Option<Result<Frame, StreamFailure>>),
    Deadline,
    Shutdown,
}

/// Our event stream: `meta`, the tokens, then exactly one `done` or `error`.
fn relay(
    meta: Meta,
    mut frames: FrameStream,
    mut inflight: InFlight,
    deadline: tokio::time::Instant,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> impl Stream<Item = Event> + Send {
    async_stream::stream! {
        let mut ids = 0u64;
        let mut event = move |ev: ReportEvent| {
            ids += 1;
            Event::default().id(ids.to_string()).event(ev.name()).data(ev.data_json())
        };
        yield event(ReportEvent::Meta(meta));
        futures_util::pin_mut!(shutdown);
        let terminal = loop {
            let next = tokio::select! {
                biased;
                () = &mut shutdown => Next::Shutdown,
                r = tokio::time::timeout_at(deadline, frames.next()) => r.map_or(Next::Deadline, Next::Frame),
            };
            let (code, message) = match next {
                Next::Frame(Some(Ok(Frame::Delta(text)))) => {
                    inflight.token();
                    yield event(ReportEvent::Token(Token { text }));
                    continue;
                }
                Next::Frame(Some(Ok(Frame::Finish(f)))) => {
                    inflight.end = Some((Outcome::Done, format!("finished: {}", f.reason)));
                    let duration = inflight.started.elapsed();
                    let output_tokens = f.output_tokens.or(Some(inflight.tokens));
                    break ReportEvent::Done(Done {
                        finish_reason: f.reason,
                        tokens_per_sec: f
                            .tokens_per_sec
                            .or_else(|| tokens_per_sec(output_tokens?, duration.checked_sub(inflight.ttft()?)?)),
                        output_tokens,
                        ttft_ms: inflight.ttft().map(millis),
                        duration_ms: millis(duration),
                    });
                }
                Next::Frame(Some(Err(failure))) => stream_error(&failure),
                // Providers always end with a Finish or an error; an end without
                // either is a truncation, never a success.
                Next::Frame(None) => (StreamErrorCode::Truncated, StreamFailure::Truncated.to_string()),
                Next::Deadline => {
                    let limit = deadline - tokio::time::Instant::from_std(inflight.started);
                    (StreamErrorCode::Timeout, format!("the report ran past the limit of {} s", limit.as_secs_f64()))
                }
                Next::Shutdown => (StreamErrorCode::Shutdown, "the server is shutting down; generate the report again in a moment".to_owned()),
            };
            inflight.end = Some((code.into(), message.clone()));
            break ReportEvent::Error(StreamError { code, message, partial: inflight.tokens > 0 });
        };
        // Close the upstream before the last event goes out.
        drop(frames);
        yield event(terminal);
    }
}

fn stream_error(failure: &StreamFailure) -> (StreamErrorCode, String) {
    let code = match failure {
        StreamFailure::Upstream(_) | StreamFailure::TooLarge { .. } => {
            StreamErrorCode::UpstreamError
        }
        StreamFailure::Stalled(_) => StreamErrorCode::Stalled,
        StreamFailure::Truncated | StreamFailure::Disconnected(_) => StreamErrorCode::Truncated,
    };
    (code, failure.to_string())
}

/// Tokens per second over the generation time, to one decimal; none for a burst too
/// short to measure.
fn tokens_per_sec(tokens: u64, generating: std::time::Duration) -> Option<f64> {
    let secs = generating.as_secs_f64();
    (tokens > 1 && secs >= 0.001).then(|| (tokens as f64 / secs * 10.0).round() / 10.0)
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
