//! Resume under load, on loopback, with and without Redis (docs/benchmarks.md "Resume"):
//!
//! - `storm`: 500 resumable reports, each dropped at two random points and resumed at
//!   once (with Redis: on the other instance, so every resume reads Redis), 50 at a
//!   time: bytes lost (goal 0), duplicate generations (goal 0), resume latency p50/p99
//!   (GET sent → first event read).
//! - `stop`: 100 times, Stop after 3 events → the fake model sees its connection close;
//!   p50/p99, beside today's Stop (a report without `report_id`: dropping the response).
//! - `throughput`: one unpaced 100k-token report, median of 3 runs of each: without
//!   `report_id` (today), with it (the in-memory log), with it and Redis (the log
//!   mirrored); tokens/s and the ratio to today.
//!
//! `cargo bench --features ssr --bench resume_storm [-- storm stop throughput]`; without
//! `/usr/bin/redis-server` the Redis rows are left out. It asserts nothing and every
//! part is bounded in count and time.

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use auditstream::protocol::ReportEvent;
use serde_json::json;
use support::{
    EventReader, Lcg, TestApp, client,
    cluster::{start_instance, start_redis},
    fake_model::{FakeModel, Script, Step, openai_delta, openai_finish},
};

const WAIT: Duration = Duration::from_secs(30);
const STORM: usize = 500;
const AT_ONCE: usize = 50;
const STORM_TOKENS: usize = 120;

fn vars(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AUDITSTREAM_PROVIDER", "openai".into()),
        ("AUDITSTREAM_BASE_URL", base.into()),
        ("AUDITSTREAM_MODEL", "m".into()),
        ("AUDITSTREAM_HISTORY", "off".into()),
        ("AUDITSTREAM_MAX_STREAMS", "100000".into()),
        ("AUDITSTREAM_RATE_PER_MINUTE", "0".into()),
        ("AUDITSTREAM_VERIFY_FINDINGS", "off".into()),
        ("AUDITSTREAM_ANALYZER_GUIDES", "off".into()),
        ("AUDITSTREAM_MAX_DURATION_SECS", "600".into()),
        ("AUDITSTREAM_STALL_TIMEOUT_SECS", "600".into()),
    ]
}

/// One instance (`redis` `None`) or two sharing a Redis; requests alternate over them.
struct Deployment {
    apps: Vec<TestApp>,
}

async fn deploy(fake: &FakeModel, redis: Option<u16>) -> Deployment {
    let base = format!("{}/v1", fake.base_url());
    let mut v = vars(&base);
    let n = match redis {
        Some(port) => {
            v.push((
                "AUDITSTREAM_REDIS_URL",
                format!("redis://127.0.0.1:{port}/0"),
            ));
            2
        }
        None => 1,
    };
    let v: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut apps = Vec::new();
    for _ in 0..n {
        apps.push(start_instance(&v).await);
    }
    Deployment { apps }
}

impl Deployment {
    fn addr(&self, i: usize) -> SocketAddr {
        self.apps[i % self.apps.len()].addr
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn piece(i: usize) -> String {
    format!("tok{i} é🔥 ")
}

fn paced(n: usize, every: Duration, finish: bool) -> Script {
    let mut steps = Vec::new();
    for i in 0..n {
        steps.push(Step::Send(openai_delta(&piece(i))));
        steps.push(Step::Pause(every));
    }
    steps.push(if finish {
        Step::Send(openai_finish("stop", n as u64))
    } else {
        Step::Hang
    });
    Script::stream("text/event-stream", steps)
}

/// Reads up to `n` events into (text, last id, ended); a snapshot replaces the text.
async fn read(
    resp: reqwest::Response,
    n: u64,
    text: &mut String,
    last: &mut u64,
    first: Option<Instant>,
    latency: &mut Vec<Duration>,
) -> bool {
    let mut events = EventReader::new(resp);
    for i in 0..n {
        let Some(ev) = events.next(WAIT).await else {
            return false;
        };
        if i == 0
            && let Some(t) = first
        {
            latency.push(t.elapsed());
        }
        *last = ev.id.parse().unwrap();
        match ev.event {
            ReportEvent::Token(t) => text.push_str(&t.text),
            ReportEvent::Snapshot(s) => *text = s.text,
            e if e.is_terminal() => return true,
            _ => {}
        }
    }
    false
}

/// One report of the storm: dropped twice, resumed at once; (bytes lost, latencies).
async fn one_report(d: &Deployment, i: usize) -> (usize, Vec<Duration>) {
    let mut rng = Lcg(i as u64 + 1);
    let id = uuid::Uuid::new_v4().to_string();
    let (mut text, mut last, mut lat) = (String::new(), 0u64, Vec::new());
    let resp = client()
        .post(format!("http://{}/api/report", d.addr(i)))
        .json(&json!({"contract": "contract A {}", "report_id": id}))
        .send()
        .await
        .unwrap();
    let mut ended = read(
        resp,
        2 + rng.below(50),
        &mut text,
        &mut last,
        None,
        &mut lat,
    )
    .await;
    let mut hop = i + 1;
    let mut drops = 0;
    while !ended {
        drops += 1;
        let n = if drops >= 2 {
            u64::MAX
        } else {
            1 + rng.below(60)
        };
        let sent = Instant::now();
        let resp = client()
            .get(format!("http://{}/api/reports/{id}/events", d.addr(hop)))
            .header("last-event-id", last.to_string())
            .send()
            .await
            .unwrap();
        hop += 1;
        ended = read(resp, n, &mut text, &mut last, Some(sent), &mut lat).await;
    }
    let want: String = (0..STORM_TOKENS).map(piece).collect();
    (
        want.len().abs_diff(text.len()) + usize::from(text != want),
        lat,
    )
}

async fn storm(label: &str, redis: Option<u16>) {
    let fake = FakeModel::start(paced(STORM_TOKENS, Duration::from_millis(1), true)).await;
    let d = Arc::new(deploy(&fake, redis).await);
    let started = Instant::now();
    let mut lost = 0;
    let mut latency = Vec::new();
    for batch in (0..STORM).collect::<Vec<_>>().chunks(AT_ONCE) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|&i| {
                let d = d.clone();
                tokio::spawn(async move { one_report(&d, i).await })
            })
            .collect();
        for t in tasks {
            let (l, lat) = tokio::time::timeout(WAIT, t).await.unwrap().unwrap();
            lost += l;
            latency.extend(lat);
        }
    }
    latency.sort();
    let duplicates = fake.received().len().saturating_sub(STORM);
    println!(
        "storm {label}: {STORM} reports, {} resumes in {:.1} s; bytes lost {lost}; duplicate generations {duplicates}; resume latency p50 {} p99 {}",
        latency.len(),
        started.elapsed().as_secs_f64(),
        ms(percentile(&latency, 0.5)),
        ms(percentile(&latency, 0.99)),
    );
}

async fn stop(label: &str, redis: Option<u16>, resumable: bool) {
    let fake = FakeModel::start(paced(5, Duration::ZERO, false)).await;
    let d = deploy(&fake, redis).await;
    let mut waits = Vec::new();
    for i in 0..100 {
        let id = uuid::Uuid::new_v4().to_string();
        let body = if resumable {
            json!({"contract": "contract A {}", "report_id": id})
        } else {
            json!({"contract": "contract A {}"})
        };
        let resp = client()
            .post(format!("http://{}/api/report", d.addr(i)))
            .json(&body)
            .send()
            .await
            .unwrap();
        let mut events = EventReader::new(resp);
        for _ in 0..3 {
            events.next(WAIT).await.unwrap();
        }
        let sent = Instant::now();
        if resumable {
            // Stop on the other instance when there are two.
            let r = client()
                .post(format!("http://{}/api/reports/{id}/stop", d.addr(i + 1)))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 204);
        } else {
            drop(events);
        }
        let closed = fake.hang_up(WAIT, |_| true).await.expect("model closed");
        waits.push(closed.saturating_duration_since(sent));
    }
    waits.sort();
    println!(
        "stop {label}: Stop to model close p50 {} p99 {} (100 reports)",
        ms(percentile(&waits, 0.5)),
        ms(percentile(&waits, 0.99)),
    );
}

async fn throughput_once(d: &Deployment, tokens: usize, resumable: bool) -> f64 {
    let mut body = json!({"contract": "contract A {}"});
    if resumable {
        body["report_id"] = json!(uuid::Uuid::new_v4().to_string());
    }
    let started = Instant::now();
    let resp = client()
        .post(format!("http://{}/api/report", d.addr(0)))
        .json(&body)
        .send()
        .await
        .unwrap();
    let mut events = EventReader::new(resp);
    // The text as a reader builds it: a reader the log left behind gets one snapshot of
    // the text so far instead of the tokens it missed (the model is not slowed down for
    // it), so the text, not the count of token events, is what must come out whole.
    let mut text = String::new();
    while let Some(ev) = events.next(WAIT).await {
        match ev.event {
            ReportEvent::Token(t) => text.push_str(&t.text),
            ReportEvent::Snapshot(s) => text = s.text,
            _ => {}
        }
    }
    let expected: String = (0..tokens).map(|i| format!("w{i} ")).collect();
    assert!(
        text == expected,
        "the text is not whole ({} of {} bytes)",
        text.len(),
        expected.len()
    );
    tokens as f64 / started.elapsed().as_secs_f64()
}

async fn throughput(redis: Option<u16>) {
    const TOKENS: usize = 100_000;
    // 100 tokens a write, as a fast model's bursts arrive.
    let mut steps = Vec::new();
    for chunk in 0..TOKENS / 100 {
        let bytes: Vec<u8> = (0..100)
            .flat_map(|i| openai_delta(&format!("w{} ", chunk * 100 + i)))
            .collect();
        steps.push(Step::Send(bytes));
    }
    steps.push(Step::Send(openai_finish("stop", TOKENS as u64)));
    let fake = FakeModel::start(Script::stream("text/event-stream", steps)).await;
    let plain = deploy(&fake, None).await;
    let shared = match redis {
        Some(port) => Some(deploy(&fake, Some(port)).await),
        None => None,
    };
    let (mut today, mut memory, mut mirrored) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        today.push(throughput_once(&plain, TOKENS, false).await);
        memory.push(throughput_once(&plain, TOKENS, true).await);
        if let Some(s) = &shared {
            mirrored.push(throughput_once(s, TOKENS, true).await);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let (t, m, r) = (
        median(&mut today),
        median(&mut memory),
        median(&mut mirrored),
    );
    println!("throughput today (no report_id): {:.0}k tok/s", t / 1e3);
    println!(
        "throughput in-memory log: {:.0}k tok/s ({:.0}% of today)",
        m / 1e3,
        100.0 * m / t
    );
    if redis.is_some() {
        println!(
            "throughput Redis log: {:.0}k tok/s ({:.0}% of today)",
            r / 1e3,
            100.0 * r / t
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |s: &str| args.is_empty() || args.iter().any(|a| a == s);
    let redis = if std::path::Path::new("/usr/bin/redis-server").is_file() {
        start_redis().await
    } else {
        println!("no /usr/bin/redis-server: the Redis rows are left out");
        None
    };
    let port = redis.as_ref().map(|r| r.port);
    let watchdog = tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(600)).await;
        eprintln!("the resume bench ran past 600 s; stopping");
        std::process::exit(1);
    });
    if wants("storm") {
        storm("in-memory, 1 instance", None).await;
        if port.is_some() {
            storm("Redis, 2 instances, every resume on the other", port).await;
        }
    }
    if wants("stop") {
        stop("today (drop the response, no report_id)", None, false).await;
        stop("in-memory (POST stop)", None, true).await;
        if port.is_some() {
            stop("Redis (POST stop on the other instance)", port, true).await;
        }
    }
    if wants("throughput") {
        throughput(port).await;
    }
    watchdog.abort();
}
