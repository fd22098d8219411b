//! Resumable reports on two instances sharing one Redis (and one PostgreSQL), behind a
//! real nginx doing round-robin, in front of one fake model: dropped and resumed at
//! random points through nginx, the text is byte-exact and the model is asked once;
//! Stop sent to the instance that does not produce the report closes the model's
//! connection; a Stop on one instance before the request on the other holds; a retried
//! request on the other instance attaches; a reader on the other instance keeps the
//! producer's grace timer from running out.

#[path = "history_support/mod.rs"]
mod history_support;
mod support;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use auditstream::protocol::{ReportEvent, StreamErrorCode};
use support::{
    EventReader, Lcg, TestApp,
    cluster::{Process, start_instance, start_nginx, start_redis},
    error_code,
    fake_model::FakeModel,
    resumable::{Reader, new_id, paced, pieces, post, resume, stop},
};

const WAIT: Duration = Duration::from_secs(10);

/// Redis, PostgreSQL (when the test script provides one), two instances and nginx.
struct Cluster {
    a: TestApp,
    b: TestApp,
    nginx: Process,
    _redis: Process,
    _db: Option<history_support::TestDb>,
}

impl Cluster {
    async fn start(fake: &FakeModel, extra: &[(&str, &str)]) -> Option<Self> {
        let redis = start_redis().await?;
        let db = history_support::TestDb::postgres().await;
        let redis_url = format!("redis://127.0.0.1:{}/0", redis.port);
        let base = format!("{}/v1", fake.base_url());
        let data_dir = tempfile::tempdir().unwrap();
        let mut vars = vec![
            ("AUDITSTREAM_PROVIDER", "openai"),
            ("AUDITSTREAM_BASE_URL", base.as_str()),
            ("AUDITSTREAM_MODEL", "m"),
            ("AUDITSTREAM_VERIFY_FINDINGS", "off"),
            ("AUDITSTREAM_ANALYZER_GUIDES", "off"),
            ("AUDITSTREAM_REDIS_URL", redis_url.as_str()),
        ];
        match &db {
            Some(db) => vars.push(("AUDITSTREAM_DATABASE_URL", db.url.as_str())),
            None => vars.push(("AUDITSTREAM_HISTORY", "off")),
        }
        let dir = data_dir.path().to_str().unwrap();
        vars.push(("AUDITSTREAM_DATA_DIR", dir));
        vars.extend_from_slice(extra);
        let a = start_instance(&vars).await;
        let b = start_instance(&vars).await;
        let nginx = start_nginx(&[a.addr, b.addr]).await?;
        Some(Self {
            a,
            b,
            nginx,
            _redis: redis,
            _db: db,
        })
    }

    fn front(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.nginx.port))
    }

    /// Tokens the two instances have relayed from the model.
    async fn tokens_relayed(&self) -> f64 {
        let mut sum = 0.0;
        for app in [&self.a, &self.b] {
            let text = app.metrics().await;
            sum += support::metric(&text, "auditstream_tokens_relayed_total").unwrap_or(0.0);
        }
        sum
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_at_random_points_through_nginx_and_resumed_the_text_is_byte_exact_and_the_model_asked_once()
 {
    let pieces = pieces(60);
    let want: String = pieces.concat();
    for (seed, log_events) in [(11, "4096"), (12, "4096"), (13, "3"), (14, "2")] {
        let fake = FakeModel::start(paced(&pieces, Duration::from_millis(2), true)).await;
        let extra = [("AUDITSTREAM_RESUME_LOG_EVENTS", log_events)];
        let Some(cluster) = Cluster::start(&fake, &extra).await else {
            return;
        };
        let front = cluster.front();
        let mut rng = Lcg(seed);
        let id = new_id();
        let mut reader = Reader::default();
        reader
            .read(post(front, &id, None).await, Some(1 + rng.below(10)))
            .await;
        let mut resumes = 0;
        while reader.terminal.is_none() {
            resumes += 1;
            assert!(resumes < 200, "seed {seed}: no end after {resumes} resumes");
            // Away while up to a dozen more tokens are written.
            let away = rng.below(12);
            let tokens = (reader.last_id.saturating_sub(1) + away).min(pieces.len() as u64);
            let deadline = Instant::now() + WAIT;
            while cluster.tokens_relayed().await < tokens as f64 {
                assert!(Instant::now() < deadline, "seed {seed}: {tokens} tokens");
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            let n = 1 + rng.below(12);
            reader
                .read(resume(front, &id, reader.last_id).await, Some(n))
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
        assert!(resumes > 2, "seed {seed}: resumed {resumes} times, on both");
        if log_events.len() == 1 {
            assert!(reader.snapshots > 0, "seed {seed}: a short log was outrun");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_sent_to_the_other_instance_closes_the_model_connection_of_the_producer() {
    let fake = FakeModel::start(paced(&pieces(5), Duration::ZERO, false)).await;
    let Some(cluster) = Cluster::start(&fake, &[]).await else {
        return;
    };
    let id = new_id();
    // A produces; its reader drops, and resumes on B.
    let mut reader = Reader::default();
    reader
        .read(post(cluster.a.addr, &id, None).await, Some(3))
        .await;
    let resp = resume(cluster.b.addr, &id, reader.last_id).await;
    let mut events = EventReader::new(resp);
    reader.take(events.next(WAIT).await.unwrap());
    assert_eq!(fake.open_connections(), 1, "still generating");
    let stopped = Instant::now();
    assert_eq!(stop(cluster.b.addr, &id).await.status(), 204);
    let hung_up = fake.hang_up(WAIT, |_| true).await.expect("model closed");
    eprintln!(
        "Stop on B to the model's close on A: {:?}",
        hung_up - stopped
    );
    // The reader on B sees the end A wrote.
    let rest = events.rest(WAIT).await;
    let last = rest.last().expect("the end").event.clone();
    assert!(
        matches!(&last, ReportEvent::Error(e) if e.code == StreamErrorCode::Cancelled),
        "{last:?}"
    );
    cluster
        .a
        .wait_metric(WAIT, "auditstream_reports_total{outcome=\"stopped\"}", 1.0)
        .await;
    assert_eq!(fake.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_on_one_instance_before_the_request_on_the_other_holds() {
    let fake = FakeModel::start(paced(&pieces(3), Duration::ZERO, true)).await;
    let Some(cluster) = Cluster::start(&fake, &[]).await else {
        return;
    };
    let id = new_id();
    assert_eq!(stop(cluster.b.addr, &id).await.status(), 204);
    let resp = post(cluster.a.addr, &id, None).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(error_code(resp).await, "report_stopped");
    // Nothing to resume on either instance.
    for addr in [cluster.a.addr, cluster.b.addr] {
        let resp = resume(addr, &id, 0).await;
        assert_eq!(resp.status(), 404);
        assert_eq!(error_code(resp).await, "nothing_to_resume");
    }
    assert!(fake.received().is_empty(), "the model was never asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_request_on_the_other_instance_attaches_instead_of_generating_again() {
    let pieces = pieces(30);
    let fake = FakeModel::start(paced(&pieces, Duration::from_millis(3), true)).await;
    let Some(cluster) = Cluster::start(&fake, &[]).await else {
        return;
    };
    let id = new_id();
    let first = post(cluster.a.addr, &id, None).await;
    let mut first_events = EventReader::new(first);
    let mut a = Reader::default();
    for _ in 0..3 {
        a.take(first_events.next(WAIT).await.unwrap());
    }
    // The same request on B while A runs it: the whole report, from its first event.
    let mut b = Reader::default();
    b.read(post(cluster.b.addr, &id, None).await, None).await;
    for ev in first_events.rest(WAIT).await {
        a.take(ev);
    }
    // And once it is over, on B with Last-Event-ID: the rest, then the end.
    let mut c = Reader {
        text: pieces[..9].concat(),
        last_id: 10,
        ..Reader::default()
    };
    c.read(post(cluster.b.addr, &id, Some(10)).await, None)
        .await;
    for r in [&a, &b, &c] {
        assert!(matches!(r.terminal, Some(ReportEvent::Done(_))));
        assert_eq!(r.text, pieces.concat());
    }
    assert_eq!(fake.received().len(), 1, "one model request for three");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_on_the_other_instance_keeps_the_report_running_past_the_grace() {
    let grace = Duration::from_millis(300);
    let grace_secs = grace.as_secs_f64().to_string();
    let pieces = pieces(16);
    let fake = FakeModel::start(paced(&pieces, Duration::from_millis(50), true)).await;
    let extra = [("AUDITSTREAM_RESUME_GRACE_SECS", grace_secs.as_str())];
    let Some(cluster) = Cluster::start(&fake, &extra).await else {
        return;
    };
    let id = new_id();
    let mut reader = Reader::default();
    reader
        .read(post(cluster.a.addr, &id, None).await, Some(2))
        .await;
    // The whole report read on B, though A has no reader for far longer than the grace.
    let started = Instant::now();
    reader
        .read(resume(cluster.b.addr, &id, reader.last_id).await, None)
        .await;
    assert!(
        started.elapsed() > 2 * grace,
        "the report outlasted the grace"
    );
    assert!(
        matches!(reader.terminal, Some(ReportEvent::Done(_))),
        "{:?}",
        reader.terminal
    );
    assert_eq!(reader.text, pieces.concat());

    // With no reader anywhere, A stops it after the grace period.
    let fake = FakeModel::start(paced(&pieces, Duration::ZERO, false)).await;
    let Some(cluster) = Cluster::start(&fake, &extra).await else {
        return;
    };
    let id = new_id();
    let mut reader = Reader::default();
    reader
        .read(post(cluster.a.addr, &id, None).await, Some(2))
        .await;
    let resp = resume(cluster.b.addr, &id, reader.last_id).await;
    reader.read(resp, Some(1)).await;
    let left = Instant::now();
    let hung_up = fake.hang_up(WAIT, |_| true).await.expect("model closed");
    assert!(
        hung_up - left >= grace,
        "closed {:?} after the reader left",
        hung_up - left
    );
}
