//! The relay under pressure, over real loopback TCP: a client that stops reading must
//! stop the model (backpressure, nothing buffered in the server), and hundreds of
//! streams aborted at random points must leave no model connection and no stream open.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use support::{
    EventReader, Lcg, client,
    fake_model::{FakeModel, Script, Step, openai_delta as delta, openai_finish},
    metric, start_openai_app,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(10);
const MB: u64 = 1 << 20;

/// Samples `value` until it has not changed for `quiet`, or panics after `limit`.
async fn settles(limit: Duration, quiet: Duration, value: impl Fn() -> u64) -> u64 {
    let deadline = Instant::now() + limit;
    let mut last = (value(), Instant::now());
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = value();
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() >= quiet {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "still moving after {limit:?}: {now}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_stops_the_model_and_nothing_piles_up() {
    // 40 MB of 1 KB deltas, then the terminator. The kernel's own socket buffers between
    // the model, the server and the client grow with autotuning (about 5 MB here, 10 MB
    // on a busy run), so the bound below sits well above them.
    let offered = 40 * MB;
    let piece = delta(&"x".repeat(1000));
    let times = (offered / piece.len() as u64) as usize;
    let steps = vec![Step::Repeat(piece, times), Step::Hang];
    let fake =
        FakeModel::start_with(Script::stream("text/event-stream", steps), Some(64 * 1024)).await;
    let app = start_openai_app(&fake, &[]).await;

    // A raw client with a small receive window, so only the server can buffer.
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(64 * 1024).unwrap();
    let mut conn = sock.connect(app.addr).await.unwrap();
    let body = r#"{"contract":"contract A {}"}"#;
    let req = format!(
        "POST /api/report HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        app.addr,
        body.len()
    );
    conn.write_all(req.as_bytes()).await.unwrap();
    let mut read = 0u64;
    read_some(&mut conn, 256 * 1024, &mut read).await;

    // The client stops reading: the model's writes must block soon after.
    let t0 = Instant::now();
    let stalled_at = settles(WAIT, Duration::from_millis(600), || fake.bytes_written()).await;
    let in_flight = stalled_at - read;
    eprintln!(
        "backpressure: model wrote {:.1} MB, client read {:.1} MB, {:.1} MB in between (settled in {:?})",
        stalled_at as f64 / MB as f64,
        read as f64 / MB as f64,
        in_flight as f64 / MB as f64,
        t0.elapsed()
    );
    assert!(
        stalled_at < offered / 2,
        "the model wrote {stalled_at} of {offered} bytes to a client that read {read}"
    );

    // Reading again lets the model go on: it was held back, not broken.
    read_some(&mut conn, in_flight + 2 * MB, &mut read).await;
    assert!(
        fake.bytes_written() > stalled_at,
        "the model did not resume"
    );
    drop(conn);
    fake.wait_for(WAIT, "the model connection to close", |open, closed| {
        open == 0 && closed == 1
    })
    .await;
}

/// Reads `upto` more bytes from `conn`, adding them to `read`.
async fn read_some(conn: &mut tokio::net::TcpStream, upto: u64, read: &mut u64) {
    let mut buf = vec![0u8; 16 * 1024];
    let target = *read + upto;
    while *read < target {
        let n = tokio::time::timeout(WAIT, conn.read(&mut buf))
            .await
            .expect("bytes in time")
            .unwrap();
        assert!(n > 0, "the stream ended after {read} bytes");
        *read += n as u64;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abort_storm_leaves_no_model_connection_and_no_open_stream() {
    const STREAMS: u64 = 300;
    const TOKENS: u64 = 40;
    let mut steps = Vec::new();
    for i in 0..TOKENS {
        steps.push(Step::Send(delta(&format!("t{i} "))));
        steps.push(Step::Pause(Duration::from_millis(2)));
    }
    steps.push(Step::Send(openai_finish("stop", TOKENS)));
    let fake = FakeModel::start(Script::stream("text/event-stream", steps)).await;
    let app = start_openai_app(
        &fake,
        &[
            ("AUDITSTREAM_RATE_PER_MINUTE", "0"),
            ("AUDITSTREAM_MAX_STREAMS", "1000"),
        ],
    )
    .await;
    let mut rng = Lcg(0x5eed_2024);
    // Where each stream is abandoned: during the request, or after some events
    // (more events than a report has means it is read to the end).
    let plan: Vec<(bool, u64)> = (0..STREAMS)
        .map(|_| (rng.below(5) == 0, rng.below(TOKENS + 4)))
        .collect();
    let url = format!("http://{}/api/report", app.addr);
    let started = Instant::now();
    let outcomes: Vec<bool> = futures_util::stream::iter(plan)
        .map(|(early, n)| {
            let url = url.clone();
            async move {
                let send = client().post(&url).json(&json!({"contract": "c"})).send();
                if early {
                    // Gone after `n` ms, whether or not the answer has come.
                    let _ = tokio::time::timeout(Duration::from_millis(n), send).await;
                    return false;
                }
                let resp = send.await.unwrap();
                if resp.status() != 200 {
                    let status = resp.status();
                    panic!("{status}: {}", resp.text().await.unwrap_or_default());
                }
                let mut reader = EventReader::new(resp);
                for _ in 0..n {
                    if reader.next(WAIT).await.is_none() {
                        break;
                    }
                }
                true
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    let streamed = outcomes.iter().filter(|s| **s).count() as f64;
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the storm took {:?}",
        started.elapsed()
    );

    fake.wait_for(WAIT, "every model connection to close", |open, _| open == 0)
        .await;
    app.wait_metric(WAIT, "auditstream_active_streams", 0.0)
        .await;
    let m = app.metrics().await;
    let ended: f64 = [
        "done",
        "stopped",
        "truncated",
        "stalled",
        "timeout",
        "upstream_error",
        "shutdown",
        "internal",
    ]
    .iter()
    .map(|o| metric(&m, &format!("auditstream_reports_total{{outcome=\"{o}\"}}")).unwrap())
    .sum();
    assert!(
        ended >= streamed && ended <= STREAMS as f64,
        "{ended} streams recorded, {streamed} seen by clients:\n{m}"
    );
    for o in ["done", "stopped"] {
        let n = metric(&m, &format!("auditstream_reports_total{{outcome=\"{o}\"}}")).unwrap();
        assert!(
            n > 0.0,
            "no stream ended {o}; the storm missed a case:\n{m}"
        );
    }
    for o in [
        "truncated",
        "stalled",
        "timeout",
        "upstream_error",
        "internal",
    ] {
        let n = metric(&m, &format!("auditstream_reports_total{{outcome=\"{o}\"}}")).unwrap();
        assert_eq!(n, 0.0, "a healthy model produced {o}");
    }
}
