//! A resumable report as the resume tests drive it: the fake model's report in pieces
//! (multi-byte characters included), the three requests of a resumable report (its POST
//! with `report_id`, `GET …/events` with `Last-Event-ID`, Stop), and a reader that keeps
//! its text as a browser would (tokens appended, a snapshot replacing it). One instance
//! (`tests/resume.rs`) and two behind nginx (`tests/resume_redis.rs`) use the same.

use std::{net::SocketAddr, time::Duration};

use auditstream::protocol::{DecodedEvent, ReportEvent};
use serde_json::json;

use super::{
    EventReader, client,
    fake_model::{Script, Step, openai_delta, openai_finish},
};

pub const SSE: &str = "text/event-stream";
/// How long a reader waits for its next event.
const WAIT: Duration = Duration::from_secs(10);

/// The pieces of the report the fake model writes, multi-byte characters included.
pub fn pieces(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 4 {
            0 => format!("## Part {i}\n"),
            1 => format!("Ré-entrancy — {i} "),
            2 => format!("🔥 `withdraw({i})`"),
            _ => "\r\n\"q\"\n".to_owned(),
        })
        .collect()
}

/// Each piece as its own chunk, `every` apart, then the finish (or a hang).
pub fn paced(pieces: &[String], every: Duration, finish: bool) -> Script {
    let mut steps = Vec::new();
    for p in pieces {
        steps.push(Step::Send(openai_delta(p)));
        steps.push(Step::Pause(every));
    }
    steps.push(if finish {
        Step::Send(openai_finish("stop", pieces.len() as u64))
    } else {
        Step::Hang
    });
    Script::stream(SSE, steps)
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `POST /api/report` with `report_id`, and `Last-Event-ID` when given.
pub async fn post(addr: SocketAddr, id: &str, after: Option<u64>) -> reqwest::Response {
    let mut req = client()
        .post(format!("http://{addr}/api/report"))
        .json(&json!({"contract": "contract A {}", "report_id": id}));
    if let Some(after) = after {
        req = req.header("last-event-id", after.to_string());
    }
    req.send().await.unwrap()
}

/// `GET /api/reports/{id}/events` with `Last-Event-ID: after`.
pub async fn resume(addr: SocketAddr, id: &str, after: u64) -> reqwest::Response {
    client()
        .get(format!("http://{addr}/api/reports/{id}/events"))
        .header("last-event-id", after.to_string())
        .send()
        .await
        .unwrap()
}

pub async fn stop(addr: SocketAddr, id: &str) -> reqwest::Response {
    client()
        .post(format!("http://{addr}/api/reports/{id}/stop"))
        .send()
        .await
        .unwrap()
}

/// What a reader holds: its text (tokens appended, a snapshot replacing it) and the
/// last event id it saw.
#[derive(Default)]
pub struct Reader {
    pub text: String,
    pub last_id: u64,
    pub terminal: Option<ReportEvent>,
    pub snapshots: usize,
}

impl Reader {
    pub fn take(&mut self, ev: DecodedEvent) {
        let id: u64 = ev.id.parse().expect("numeric ids");
        assert!(id > self.last_id, "event {id} after {}", self.last_id);
        self.last_id = id;
        match ev.event {
            ReportEvent::Token(t) => self.text.push_str(&t.text),
            ReportEvent::Snapshot(s) => {
                self.snapshots += 1;
                self.text = s.text;
            }
            e if e.is_terminal() => self.terminal = Some(e),
            _ => {}
        }
    }

    /// Reads up to `n` events (all, when `None`) of `resp`, then drops the connection.
    pub async fn read(&mut self, resp: reqwest::Response, n: Option<u64>) {
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], SSE);
        let mut events = EventReader::new(resp);
        let mut read = 0;
        while n.is_none_or(|n| read < n) {
            let Some(ev) = events.next(WAIT).await else {
                break;
            };
            self.take(ev);
            read += 1;
            if self.terminal.is_some() {
                break;
            }
        }
    }
}
