//! `POST /api/report` (docs/protocol.md): validate, open the model, then relay its frames as
//! our SSE events. Everything is owned by the stream of events, so when its owner drops
//! it the upstream connection goes with it: the response, for a request without its own
//! `report_id` (the browser leaving is Stop); the report's producer task otherwise
//! (`server::resume`: Stop is explicit, and readers come and go).

mod coalesce;
mod decision;
mod fallback;
mod inflight;
mod request;
pub mod respond;

use std::{future::Future, sync::Arc, time::Instant};

use axum::{Extension, extract::State, response::Response};
use futures_util::{FutureExt, Stream, StreamExt};
use tokio::sync::OwnedSemaphorePermit;
use tracing::Instrument;

use super::{
    AppState,
    config::ProviderConfig,
    error::{ApiError, Rejection},
    guard::{SameOrigin, StreamSlot},
    providers::{self, FrameStream, MalformedCount, ReportJob},
    resume::{self, LastEventId, Reserved, Running, redis::Claim},
    store::{NewReport, Owner, now_ms},
};
use crate::analyzer::injection;
use crate::verify;
use decision::{Decision, Next, decide};
use inflight::InFlight;
use request::ReportBody;
pub use request::{project_of, resolve_model};
use respond::sse_response;

use crate::protocol::{FailedAttempt, Meta, ReportEvent, ReportRequest, ResumeHints, Token};

/// The route handler: every check is in its signature (the rate limit is the route's
/// layer); then the model is opened and the 200 response carries everything after.
/// A refusal is an `ApiError`, counted by its code in `metrics::count_refusals`.
///
/// A request with its own `report_id` starts a report that outlives the connection
/// (`server::resume`), or attaches to the one already running under that id; without
/// one, the report is this response and ends with it, as it always did.
pub async fn report(
    State(state): State<AppState>,
    _: SameOrigin,
    StreamSlot(slot): StreamSlot,
    owner: Option<Extension<Owner>>,
    LastEventId(after): LastEventId,
    ReportBody(mut request): ReportBody,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let owner = owner.map(|Extension(owner)| owner);
    if !state.settings.resume.enabled {
        request.report_id = None;
    }
    let Some(asked) = request.report_id.as_deref() else {
        let report_id = uuid::Uuid::new_v4().to_string();
        let shutdown = grace_over(&state).map(|()| Next::Shutdown);
        let events = open_report(
            state.clone(),
            request,
            owner,
            slot,
            started,
            report_id,
            shutdown,
        )
        .await?;
        return Ok(sse_response(events, state.settings.limits.keepalive, None));
    };
    let id = resume::checked_id(asked)?;
    let running = match state.reports.reserve(&id) {
        Reserved::Existing(running) => {
            drop(slot);
            return resume::attach(&state, running.reader(), after).await;
        }
        Reserved::Stopped => return Err(resume::stopped_before_start()),
        Reserved::New(running) => running,
    };
    if let Some(shared) = state.redis.clone() {
        // One generation per id across instances: another one may hold it already.
        let claim = shared.claim(&id).await;
        let refusal = match claim {
            Ok(Claim::Ours(mirror)) => {
                running.mirror_to(mirror);
                None
            }
            Ok(Claim::Stopped) => Some(resume::stopped_before_start()),
            Ok(Claim::Elsewhere) => {
                state.reports.remove(&running);
                drop(slot);
                return match resume::attach_remote(&state, shared, &id, after).await? {
                    Some(response) => Ok(response),
                    // Its producer ended it and its log expired in the meantime.
                    None => Err(resume::check_unused(&state, &id)
                        .await
                        .err()
                        .unwrap_or_else(resume::stopped_before_start)),
                };
            }
            Err(e) => Some(resume::redis::unavailable(&e)),
        };
        if let Some(e) = refusal {
            running.refused(e.clone());
            state.reports.remove(&running);
            return Err(e);
        }
    }
    if let Err(e) = resume::check_unused(&state, &id).await {
        // A request that attached meanwhile gets the same answer.
        running.refused(e.clone());
        state.reports.remove(&running);
        return Err(e);
    }
    // Counted as read from here, so the grace timer waits for this response.
    let reader = running.reader();
    let halt = halt_of(&state, running.clone());
    let open = open_report(state.clone(), request, owner, slot, started, id, halt);
    resume::spawn_producer(&state, running, open);
    resume::attach(&state, reader, after).await
}

/// What ends a resumable report early: Stop, no reader for the grace period, or a
/// shutdown whose grace period is over.
fn halt_of(state: &AppState, running: Arc<Running>) -> impl Future<Output = Next> + Send + 'static {
    let shutdown = grace_over(state);
    let grace = state.settings.resume.grace;
    let redis = state.redis.clone();
    async move {
        let unread = resume::unread_everywhere(redis, running.clone(), grace);
        tokio::select! {
            biased;
            () = running.stop.cancelled() => Next::Stopped,
            () = shutdown => Next::Shutdown,
            () = unread => Next::Unread(grace),
        }
    }
}

/// Everything after the checks: the model resolved and opened (with its fallbacks),
/// then the stream of our events, owned by whoever drives it. `halt` ends it early.
async fn open_report(
    state: AppState,
    request: ReportRequest,
    owner: Option<Owner>,
    slot: OwnedSemaphorePermit,
    started: Instant,
    report_id: String,
    halt: impl Future<Output = Next> + Send + 'static,
) -> Result<impl Stream<Item = (u64, ReportEvent)> + Send + 'static, ApiError> {
    let state = &state;
    let settings = &state.settings;
    let limits = &settings.limits;
    let resumable = request.report_id.is_some();
    let (provider, model) = resolve_model(settings, request.model.as_deref())?;
    // Ours, not the model's: text in the contract aimed at the model goes first.
    let hits = request::guard_hits(&request);
    let notice = injection::notice(&hits);
    for hit in &hits {
        state.metrics.injection_hit(hit.aim.as_str());
    }
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
    // The analyzer reads the contract first: its findings guide the model and check the
    // model's. Only for a model: the builtin analyzer's report is that reading itself.
    let code =
        if provider.kind.wire().is_some() && (limits.verify_findings || limits.analyzer_guides) {
            Some(index_contract(&request).await)
        } else {
            None
        };
    let guidance = code
        .as_deref()
        .filter(|_| limits.analyzer_guides)
        .and_then(verify::candidates_prompt);
    let opened = open_provider(
        state,
        &request,
        (provider, &model),
        guidance.as_deref(),
        &malformed,
        &span,
    )
    .await?;
    let joiner = code
        .filter(|c| limits.verify_findings && opened.provider != "builtin" && c.has_code())
        .map(|c| verify::Joiner::after(c, notice.as_deref().unwrap_or("")));
    let frames = opened.frames;
    let meta = Meta {
        report_id,
        provider: opened.provider,
        model: opened.model,
        fallbacks: opened.fallbacks,
        resume: resumable.then(|| ResumeHints {
            keepalive_ms: decision::millis(limits.keepalive),
            keep_on_leave: settings.resume.keep_on_leave,
        }),
    };
    let mut inflight = InFlight::new(slot, state.metrics.clone(), span, started, malformed);
    inflight.recording = state
        .history
        .as_ref()
        .map(|h| h.writer.record(new_report(&meta, owner, request)));
    let deadline = tokio::time::Instant::from_std(started) + limits.max_duration;
    Ok(relay(
        meta,
        notice,
        frames,
        joiner,
        inflight,
        Deadline {
            at: deadline,
            limit: limits.max_duration,
        },
        halt,
    ))
}

/// The contract, indexed for the checks and run through the analyzer, off the async
/// threads (a large contract takes the analyzer a while).
async fn index_contract(request: &ReportRequest) -> Arc<verify::CodeIndex> {
    let sources = verify::Source::of_request(request);
    let index = tokio::task::spawn_blocking(move || verify::CodeIndex::build(&sources))
        .await
        .unwrap_or_default();
    Arc::new(index)
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
    guidance: Option<&str>,
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
                project: providers::ProjectFiles::of(request),
                guidance,
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
        files: request.files,
        scope: request.scope,
        exclude: request.exclude,
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

/// When the whole report must be over, and the limit that set it (for the message).
#[derive(Clone, Copy)]
struct Deadline {
    at: tokio::time::Instant,
    limit: std::time::Duration,
}

/// Our event stream: `meta`, the guard's notice when it found text aimed at the model
/// (one `token`, not counted as the model's), the tokens, then exactly one `done` or
/// `error`. The macro keeps only the loop; `decision::decide` says what each step means.
fn relay(
    meta: Meta,
    notice: Option<String>,
    mut frames: FrameStream,
    mut joiner: Option<verify::Joiner>,
    mut inflight: InFlight,
    deadline: Deadline,
    halt: impl Future<Output = Next> + Send + 'static,
) -> impl Stream<Item = (u64, ReportEvent)> + Send + 'static {
    async_stream::stream! {
        let mut ids = 0u64;
        ids += 1;
        yield (ids, ReportEvent::Meta(meta));
        if let Some(text) = notice {
            ids += 1;
            yield (ids, ReportEvent::Token(Token { text }));
        }
        futures_util::pin_mut!(halt);
        let terminal = loop {
            let next = tokio::select! {
                biased;
                next = &mut halt => next,
                r = tokio::time::timeout_at(deadline.at, frames.next()) => {
                    r.map_or(Next::Deadline, Next::Frame)
                }
            };
            match decide(next, inflight.progress(deadline.limit)) {
                Decision::Token(text) => {
                    inflight.token(&text);
                    let checks = joiner.as_mut().map(|j| j.push(&text)).unwrap_or_default();
                    ids += 1;
                    yield (ids, ReportEvent::Token(Token { text }));
                    for check in checks {
                        ids += 1;
                        yield (ids, ReportEvent::Finding(check.clone()));
                        inflight.checks.push(check);
                    }
                }
                Decision::End { event, outcome, message } => {
                    // The last blocks end with the text; a finished report is joined with
                    // the analyzer's findings it does not hold.
                    let done = matches!(event, ReportEvent::Done(_));
                    for check in joiner.as_mut().map(|j| j.finish(done)).unwrap_or_default() {
                        ids += 1;
                        yield (ids, ReportEvent::Finding(check.clone()));
                        inflight.checks.push(check);
                    }
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
        yield (ids, terminal);
    }
}
