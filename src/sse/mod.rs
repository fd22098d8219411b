//! One Server-Sent-Events decoder for both ends: the relay parses model streams with it
//! and the browser (wasm32) parses our own stream with it, so the two can never disagree
//! about what an event stream means. It is a pure state machine (bytes in, events out, no
//! IO) that follows the WHATWG HTML "Interpreting an event stream" section to the letter;
//! the only leniency, [`Decoder::finish`], is opt-in and documented.
//!
//! This file splits bytes into lines (BOM, CR / LF / CRLF across chunk boundaries, line
//! length limit); `interpret.rs` gives each line its meaning (fields, dispatch).

mod interpret;
#[cfg(test)]
mod tests;

use interpret::Interpreter;

/// One dispatched event, as an `EventSource` would deliver it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The event type: the last `event` field of the block, or `"message"` when none (or an
    /// empty one) was given.
    pub event: String,
    /// The `data` lines of the block joined with `\n`.
    pub data: String,
    /// The last event ID buffer at dispatch: the most recent valid `id` field of the stream,
    /// which persists across events until another `id` field replaces it.
    pub id: String,
}

/// Why [`Decoder::try_push`] rejected its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A line (without its line end) was longer than the decoder's limit. It is discarded
    /// up to its line end; decoding goes on after it.
    #[error("an event-stream line exceeded {max} bytes")]
    LineTooLong {
        /// The limit in bytes, as given to [`Decoder::with_max_line`].
        max: usize,
    },
    /// One event's `data` (its data lines joined) grew past the decoder's event limit.
    /// The whole event is dropped at its blank line; decoding goes on after it.
    #[error("an event-stream event's data exceeded {max} bytes")]
    EventTooLarge {
        /// The limit in bytes, as given to [`Decoder::with_limits`].
        max: usize,
    },
}

/// The default line limit: 1 MiB.
///
/// The longest legitimate line is a single `data:` line carrying one JSON frame. Token
/// deltas are tiny (the recorded OpenAI, Anthropic and Vercel streams in
/// `testdata/streams` stay under 2.4 KB per line), but some providers send a whole
/// message, tool-call arguments or a compaction summary in one frame, which can reach
/// hundreds of KB for a long report. 1 MiB leaves a wide margin for that while capping what
/// a misbehaving upstream can make one stream buffer (256 concurrent streams × 1 MiB).
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

/// The default limit on one event's data: 4 MiB, four maximum lines.
///
/// WHATWG sets no limit, but without one an upstream that sends `data:` lines and never
/// a blank line grows memory without end.
pub const DEFAULT_MAX_EVENT: usize = 4 << 20;

/// The UTF-8 byte order mark, stripped once at stream start.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// After a long line, a line buffer bigger than this is freed rather than kept for reuse.
const RETAIN_CAPACITY: usize = 64 * 1024;

/// A WHATWG event-stream decoder: feed it byte chunks split anywhere (inside a UTF-8
/// character, between CR and LF, inside the BOM), get back the events they complete.
///
/// Invalid UTF-8 becomes U+FFFD, exactly as the WHATWG "UTF-8 decode" would do on the whole
/// stream. Memory: the unterminated line is buffered, never beyond the line limit; complete
/// lines inside a chunk are interpreted in place without copying. The `data` of an event
/// that has not been dispatched yet is not bounded here (WHATWG has no such limit); callers
/// bound a stream by time and size.
#[derive(Clone, Debug)]
pub struct Decoder {
    max_line: usize,
    max_event: usize,
    /// The current unterminated line. Never holds CR or LF, never more than `max_line`
    /// bytes, and never rescanned: each pushed byte is searched for a line end only once.
    line: Vec<u8>,
    /// `Some(n)` while at stream start: `n` bytes of a BOM seen and held back.
    bom: Option<usize>,
    /// The last byte seen was a CR, so an LF at the start of the next chunk ends nothing.
    after_cr: bool,
    /// Inside an over-long line: drop bytes up to the next line end.
    skipping: bool,
    fields: Interpreter,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder at stream start with the limits [`DEFAULT_MAX_LINE`] and
    /// [`DEFAULT_MAX_EVENT`].
    pub fn new() -> Self {
        Self::with_limits(DEFAULT_MAX_LINE, DEFAULT_MAX_EVENT)
    }

    /// A decoder at stream start whose lines (without their line end) may be at most
    /// `max_bytes` long. A line of exactly `max_bytes` is accepted.
    pub fn with_max_line(max_bytes: usize) -> Self {
        Self::with_limits(max_bytes, DEFAULT_MAX_EVENT.max(max_bytes))
    }

    /// A decoder with both limits: `max_line` bytes per line (without its line end) and
    /// `max_event` bytes of data per event (data lines joined with LF). An event of
    /// exactly `max_event` bytes is accepted.
    pub fn with_limits(max_line: usize, max_event: usize) -> Self {
        Self {
            max_line,
            max_event,
            line: Vec::new(),
            bom: Some(0),
            after_cr: false,
            skipping: false,
            fields: Interpreter::new(max_event),
        }
    }

    /// Decodes the next chunk and returns the events it completed, in order.
    ///
    /// Strictly WHATWG: an event is dispatched only by its terminating blank line, so an
    /// unterminated final block stays pending (see [`Decoder::finish`]). A line longer than
    /// the limit is silently discarded up to its line end, and decoding continues.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        self.feed(chunk, &mut out);
        self.fields.take_dropped();
        out
    }

    /// Like [`Decoder::push`], but reports an over-long line.
    ///
    /// The chunk is always decoded in full, exactly as `push` would, so the decoder's state
    /// afterwards is the same either way: the over-long line is skipped up to its line end
    /// (in this chunk or a later one) and the decoder stays usable. On `Err`, the events this
    /// chunk completed, before and after the long line, are dropped with the error; a caller
    /// that needs them should use `push`. Each over-long line is reported once, by the call
    /// whose chunk holds its first byte past the limit.
    ///
    /// An event whose data outgrows the event limit is reported the same way, by the call
    /// whose chunk carried it past the limit ([`DecodeError::EventTooLarge`]).
    pub fn try_push(&mut self, chunk: &[u8]) -> Result<Vec<Event>, DecodeError> {
        let mut out = Vec::new();
        let line_too_long = self.feed(chunk, &mut out);
        let event_too_large = self.fields.take_dropped();
        if line_too_long {
            return Err(DecodeError::LineTooLong { max: self.max_line });
        }
        if event_too_large {
            return Err(DecodeError::EventTooLarge {
                max: self.max_event,
            });
        }
        Ok(out)
    }

    /// Ends the input. A deliberate leniency for upstream model streams, NOT part of WHATWG.
    ///
    /// A buffered unterminated last line is treated as a complete line, then the pending
    /// block is dispatched as if a blank line had followed. Returns `None` when that
    /// dispatches nothing. Reason: recorded Anthropic streams end with
    /// `data: {"type":"message_stop"}` and no blank line, or even no newline; the caller
    /// judges completeness from the JSON. A strict WHATWG consumer simply never calls this.
    ///
    /// Afterwards the decoder is at the start of a new stream (a leading BOM is stripped
    /// again); [`Decoder::last_event_id`] and [`Decoder::retry`] are kept, as a browser
    /// keeps them across a reconnect.
    pub fn finish(&mut self) -> Option<Event> {
        let mut out = Vec::new();
        if let Some(held) = self.bom.take() {
            self.feed_lines(&BOM[..held], &mut out);
        }
        if !self.skipping && !self.line.is_empty() {
            self.fields.line(&self.line, &mut out);
        }
        self.fields.dispatch(&mut out);
        self.clear_line();
        self.bom = Some(0);
        self.after_cr = false;
        self.skipping = false;
        debug_assert!(out.len() <= 1, "one block dispatches at most one event");
        out.pop()
    }

    /// The reconnection time in milliseconds from the last valid `retry` field, if any.
    ///
    /// Valid means ASCII digits only (leading zeros allowed). A value beyond `u64::MAX` is
    /// still valid per WHATWG ("interpret as an integer in base ten") and saturates to
    /// `u64::MAX`, which callers read as "don't reconnect soon".
    pub fn retry(&self) -> Option<u64> {
        self.fields.retry()
    }

    /// The event source's "last event ID string": the last event ID buffer as it was at the
    /// most recent blank line (the dispatch point, even when that block had no data). An
    /// `id` field in a block that has not ended yet does not count: its event was never
    /// delivered, so it must not be sent back as `Last-Event-ID` on reconnect.
    pub fn last_event_id(&self) -> &str {
        self.fields.last_event_id()
    }

    /// Bytes held for the unterminated line (held-back BOM bytes, at most 2, not counted).
    #[cfg(test)]
    pub(crate) fn buffered_len(&self) -> usize {
        self.line.len()
    }

    /// Bytes of data held for the pending event.
    #[cfg(test)]
    pub(crate) fn fields_data_len(&self) -> usize {
        self.fields.data_len()
    }

    /// Capacity of the unterminated-line buffer.
    #[cfg(test)]
    pub(crate) fn buffered_capacity(&self) -> usize {
        self.line.capacity()
    }

    /// Decodes `chunk` into `out`; returns whether an over-long line began overflowing here.
    fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<Event>) -> bool {
        let mut too_long = false;
        if let Some(mut held) = self.bom {
            while let Some((&byte, rest)) = chunk.split_first() {
                if byte != BOM[held] {
                    // Not a BOM after all: the held-back bytes are ordinary line content.
                    self.bom = None;
                    too_long |= self.feed_lines(&BOM[..held], out);
                    break;
                }
                chunk = rest;
                held += 1;
                if held == BOM.len() {
                    self.bom = None;
                    break;
                }
            }
            if self.bom.is_some() {
                self.bom = Some(held);
                return false;
            }
        }
        too_long | self.feed_lines(chunk, out)
    }

    /// Splits `chunk` into lines and interprets the complete ones; buffers the rest.
    fn feed_lines(&mut self, mut chunk: &[u8], out: &mut Vec<Event>) -> bool {
        let mut too_long = false;
        while !chunk.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if chunk[0] == b'\n' {
                    chunk = &chunk[1..];
                    continue;
                }
            }
            let Some(end) = find_line_end(chunk) else {
                if !self.skipping {
                    if self.line.len() + chunk.len() > self.max_line {
                        too_long = true;
                        self.skipping = true;
                        self.clear_line();
                    } else {
                        self.append(chunk);
                    }
                }
                break;
            };
            let part = &chunk[..end];
            if self.skipping {
                self.skipping = false;
            } else if self.line.len() + part.len() > self.max_line {
                too_long = true;
                self.clear_line();
            } else if self.line.is_empty() {
                self.fields.line(part, out);
            } else {
                self.append(part);
                self.fields.line(&self.line, out);
                self.clear_line();
            }
            self.after_cr = chunk[end] == b'\r';
            chunk = &chunk[end + 1..];
        }
        too_long
    }

    /// Appends to the line buffer, growing its capacity no further than `max_line`. The
    /// caller has checked that the result fits.
    fn append(&mut self, bytes: &[u8]) {
        let needed = self.line.len() + bytes.len();
        if needed > self.line.capacity() {
            let target = needed.max(self.line.capacity() * 2).min(self.max_line);
            self.line.reserve_exact(target - self.line.len());
        }
        self.line.extend_from_slice(bytes);
    }

    fn clear_line(&mut self) {
        self.line.clear();
        if self.line.capacity() > RETAIN_CAPACITY {
            self.line = Vec::new();
        }
    }
}

/// Index of the first CR or LF. Tests 16-byte blocks without early exit, which the
/// compiler turns into SIMD compares, then locates the byte inside the hit block.
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 16;
    let is_end = |b: &u8| *b == b'\r' || *b == b'\n';
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut start = 0;
    for block in &mut blocks {
        if block.iter().fold(false, |hit, b| hit | is_end(b)) {
            return block.iter().position(is_end).map(|i| start + i);
        }
        start += BLOCK;
    }
    blocks
        .remainder()
        .iter()
        .position(is_end)
        .map(|i| start + i)
}
