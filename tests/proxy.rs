//! Reports must stream through what sits between the server and the browser: a real
//! nginx with its default `proxy_buffering on` (our `X-Accel-Buffering: no` turns it
//! off per response), and the router's own compression layer, which must never touch
//! `text/event-stream`.

mod support;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use auditstream::protocol::{ReportEvent, decode_body};
use futures_util::StreamExt;
use serde_json::json;
use support::{
    client,
    cluster::{Process, start_nginx_with},
    settings, start_app,
};

const WAIT: Duration = Duration::from_secs(20);

/// A contract the builtin analyzer writes a short report for: about 30 tokens, a few
/// KB of events, so a buffering proxy holds all of it in one buffer.
const CONTRACT: &str = "pragma solidity 0.8.20;\ncontract A {}\n";

/// nginx in front of `app` with every proxy setting at nginx's default, or `None` (after
/// saying so) when nginx is not installed and this is not CI.
async fn start_nginx(app: SocketAddr) -> Option<Process> {
    start_nginx_with(|port| {
        format!(
            r#"  server {{
    listen 127.0.0.1:{port};
    # Every proxy setting is nginx's default: proxy_buffering on, HTTP/1.0 upstream.
    location / {{
      proxy_pass http://{app};
    }}
    # The control: the same proxy told to ignore our X-Accel-Buffering header.
    location /buffered/ {{
      proxy_pass http://{app}/;
      proxy_ignore_headers X-Accel-Buffering;
    }}
  }}
"#
        )
    })
    .await
}

/// How a report arrived: when each read came and whether it held a token.
struct Arrival {
    /// Offset from the request of every read that held at least one token.
    token_reads: Vec<Duration>,
    done_at: Duration,
}

async fn receive(url: &str) -> Arrival {
    let t0 = Instant::now();
    let resp = client()
        .post(url)
        .json(&json!({"contract": CONTRACT, "filename": "W.sol"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{url}");
    let mut body = Box::pin(decode_body(resp.bytes_stream()));
    let mut token_reads = Vec::new();
    let read = async {
        while let Some(events) = body.next().await {
            let events = events.unwrap();
            if events
                .iter()
                .any(|e| matches!(e.event, ReportEvent::Token(_)))
            {
                token_reads.push(t0.elapsed());
            }
            if events
                .iter()
                .any(|e| matches!(e.event, ReportEvent::Done(_)))
            {
                return t0.elapsed();
            }
        }
        panic!("the stream ended without done");
    };
    let done_at = tokio::time::timeout(WAIT, read)
        .await
        .expect("done in time");
    Arrival {
        token_reads,
        done_at,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_stream_incrementally_through_a_buffering_nginx() {
    let app = start_app(settings(&[("AUDITSTREAM_BUILTIN_PACE_MS", "20")])).await;
    let Some(nginx) = start_nginx(app.addr).await else {
        return;
    };
    let base = format!("http://127.0.0.1:{}", nginx.port);

    let a = receive(&format!("{base}/api/report")).await;
    let first = a.token_reads[0];
    let spread = *a.token_reads.last().unwrap() - first;
    eprintln!(
        "through nginx: {} reads with tokens, first after {first:?}, done after {:?}",
        a.token_reads.len(),
        a.done_at
    );
    assert!(
        a.done_at > Duration::from_millis(500),
        "the report took only {:?}",
        a.done_at
    );
    assert!(
        first < a.done_at / 4,
        "the first token came after {first:?}, the end after {:?}",
        a.done_at
    );
    assert!(
        a.token_reads.len() >= 15,
        "tokens came in only {} reads",
        a.token_reads.len()
    );
    assert!(
        spread > a.done_at / 2,
        "token reads spread over only {spread:?}"
    );

    // The control shows the test can tell: with the header ignored, nginx buffers.
    let b = receive(&format!("{base}/buffered/api/report")).await;
    eprintln!(
        "through nginx ignoring X-Accel-Buffering: {} reads with tokens, first after {:?}, done after {:?}",
        b.token_reads.len(),
        b.token_reads[0],
        b.done_at
    );
    assert!(
        b.token_reads[0] > b.done_at * 3 / 4 && b.token_reads.len() <= 3,
        "the control did not buffer, so the check above proves nothing"
    );
}

#[tokio::test]
async fn compression_never_touches_the_event_stream() {
    let app = start_app(settings(&[("AUDITSTREAM_BUILTIN_PACE_MS", "0")])).await;
    let r = client()
        .post(format!("http://{}/api/report", app.addr))
        .header("accept-encoding", "gzip")
        .json(&json!({"contract": CONTRACT}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert!(
        r.headers().get("content-encoding").is_none(),
        "{:?}",
        r.headers()
    );
    let text = r.text().await.unwrap();
    assert!(text.contains("event: done"), "the stream is readable as is");

    // The layer is there: other answers are compressed when asked.
    let r = client()
        .get(format!("http://{}/metrics", app.addr))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
}
