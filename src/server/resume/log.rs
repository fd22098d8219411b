//! One report's log of events, kept so a reader that lost its connection can come back
//! (docs/protocol.md "Resume"). Pure: events in, what a reader at a given event id is
//! owed out. Bounded: only the most recent events are kept, with the whole text and
//! the findings so far, so a reader whose missed events are gone gets one `snapshot`.

use std::collections::VecDeque;

use crate::protocol::{FindingCheck, ReportEvent, Snapshot};

/// The events of one report, the most recent `capacity` of them.
#[derive(Debug)]
pub struct Log {
    capacity: usize,
    /// The report's first event, kept whatever the capacity: a reader starting from
    /// nothing needs it.
    meta: Option<(u64, ReportEvent)>,
    events: VecDeque<(u64, ReportEvent)>,
    /// Every token's text so far, and every finding: what a snapshot carries.
    text: String,
    findings: Vec<FindingCheck>,
    last_id: u64,
    ended: bool,
}

/// What a reader that has seen every event up to `after` is owed now.
#[derive(Debug, Default, PartialEq)]
pub struct Owed {
    pub events: Vec<(u64, ReportEvent)>,
    /// True when `events` ends with (or the reader already had) the terminal event.
    pub ended: bool,
}

impl Log {
    /// An empty log keeping at most `capacity` events (at least 2: the first and the last).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(2),
            meta: None,
            events: VecDeque::new(),
            text: String::new(),
            findings: Vec::new(),
            last_id: 0,
            ended: false,
        }
    }

    /// Appends the event `id` (ids count up from 1, one by one); the oldest beyond the
    /// capacity are dropped. Nothing is appended after the terminal event.
    pub fn push(&mut self, id: u64, event: ReportEvent) {
        debug_assert_eq!(id, self.last_id + 1, "event ids count up one by one");
        if self.ended {
            return;
        }
        match &event {
            ReportEvent::Meta(_) if self.meta.is_none() => {
                self.meta = Some((id, event.clone()));
            }
            ReportEvent::Token(t) => self.text.push_str(&t.text),
            ReportEvent::Finding(f) => self.findings.push(f.clone()),
            _ => {}
        }
        self.ended = event.is_terminal();
        self.last_id = id;
        self.events.push_back((id, event));
        while self.events.len() > self.capacity {
            self.events.pop_front();
        }
    }

    /// A log rebuilt from what another instance kept of it (`resume::redis`): its `meta`,
    /// the text and findings through `last`, and `last`, its newest event. What it owes
    /// a reader is what the whole log would: the events after `last - 1`, or a snapshot.
    pub fn restored(
        meta: Option<(u64, ReportEvent)>,
        text: String,
        findings: Vec<FindingCheck>,
        last: (u64, ReportEvent),
    ) -> Self {
        Self {
            capacity: 2,
            meta,
            text,
            findings,
            last_id: last.0,
            ended: last.1.is_terminal(),
            events: VecDeque::from([last]),
        }
    }

    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// The events a reader that has seen everything up to `after` has missed: the ones
    /// after it, when the log still holds the next one; otherwise (the `meta` event first
    /// if it had nothing) one `snapshot` standing for every event up to the last
    /// non-terminal one, with that event's id, then the terminal event if there is one.
    pub fn owed(&self, after: u64) -> Owed {
        let first_kept = self.events.front().map_or(self.last_id + 1, |(id, _)| *id);
        if after + 1 >= first_kept {
            // Ids count up one by one, so the first owed event is found by its position,
            // not by a scan: a reader keeping up costs what it is owed, not the log's size.
            let skip = usize::try_from(after + 1 - first_kept).unwrap_or(usize::MAX);
            return Owed {
                events: self.events.iter().skip(skip).cloned().collect(),
                ended: self.ended,
            };
        }
        let mut events = Vec::new();
        if after == 0 {
            events.extend(self.meta.clone());
        }
        let through = if self.ended {
            self.last_id - 1
        } else {
            self.last_id
        };
        events.push((
            through,
            ReportEvent::Snapshot(Snapshot {
                text: self.text.clone(),
                findings: self.findings.clone(),
            }),
        ));
        if self.ended {
            events.extend(self.events.back().cloned());
        }
        Owed {
            events,
            ended: self.ended,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Done, Meta, Token};

    fn meta() -> ReportEvent {
        ReportEvent::Meta(Meta {
            report_id: "r".into(),
            provider: "p".into(),
            model: "m".into(),
            fallbacks: Vec::new(),
            resume: None,
        })
    }

    fn token(s: &str) -> ReportEvent {
        ReportEvent::Token(Token { text: s.into() })
    }

    fn done() -> ReportEvent {
        ReportEvent::Done(Done {
            finish_reason: "stop".into(),
            output_tokens: None,
            ttft_ms: None,
            duration_ms: 1,
            tokens_per_sec: None,
        })
    }

    /// meta, then tokens "t2".."tN" (ids 2..=n), then done when `end`.
    fn log(capacity: usize, n: u64, end: bool) -> Log {
        let mut log = Log::new(capacity);
        log.push(1, meta());
        for id in 2..=n {
            log.push(id, token(&format!("t{id}")));
        }
        if end {
            log.push(n + 1, done());
        }
        log
    }

    fn ids(owed: &Owed) -> Vec<u64> {
        owed.events.iter().map(|(id, _)| *id).collect()
    }

    /// The text a reader ends with: tokens appended, a snapshot replacing it.
    fn text_after(mut text: String, owed: &Owed) -> String {
        for (_, ev) in &owed.events {
            match ev {
                ReportEvent::Token(t) => text.push_str(&t.text),
                ReportEvent::Snapshot(s) => text.clone_from(&s.text),
                _ => {}
            }
        }
        text
    }

    fn text_through(id: u64) -> String {
        (2..=id).map(|i| format!("t{i}")).collect()
    }

    #[test]
    fn a_reader_inside_the_window_gets_exactly_what_it_missed() {
        let log = log(100, 10, false);
        assert_eq!(ids(&log.owed(0)), (1..=10).collect::<Vec<_>>());
        assert_eq!(ids(&log.owed(4)), [5, 6, 7, 8, 9, 10]);
        assert_eq!(log.owed(10), Owed::default());
        assert!(!log.owed(3).ended);
    }

    #[test]
    fn the_window_edge_one_id_older_is_a_snapshot() {
        // Capacity 4 over ids 1..=10 keeps 7..=10: a reader at 6 still gets events,
        // one at 5 gets the text so far.
        let log = log(4, 10, false);
        assert_eq!(ids(&log.owed(6)), [7, 8, 9, 10]);
        let owed = log.owed(5);
        assert_eq!(ids(&owed), [10]);
        assert!(matches!(owed.events[0].1, ReportEvent::Snapshot(_)));
        assert_eq!(text_after(text_through(5), &owed), text_through(10));
    }

    #[test]
    fn a_reader_with_nothing_gets_meta_first_then_the_snapshot() {
        let log = log(3, 10, false);
        let owed = log.owed(0);
        assert_eq!(ids(&owed), [1, 10]);
        assert_eq!(owed.events[0].1, meta());
        assert_eq!(text_after(String::new(), &owed), text_through(10));
    }

    #[test]
    fn a_finished_report_replays_and_ends_with_its_terminal_event() {
        let log = log(2, 10, true);
        let owed = log.owed(3);
        assert_eq!(ids(&owed), [10, 11]);
        assert!(owed.ended);
        assert_eq!(owed.events[1].1, done());
        assert_eq!(text_after(text_through(3), &owed), text_through(10));
        // One that had everything but the end gets the end.
        assert_eq!(ids(&log.owed(10)), [11]);
        let all = log.owed(11);
        assert!(all.events.is_empty() && all.ended);
    }

    #[test]
    fn every_resume_point_and_capacity_ends_with_the_whole_text() {
        for capacity in 2..8 {
            for end in [false, true] {
                let log = log(capacity, 12, end);
                for after in 0..=12 {
                    let owed = log.owed(after);
                    let had = text_through(after.max(1));
                    assert_eq!(
                        text_after(had, &owed),
                        text_through(12),
                        "capacity {capacity}, after {after}"
                    );
                    let ids = ids(&owed);
                    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
                    assert!(ids.iter().all(|id| *id > after), "{ids:?} after {after}");
                }
            }
        }
    }

    #[test]
    fn a_restored_log_owes_what_the_whole_log_owes_outside_its_window() {
        for end in [false, true] {
            let whole = log(2, 12, end);
            let last_id = if end { 13 } else { 12 };
            let last = whole.events.back().cloned().unwrap();
            let restored = Log::restored(
                whole.meta.clone(),
                text_through(12),
                Vec::new(),
                last.clone(),
            );
            // Below the whole log's window of two, both owe the same snapshot.
            for after in 0..last_id - 2 {
                assert_eq!(restored.owed(after), whole.owed(after), "after {after}");
            }
            assert_eq!(restored.owed(last_id - 1).events, vec![last]);
        }
    }

    #[test]
    fn nothing_is_kept_after_the_terminal_event() {
        let mut log = log(10, 3, true);
        log.push(5, token("late"));
        let owed = log.owed(4);
        assert!(owed.events.is_empty() && owed.ended);
        assert!(log.is_ended());
    }
}
