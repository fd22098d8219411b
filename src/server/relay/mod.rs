//! `POST /api/report` (DESIGN §3): validate, open the model, then relay its frames as
//! our SSE events. Everything is owned by the response stream, so when the browser
//! goes away the stream is dropped and with it the upstream connection.

mod coalesce;
mod decision;
mod fallback;
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
    providers::{self, FrameStream, MalformedCount, ReportJob},
    store::{NewReport, Owner, now_ms},
};
use decision::{Decision, Next, decide};
use inflight::InFlight;

use crate::protocol::{FailedAttempt, Meta, ReportEvent, ReportRequest, Token};

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
    let owner = req.extensions().get::<Owner>().cloned();
    let request = read_request(req, settings).await?;
    let (provider, model) = resolve_model(settings, request.model.as_deref())?;
    // Ours, not the model's: text in the contract aimed at the model goes first.
    let hits = guard::injection::scan(&request.contract, request.filename.as_deref());
    let notice = guard::injection::notice(&hits);
    for hit in &hits {
        state.metrics.injection_hit(hit.aim.as_str());
    }
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
    if !hits.is_empty() {
        span.in_scope(|| tracing::warn!(hits = hits.len(), "contract has text aimed at the model"));
    }
    let malformed = MalformedCount::default();
    let opened = open_provider(state, &request, (provider, &model), &malformed, &span).await?;
    let frames = opened.frames;
    let meta = Meta {
        report_id,
        provider: opened.provider,
        model: opened.model,
        fallbacks: opened.fallbacks,
    };
    let mut inflight = InFlight::new(slot, state.metrics.clone(), span, started, malformed);
    inflight.recording = state
        .history
        .as_ref()
        .map(|h| h.writer.record(new_report(&meta, owner, request)));
    let deadline = tokio::time::Instant::from_std(started) + limits.max_duration;
    let events = relay(
        meta,
        notice,
        frames,
        inflight,
        deadline,
        limits.max_duration,
        grace_over(state),
    );
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

/// The model that answered, and the ones of its chain that failed before it.
struct Opened {
    frames: FrameStream,
    provider: String,
    model: String,
    fallbacks: Vec<FailedAttempt>,
}

/// The step that asks the model: its frames once it answered with success headers, or
/// why not. A failure that `fallback::falls_back` passes over asks the next model of the
/// provider's `fallback` list; the last failure is the answer. Every attempt runs inside
/// this future, so a client that leaves drops (and closes) whichever is open. A shutdown
/// whose grace period runs out first ends the wait.
async fn open_provider(
    state: &AppState,
    request: &ReportRequest,
    first: (&ProviderConfig, &str),
    malformed: &MalformedCount,
    span: &tracing::Span,
) -> Result<Opened, ApiError> {
    let settings = &state.settings;
    let chain = async {
        let mut fallbacks = Vec::new();
        let mut rest = fallback::rest_of_chain(settings, first.0).into_iter();
        let (mut provider, mut model) = first;
        loop {
            let job = ReportJob {
                provider,
                model,
                contract: &request.contract,
                filename: request.filename.as_deref(),
                limits: &settings.limits,
                builtin_pace: settings.builtin_pace,
                malformed: malformed.clone(),
            };
            let e = match providers::open(&state.http, job)
                .instrument(span.clone())
                .await
            {
                Ok(frames) => {
                    span.record("provider", provider.name.as_str());
                    span.record("model", model);
                    return Ok(Opened {
                        frames,
                        provider: provider.name.clone(),
                        model: model.to_owned(),
                        fallbacks,
                    });
                }
                Err(e) => e,
            };
            let next = rest.next().filter(|_| fallback::falls_back(&e));
            let Some((next_provider, next_model)) = next else {
                span.in_scope(|| tracing::warn!(error = %e, "model not opened"));
                return Err(ApiError::from(e));
            };
            span.in_scope(|| {
                tracing::warn!(
                    error = %e,
                    to = %format!("{}/{next_model}", next_provider.name),
                    "model not opened; falling back"
                );
            });
            state.metrics.fallback(&provider.name, &next_provider.name);
            fallbacks.push(fallback::failed_attempt(&provider.name, model, &e));
            (provider, model) = (next_provider, next_model);
        }
    };
    tokio::select! {
        opened = chain => opened,
        () = grace_over(state) => Err(Rejection::ShuttingDown.into()),
    }
}

/// The history row for a report that is starting; without an owner cookie, no one's.
fn new_report(meta: &Meta, owner: Option<Owner>, request: ReportRequest) -> NewReport {
    NewReport {
        id: meta.report_id.clone(),
        owner: owner.unwrap_or_else(|| Owner::from_token(&uuid::Uuid::new_v4().to_string())),
        created_ms: now_ms(),
        contract: request.contract,
        filename: request.filename,
        provider: meta.provider.clone(),
        model: meta.model.clone(),
    }
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

/// Our event stream: `meta`, the guard's notice when it found text aimed at the model
/// (one `token`, not counted as the model's), the tokens, then exactly one `done` or
/// `error`. The macro keeps only the loop; `decision::decide` says what each step means.
fn relay(
    meta: Meta,
    notice: Option<String>,
    mut frames: FrameStream,
    mut inflight: InFlight,
    deadline: tokio::time::Instant,
    max_duration: std::time::Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> impl Stream<Item = Event> + Send {
    async_stream::stream! {
        let mut ids = 0u64;
        ids += 1;
        yield sse_event(ids, &ReportEvent::Meta(meta));
        if let Some(text) = notice {
            ids += 1;
            yield sse_event(ids, &ReportEvent::Token(Token { text }));
        }
        futures_util::pin_mut!(shutdown);
        let terminal = loop {
            let next = tokio::select! {
                biased;
                () = &mut shutdown => Next::Shutdown,
                r = tokio::time::timeout_at(deadline, frames.next()) => {
                    r.map_or(Next::Deadline, Next::Frame)
                }
            };
            match decide(next, inflight.progress(max_duration)) {
                Decision::Token(text) => {
                    inflight.token(&text);
                    ids += 1;
                    yield sse_event(ids, &ReportEvent::Token(Token { text }));
                }
                Decision::End { event, outcome, message } => {
                    if let ReportEvent::Done(done) = &event {
                        inflight.output_tokens = done.output_tokens;
                        inflight.done_duration_ms = Some(done.duration_ms);
                    }
                    inflight.ended(outcome, message);
                    break event;
                }
            }
        };
        // Close the upstream before the last event goes out.
        drop(frames);
        ids += 1;
        yield sse_event(ids, &terminal);
    }
}

/// One event of our stream in its SSE form, with its `id`.
fn sse_event(id: u64, ev: &ReportEvent) -> Event {
    Event::default()
        .id(id.to_string())
        .event(ev.name())
        .data(ev.data_json())
}
