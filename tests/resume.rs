//! Reports that outlive their connection (a request with its own `report_id`), end to
//! end over real TCP in front of a fake OpenAI-compatible model: dropped and resumed at
//! random points the text is byte-exact and the model is asked once; a retried request
//! attaches; Stop (after a resume, or before the request) and the grace timer close the
//! model's connection; the log's window edge; the refusals.

mod support;

use std::time::{Duration, Instant};

use auditstream::protocol::{DecodedEvent, ReportEvent, StreamErrorCode};
use serde_json::json;
use support::{
    EventReader, Lcg, TestApp, client, error_code,
    fake_model::FakeModel,
    resumable::{Reader, new_id, paced, pieces, post, resume, stop},
    start_openai_app,
};

const WAIT: Duration = Duration::from_secs(10);
/// How soon after Stop the model must see its connection close.
const STOP_WITHIN: Duration = Duration::from_millis(250);

async fn start(fake: &FakeModel, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("AUDITSTREAM_VERIFY_FINDINGS", "off"),
        ("AUDITSTREAM_ANALYZER_GUIDES", "off"),
    ];
    vars.extend_from_slice(extra);
    start_openai_app(fake, &vars).await
}

/// Waits until the relay has sent the model's `n`-th token on (polling `/metrics`).
async fn tokens_relayed_at_least(app: &TestApp, n: u64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = app.metrics().await;
        let got = support::metric(&text, "auditstream_tokens_relayed_total").unwrap_or(0.0);
        if got >= n as f64 {
            return;
        }
        assert!(Instant::now() < deadline, "{got} tokens relayed, not {n}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_at_random_points_and_resumed_the_text_is_byte_exact_and_the_model_asked_once() {
    let pieces = pieces(60);
    let want: String = pieces.concat();
    for (seed, log_events) in [(1, "4096"), (2, "4096"), (3, "2"), (4, "3"), (5, "8")] {
        let fake = FakeModel::start(paced(&pieces, Duration::from_millis(2), true)).await;
        let app = start(&fake, &[("AUDITSTREAM_RESUME_LOG_EVENTS", log_events)]).await;
        let mut rng = Lcg(seed);
        let id = new_id();
        let mut reader = Reader::default();
        reader
            .read(post(app.addr, &id, None).await, Some(1 + rng.below(10)))
            .await;
        let mut resumes = 0;
        while reader.terminal.is_none() {
            resumes += 1;
            assert!(resumes < 200, "seed {seed}: no end after {resumes} resumes");
            // Away while up to a dozen more tokens are written.
            let away = rng.below(12);
            let tokens = (reader.last_id.saturating_sub(1) + away).min(pieces.len() as u64);
            tokens_relayed_at_least(&app, tokens).await;
            let n = 1 + rng.below(12);
            reader
                .read(resume(app.addr, &id, reader.last_id).await, Some(n))
                .await;
        }
        assert!(
            matches!(reader.terminal, Some(ReportEvent::Done(_))),
            "seed {seed}: {:?}",
            reader.terminal
        );
        assert_eq!(
            reader.text, want,
            "seed {seed}, log {log_events}: byte-exact"
        );
        assert_eq!(fake.received().len(), 1, "seed {seed}: one model request");
        assert!(resumes > 1, "seed {seed}: resumed {resumes} times");
        if log_events.len() == 1 {
            assert!(reader.snapshots > 0, "seed {seed}: a short log was outrun");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_past_the_logs_window_gets_the_text_so_far_then_follows() {
    let pieces = pieces(10);
    // Ten tokens, then the model goes quiet with its connection open.
    let fake = FakeModel::start(paced(&pieces, Duration::ZERO, false)).await;
    let app = start(&fake, &[("AUDITSTREAM_RESUME_LOG_EVENTS", "4")]).await;
    let id = new_id();
    let mut first = Reader::default();
    first.read(post(app.addr, &id, None).await, Some(11)).await;
    assert_eq!(
        (first.last_id, first.text.as_str()),
        (11, pieces.concat().as_str())
    );
    // The log keeps events 8..=11: a reader at 7 still gets events, one at 6 the text.
    let mut inside = Reader {
        text: pieces[..6].concat(),
        last_id: 7,
        ..Reader::default()
    };
    inside.read(resume(app.addr, &id, 7).await, Some(4)).await;
    assert_eq!((inside.snapshots, inside.last_id), (0, 11));
    assert_eq!(inside.text, pieces.concat());
    let mut outside = Reader {
        text: pieces[..5].concat(),
        last_id: 6,
        ..Reader::default()
    };
    let resp = resume(app.addr, &id, 6).await;
    let mut events = EventReader::new(resp);
    outside.take(events.next(WAIT).await.unwrap());
    assert_eq!((outside.snapshots, outside.last_id), (1, 11));
    assert_eq!(outside.text, pieces.concat());
    // It follows live: Stop now reaches it as the end.
    let stopped = Instant::now();
    assert_eq!(stop(app.addr, &id).await.status(), 204);
    let hung_up = fake.hang_up(WAIT, |_| true).await.expect("model closed");
    assert!(hung_up - stopped < STOP_WITHIN, "{:?}", hung_up - stopped);
    outside.take(events.next(WAIT).await.expect("the end"));
    match &outside.terminal {
        Some(ReportEvent::Error(e)) => assert_eq!(e.code, StreamErrorCode::Cancelled),
        other => panic!("expected a cancelled error, got {other:?}"),
    }
    assert!(events.next(WAIT).await.is_none(), "the stream ends");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_after_a_resume_closes_the_model_connection_within_milliseconds() {
    let fake = FakeModel::start(paced(&pieces(5), Duration::ZERO, false)).await;
    let app = start(&fake, &[]).await;
    let id = new_id();
    let mut reader = Reader::default();
    reader.read(post(app.addr, &id, None).await, Some(3)).await;
    // The first connection is gone; the report is not.
    let resp = resume(app.addr, &id, reader.last_id).await;
    let mut events = EventReader::new(resp);
    reader.take(events.next(WAIT).await.unwrap());
    assert_eq!(fake.open_connections(), 1, "still generating");
    let stopped = Instant::now();
    assert_eq!(stop(app.addr, &id).await.status(), 204);
    let hung_up = fake.hang_up(WAIT, |_| true).await.expect("model closed");
    assert!(hung_up - stopped < STOP_WITHIN, "{:?}", hung_up - stopped);
    let rest = events.rest(WAIT).await;
    let last = rest.last().expect("the end").event.clone();
    assert!(
        matches!(&last, ReportEvent::Error(e) if e.code == StreamErrorCode::Cancelled && e.partial),
        "{last:?}"
    );
    app.wait_metric(WAIT, "auditstream_reports_total{outcome=\"stopped\"}", 1.0)
        .await;
    app.wait_metric(WAIT, "auditstream_active_streams", 0.0)
        .await;
    // Stop again, and resuming the stopped report, replay its end.
    assert_eq!(stop(app.addr, &id).await.status(), 204);
    let mut late = Reader::default();
    late.read(resume(app.addr, &id, reader.last_id).await, None)
        .await;
    assert!(matches!(late.terminal, Some(ReportEvent::Error(_))));
    assert_eq!(fake.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_no_one_reads_is_stopped_after_the_grace_period_and_not_before() {
    let grace = Duration::from_millis(300);
    let grace_secs = grace.as_secs_f64().to_string();
    // A report that runs longer than the grace period, read to its end: never stopped.
    let pieces = pieces(16);
    let fake = FakeModel::start(paced(&pieces, Duration::from_millis(50), true)).await;
    let app = start(&fake, &[("AUDITSTREAM_RESUME_GRACE_SECS", &grace_secs)]).await;
    let id = new_id();
    let started = Instant::now();
    let mut reader = Reader::default();
    reader.read(post(app.addr, &id, None).await, None).await;
    assert!(
        started.elapsed() > 2 * grace,
        "the report outlasted the grace"
    );
    assert!(matches!(reader.terminal, Some(ReportEvent::Done(_))));
    assert_eq!(reader.text, pieces.concat());

    // A reader that leaves: the model's connection closes one grace period later.
    let fake = FakeModel::start(paced(&pieces, Duration::ZERO, false)).await;
    let app = start(&fake, &[("AUDITSTREAM_RESUME_GRACE_SECS", &grace_secs)]).await;
    let id = new_id();
    let mut reader = Reader::default();
    reader.read(post(app.addr, &id, None).await, Some(2)).await;
    let left = Instant::now();
    let hung_up = fake.hang_up(WAIT, |_| true).await.expect("model closed");
    let after = hung_up - left;
    assert!(after >= grace, "closed {after:?} after the reader left");
    assert!(after < grace + Duration::from_secs(1), "{after:?}");
    app.wait_metric(WAIT, "auditstream_reports_total{outcome=\"stopped\"}", 1.0)
        .await;
    // Its end is still there for a reader that comes back within the next grace.
    let mut back = Reader::default();
    back.read(resume(app.addr, &id, reader.last_id).await, None)
        .await;
    let Some(ReportEvent::Error(e)) = &back.terminal else {
        panic!("{:?}", back.terminal)
    };
    assert!(
        e.message.contains("no one read the report for 0.3 s"),
        "{}",
        e.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_request_with_the_same_id_attaches_instead_of_generating_again() {
    let pieces = pieces(30);
    let fake = FakeModel::start(paced(&pieces, Duration::from_millis(3), true)).await;
    let app = start(&fake, &[]).await;
    let id = new_id();
    let first = post(app.addr, &id, None).await;
    let mut first_events = EventReader::new(first);
    let mut a = Reader::default();
    for _ in 0..3 {
        a.take(first_events.next(WAIT).await.unwrap());
    }
    // The same request again while it runs: the whole report, from its first event.
    let mut b = Reader::default();
    b.read(post(app.addr, &id, None).await, None).await;
    for ev in first_events.rest(WAIT).await {
        a.take(ev);
    }
    // And once it is over, with Last-Event-ID: the rest, then the end.
    let mut c = Reader {
        text: pieces[..9].concat(),
        last_id: 10,
        ..Reader::default()
    };
    c.read(post(app.addr, &id, Some(10)).await, None).await;
    for r in [&a, &b, &c] {
        assert!(matches!(r.terminal, Some(ReportEvent::Done(_))));
        assert_eq!(r.text, pieces.concat());
    }
    assert_eq!(fake.received().len(), 1, "one model request for three");
    app.wait_metric(WAIT, "auditstream_reports_total{outcome=\"done\"}", 1.0)
        .await;
}

#[tokio::test]
async fn a_stop_before_its_request_holds_and_bad_ids_are_refused() {
    let fake = FakeModel::start(paced(&pieces(3), Duration::ZERO, true)).await;
    let app = start(&fake, &[]).await;
    let id = new_id();
    assert_eq!(stop(app.addr, &id).await.status(), 204);
    let resp = post(app.addr, &id, None).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(error_code(resp).await, "report_stopped");

    let resp = post(app.addr, "report-1", None).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(resp).await, "invalid_report_id");
    let resp = stop(app.addr, "report-1").await;
    assert_eq!(resp.status(), 400);
    let resp = resume(app.addr, &new_id(), 0).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(error_code(resp).await, "nothing_to_resume");
    let resp = client()
        .post(format!("http://{}/api/report", app.addr))
        .header("last-event-id", "seven")
        .json(&json!({"contract": "contract A {}", "report_id": new_id()}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(resp).await, "invalid_last_event_id");
    assert!(fake.received().is_empty(), "the model was never asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_ends_a_report_no_one_reads_and_waits_for_it() {
    let fake = FakeModel::start(paced(&pieces(4), Duration::ZERO, false)).await;
    let app = start(&fake, &[("AUDITSTREAM_SHUTDOWN_GRACE_SECS", "0.2")]).await;
    let id = new_id();
    let mut reader = Reader::default();
    reader.read(post(app.addr, &id, None).await, Some(3)).await;
    app.shutdown();
    let addr = app.addr;
    let metrics = app.state.metrics.clone();
    app.stopped(WAIT).await;
    // The server stopped only after the report ended, with the shutdown's own error.
    assert!(fake.hang_up(WAIT, |_| true).await.is_some(), "model closed");
    let text = metrics.render().unwrap();
    assert!(
        text.contains("auditstream_reports_total{outcome=\"shutdown\"} 1"),
        "{addr}: {text}"
    );
}

#[tokio::test]
async fn a_resumable_stream_carries_its_hints_and_retry_and_a_plain_one_neither() {
    let fake = FakeModel::respond_with(None, |_| paced(&pieces(1), Duration::ZERO, true)).await;
    let meta = |events: &[DecodedEvent]| match &events[0].event {
        ReportEvent::Meta(m) => m.clone(),
        other => panic!("meta first, got {other:?}"),
    };
    for (keep, retry) in [("off", "1000"), ("on", "1")] {
        let app = start(
            &fake,
            &[
                ("AUDITSTREAM_KEEPALIVE_SECS", "2"),
                ("AUDITSTREAM_RESUME_KEEP_ON_LEAVE", keep),
                ("AUDITSTREAM_RESUME_RETRY_MS", retry),
            ],
        )
        .await;
        let mut reader = EventReader::new(post(app.addr, &new_id(), None).await);
        let events = reader.rest(WAIT).await;
        let hints = meta(&events).resume.expect("hints");
        assert_eq!(
            (hints.keepalive_ms, hints.keep_on_leave),
            (2000, keep == "on")
        );
        let raw = String::from_utf8(reader.raw.clone()).unwrap();
        assert_eq!(raw.matches("retry: ").count(), 1, "{raw}");
        assert!(raw.contains(&format!("retry: {retry}\n")), "{raw}");

        let resp = support::post_report(app.addr, json!({"contract": "contract A {}"})).await;
        let mut plain = EventReader::new(resp);
        let events = plain.rest(WAIT).await;
        assert_eq!(meta(&events).resume, None);
        assert!(!String::from_utf8_lossy(&plain.raw).contains("retry:"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_resume_off_a_report_id_is_ignored_and_the_report_ends_with_its_connection() {
    let fake = FakeModel::start(paced(&pieces(5), Duration::ZERO, false)).await;
    let app = start(&fake, &[("AUDITSTREAM_RESUME", "off")]).await;
    let id = new_id();
    let mut reader = EventReader::new(post(app.addr, &id, None).await);
    let ReportEvent::Meta(meta) = reader.next(WAIT).await.unwrap().event else {
        panic!("meta first");
    };
    assert_ne!(meta.report_id, id, "the server picked the id");
    assert_eq!(meta.resume, None, "no hints: the page does not read it on");
    reader.next(WAIT).await.unwrap();
    let left = Instant::now();
    drop(reader);
    let hung_up = fake.hang_up(WAIT, |_| true).await.expect("model closed");
    assert!(hung_up - left < STOP_WITHIN, "{:?}", hung_up - left);
    let resp = resume(app.addr, &id, 1).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(error_code(resp).await, "nothing_to_resume");
}
