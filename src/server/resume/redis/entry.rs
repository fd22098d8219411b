//! How a report's events sit in Redis, and what a reader on another instance is owed
//! from what it read there. Pure (no IO): the mirror writes with these names and ids, the
//! remote reader decodes with them, and the tests run without a Redis.
//!
//! One report's keys share the hash tag `{id}`. Its Redis Stream holds one entry per
//! event, with the stream id `0-<event id>`, so `XRANGE`/`XREAD` after `Last-Event-ID: n`
//! start at exactly `0-n`; its fields are the event's SSE name (`n`) and JSON data
//! (`d`). A report refused before its first event holds one entry `0-1` with the refusal
//! (`r`: status, code, message) instead.

use axum::http::StatusCode;

use super::super::log::{Log, Owed};
use crate::{
    protocol::{FindingCheck, ReportEvent},
    server::error::ApiError,
};

/// The channel every instance listens on for Stop; the message is the report id.
pub const STOP_CHANNEL: &str = "auditstream:stop";

/// The names of one report's keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// The stream of events (`0-<event id>`), trimmed to the log size.
    pub events: String,
    /// Every token's text so far, appended with the events (a snapshot's text).
    pub text: String,
    /// Every finding so far, one JSON value per list item (a snapshot's findings).
    pub findings: String,
    /// The `meta` event's data: a snapshot for a reader with nothing starts with it.
    pub meta: String,
    /// The instance that produces the report (`SET NX`): one generation per id.
    pub owner: String,
    /// A Stop that came before the report's request (`SET` with expiry).
    pub stop: String,
    /// Refreshed by every reader on an instance that does not produce the report, with
    /// the grace period as expiry: the producer's grace timer counts it as a reader.
    pub read: String,
}

impl Keys {
    pub fn of(report_id: &str) -> Self {
        let key = |what: &str| format!("auditstream:{{{report_id}}}:{what}");
        Self {
            events: key("events"),
            text: key("text"),
            findings: key("findings"),
            meta: key("meta"),
            owner: key("owner"),
            stop: key("stop"),
            read: key("read"),
        }
    }

    /// The keys that make up the log, which expire together.
    pub fn log(&self) -> [&str; 4] {
        [&self.events, &self.text, &self.findings, &self.meta]
    }
}

/// The stream id of event `id`.
pub fn stream_id(id: u64) -> String {
    format!("0-{id}")
}

/// One stream entry, decoded.
#[derive(Clone, Debug)]
pub enum Entry {
    Event(u64, ReportEvent),
    /// The report will not start: every reader gets this answer.
    Refused(ApiError),
}

/// An entry this version did not write.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a report stream entry {id} that is not ours: {why}")]
pub struct EntryError {
    pub id: String,
    pub why: String,
}

/// The fields of the entry for `event`.
pub fn event_fields(event: &ReportEvent) -> [(&'static str, String); 2] {
    [("n", event.name().to_owned()), ("d", event.data_json())]
}

/// The fields of the refusal entry.
pub fn refusal_fields(e: &ApiError) -> [(&'static str, String); 1] {
    let json =
        serde_json::json!({"status": e.status.as_u16(), "code": e.code, "message": e.message});
    [("r", json.to_string())]
}

/// Decodes the entry `id` with its flat `field, value, …` list.
pub fn decode(id: &str, fields: &[String]) -> Result<Entry, EntryError> {
    let bad = |why: String| EntryError {
        id: id.to_owned(),
        why,
    };
    let event_id = id
        .strip_prefix("0-")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| bad("the id is not 0-<event id>".into()))?;
    let field = |name: &str| {
        fields
            .chunks_exact(2)
            .find(|kv| kv[0] == name)
            .map(|kv| kv[1].as_str())
    };
    if let Some(refusal) = field("r") {
        return refusal_of(refusal)
            .map(Entry::Refused)
            .ok_or_else(|| bad("a bad refusal".into()));
    }
    let (Some(name), Some(data)) = (field("n"), field("d")) else {
        return Err(bad("no n and d fields".into()));
    };
    ReportEvent::from_sse(name, data)
        .map(|e| Entry::Event(event_id, e))
        .map_err(|e| bad(e.to_string()))
}

/// The refusal as written by `refusal_fields`; its code is one of the refusals a
/// producer answers with, or `upstream_error`.
fn refusal_of(json: &str) -> Option<ApiError> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let status = StatusCode::from_u16(u16::try_from(v["status"].as_u64()?).ok()?).ok()?;
    let code = v["code"].as_str()?;
    let code = KNOWN_CODES
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("upstream_error");
    Some(ApiError::new(status, code, v["message"].as_str()?))
}

/// The codes a report can be refused with once its producer runs (docs/protocol.md).
const KNOWN_CODES: &[&str] = &[
    "upstream_unreachable",
    "upstream_rejected",
    "upstream_timeout",
    "invalid_model",
    "report_stopped",
    "report_id_taken",
    "history_unavailable",
    "busy",
    "internal",
];

/// What a reader at `after` is owed from the entries a read after it returned (all of
/// them after `after`, in order): those events, when the first is the next one (or
/// there are none); `None` when the stream was trimmed past the reader, who is owed a
/// snapshot (`snapshot`) instead.
pub fn owed_from_entries(after: u64, events: Vec<(u64, ReportEvent)>) -> Option<Owed> {
    if events.first().is_some_and(|(id, _)| *id != after + 1) {
        return None;
    }
    let ended = events.last().is_some_and(|(_, e)| e.is_terminal());
    Some(Owed { events, ended })
}

/// What a reader at `after` is owed when the stream no longer holds its next event:
/// from the report's `meta`, text and findings and its newest event, read together.
pub fn snapshot(
    after: u64,
    meta: Option<ReportEvent>,
    text: String,
    findings: Vec<FindingCheck>,
    last: (u64, ReportEvent),
) -> Owed {
    Log::restored(meta.map(|m| (1, m)), text, findings, last).owed(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Done, Meta, Token};

    fn token(s: &str) -> ReportEvent {
        ReportEvent::Token(Token { text: s.into() })
    }

    fn flat(fields: &[(&'static str, String)]) -> Vec<String> {
        fields
            .iter()
            .flat_map(|(k, v)| [k.to_string(), v.clone()])
            .collect()
    }

    #[test]
    fn an_event_round_trips_through_its_entry_and_id() {
        let meta = ReportEvent::Meta(Meta {
            report_id: "r".into(),
            provider: "p".into(),
            model: "m".into(),
            fallbacks: Vec::new(),
            resume: None,
        });
        let done = ReportEvent::Done(Done {
            finish_reason: "stop".into(),
            output_tokens: Some(3),
            ttft_ms: None,
            duration_ms: 9,
            tokens_per_sec: None,
        });
        for (id, ev) in [(1, meta), (2, token("é\r\n🔥\"x\"")), (77, done)] {
            let entry = decode(&stream_id(id), &flat(&event_fields(&ev))).unwrap();
            assert!(matches!(entry, Entry::Event(i, e) if i == id && e == ev));
        }
        assert!(decode("5-1", &flat(&event_fields(&token("a")))).is_err());
        assert!(decode("0-1", &["x".into(), "y".into()]).is_err());
    }

    #[test]
    fn a_refusal_keeps_its_status_code_and_message() {
        let e = ApiError::new(StatusCode::BAD_GATEWAY, "upstream_rejected", "bad key");
        let Entry::Refused(back) = decode("0-1", &flat(&refusal_fields(&e))).unwrap() else {
            panic!("a refusal")
        };
        assert_eq!(
            (back.status, back.code, back.message),
            (e.status, e.code, e.message)
        );
    }

    #[test]
    fn entries_that_skip_the_readers_next_event_mean_a_snapshot() {
        let events = |ids: &[u64]| ids.iter().map(|i| (*i, token("t"))).collect::<Vec<_>>();
        assert_eq!(
            owed_from_entries(4, events(&[5, 6])).unwrap().events.len(),
            2
        );
        assert_eq!(owed_from_entries(4, Vec::new()), Some(Owed::default()));
        assert!(owed_from_entries(4, events(&[6, 7])).is_none());
        let owed = snapshot(2, None, "abc".into(), Vec::new(), (9, token("c")));
        assert_eq!(owed.events.len(), 1);
        assert!(matches!(&owed.events[0], (9, ReportEvent::Snapshot(s)) if s.text == "abc"));
    }

    #[test]
    fn keys_share_the_reports_hash_tag() {
        let k = Keys::of("0f8f");
        assert_eq!(k.events, "auditstream:{0f8f}:events");
        assert!(k.log().iter().all(|key| key.contains("{0f8f}")));
    }
}
