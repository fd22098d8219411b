//! What one complete event-stream line means (WHATWG HTML "Interpreting an event stream"):
//! blank line → dispatch, `:` → comment, otherwise a field. Kept apart from the line
//! splitter so each half can be read against its part of the spec.
//!
//! Lines arrive as raw bytes and are matched at the byte level. That is exact: `:`, space,
//! NUL, digits and the field names are ASCII, and the WHATWG UTF-8 decoder never hides an
//! ASCII byte inside U+FFFD, so byte matching sees what matching the decoded text would.

use super::Event;
use std::mem;

/// The per-stream buffers of the spec, plus the reconnection time and the bound on
/// one event's data.
#[derive(Clone, Debug)]
pub(super) struct Interpreter {
    data: String,
    /// The most `data` one event may carry, in bytes (joining LFs included).
    max_data: usize,
    /// This block's data outgrew `max_data`: its data is dropped until the blank line.
    dropping: bool,
    /// An event was dropped since the decoder last asked.
    dropped: bool,
    event_type: String,
    /// The spec's "last event ID buffer": updated by every valid `id` field.
    id_buffer: String,
    /// The event source's "last event ID string": `id_buffer` as of the last dispatch.
    last_id: String,
    retry: Option<u64>,
}

impl Interpreter {
    pub(super) fn new(max_data: usize) -> Self {
        Self {
            data: String::new(),
            max_data,
            dropping: false,
            dropped: false,
            event_type: String::new(),
            id_buffer: String::new(),
            last_id: String::new(),
            retry: None,
        }
    }

    #[cfg(test)]
    pub(super) fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Whether an event was dropped for its size since the last call.
    pub(super) fn take_dropped(&mut self) -> bool {
        std::mem::take(&mut self.dropped)
    }

    pub(super) fn retry(&self) -> Option<u64> {
        self.retry
    }

    pub(super) fn last_event_id(&self) -> &str {
        &self.last_id
    }

    /// Interprets one complete line, without its line end.
    pub(super) fn line(&mut self, line: &[u8], out: &mut Vec<Event>) {
        match line.first() {
            None => self.dispatch(out),
            Some(b':') => {}
            Some(_) => {
                let (name, value) = match line.iter().position(|&b| b == b':') {
                    Some(colon) => {
                        let value = &line[colon + 1..];
                        (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
                    }
                    None => (line, &[][..]),
                };
                self.field(name, value);
            }
        }
    }

    fn field(&mut self, name: &[u8], value: &[u8]) {
        match name {
            b"event" => {
                self.event_type.clear();
                push_lossy(&mut self.event_type, value);
            }
            b"data" if self.dropping => {}
            b"data" if self.data.len() + value.len() > self.max_data => {
                // Memory stays bounded: the whole event is given up, not truncated.
                self.dropping = true;
                self.dropped = true;
                self.data = String::new();
            }
            b"data" => {
                push_lossy(&mut self.data, value);
                self.data.push('\n');
            }
            b"id" if !value.contains(&0) => {
                self.id_buffer.clear();
                push_lossy(&mut self.id_buffer, value);
            }
            b"retry" => {
                if let Some(millis) = parse_retry(value) {
                    self.retry = Some(millis);
                }
            }
            _ => {}
        }
    }

    /// The spec's "dispatch the event" steps, run at a blank line.
    pub(super) fn dispatch(&mut self, out: &mut Vec<Event>) {
        self.last_id.clone_from(&self.id_buffer);
        if std::mem::take(&mut self.dropping) || self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        if self.data.ends_with('\n') {
            self.data.pop();
        }
        let event = if self.event_type.is_empty() {
            "message".to_owned()
        } else {
            mem::take(&mut self.event_type)
        };
        out.push(Event {
            event,
            data: mem::take(&mut self.data),
            id: self.id_buffer.clone(),
        });
    }
}

/// Appends `bytes` decoded as UTF-8 with replacement; no allocation when they are valid.
fn push_lossy(buf: &mut String, bytes: &[u8]) {
    buf.push_str(&String::from_utf8_lossy(bytes));
}

/// A `retry` value: ASCII digits only, at least one; base ten, saturating at `u64::MAX`.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0u64, |acc, &digit| {
        acc.saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}
