//! The model's body, decoded: raw bytes (from `http.rs`) framed as server-sent events
//! (the shared `sse::Decoder`) or NDJSON lines, each handed to the provider's pure parser,
//! and the parser's frames handed on to the relay. One stage, one direction: bytes in,
//! frames out. A body that ends before the provider's terminator is `Truncated`.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};

use super::{
    EventParser, Frame, FrameResult, FrameStream, LineParser, MalformedCount, Parser, StreamFailure,
};
use crate::{server::config::Limits, sse};

/// One parser result as items to yield, and whether the stream is over (a `Finish`
/// or an error ends it).
fn flatten(result: FrameResult) -> (Vec<Result<Frame, StreamFailure>>, bool) {
    match result {
        Err(e) => (vec![Err(StreamFailure::Upstream(e))], true),
        Ok(frames) => {
            let done = frames.iter().any(|f| matches!(f, Frame::Finish(_)));
            (frames.into_iter().map(Ok).collect(), done)
        }
    }
}

/// A response body through the provider's parser, however the body is framed.
pub fn frames<B>(
    bytes: B,
    parser: Parser,
    limits: &Limits,
    malformed: MalformedCount,
) -> FrameStream
where
    B: Stream<Item = Result<Bytes, StreamFailure>> + Send + 'static,
{
    match parser {
        Parser::Events(p) => sse_frames(bytes, p, limits, malformed),
        Parser::Lines(p) => ndjson_frames(bytes, p, limits, malformed),
    }
}

/// An SSE response body through the shared decoder and `parser`.
fn sse_frames<B>(
    bytes: B,
    mut parser: Box<dyn EventParser>,
    limits: &Limits,
    malformed: MalformedCount,
) -> FrameStream
where
    B: Stream<Item = Result<Bytes, StreamFailure>> + Send + 'static,
{
    // One knob bounds both: a model's events are single data lines.
    let mut decoder = sse::Decoder::with_limits(limits.max_line_bytes, limits.max_line_bytes);
    Box::pin(async_stream::stream! {
        futures_util::pin_mut!(bytes);
        loop {
            let (events, at_end) = match bytes.next().await {
                Some(Ok(chunk)) => match decoder.try_push(&chunk) {
                    Ok(events) => (events, false),
                    Err(sse::DecodeError::LineTooLong { max } | sse::DecodeError::EventTooLarge { max }) => {
                        yield Err(StreamFailure::TooLarge { max });
                        return;
                    }
                },
                Some(Err(failure)) => { yield Err(failure); return; }
                // End of body: a final block without its blank line still counts,
                // because the parser only finishes on the provider's real terminator.
                None => (decoder.finish().into_iter().collect::<Vec<_>>(), true),
            };
            for event in &events {
                let result = parser.on_event(event);
                malformed.set(parser.malformed());
                let (items, done) = flatten(result);
                for item in items { yield item; }
                if done { return; }
            }
            if at_end {
                yield Err(StreamFailure::Truncated);
                return;
            }
        }
    })
}

/// An NDJSON response body, line by line under the line limit, through `parser`.
fn ndjson_frames<B>(
    bytes: B,
    mut parser: Box<dyn LineParser>,
    limits: &Limits,
    malformed: MalformedCount,
) -> FrameStream
where
    B: Stream<Item = Result<Bytes, StreamFailure>> + Send + 'static,
{
    let max = limits.max_line_bytes;
    let bytes = Box::pin(bytes);
    // The codec needs io::Error; a stall or disconnect is carried inside one and
    // unwrapped again below.
    let reader = tokio_util::io::StreamReader::new(
        bytes.map(|r| r.map_err(|f| std::io::Error::other(FailureCarrier(f)))),
    );
    let mut lines = FramedRead::new(reader, LinesCodec::new_with_max_length(max));
    Box::pin(async_stream::stream! {
        loop {
            match lines.next().await {
                Some(Ok(line)) => {
                    let result = parser.on_line(&line);
                    malformed.set(parser.malformed());
                    let (items, done) = flatten(result);
                    for item in items { yield item; }
                    if done { return; }
                }
                Some(Err(LinesCodecError::MaxLineLengthExceeded)) => {
                    yield Err(StreamFailure::TooLarge { max });
                    return;
                }
                Some(Err(LinesCodecError::Io(e))) => {
                    let failure = match e.into_inner().map(|b| b.downcast::<FailureCarrier>()) {
                        Some(Ok(carrier)) => carrier.0,
                        Some(Err(other)) => StreamFailure::Disconnected(other.to_string()),
                        None => StreamFailure::Disconnected("read failed".into()),
                    };
                    yield Err(failure);
                    return;
                }
                None => { yield Err(StreamFailure::Truncated); return; }
            }
        }
    })
}

/// Carries a `StreamFailure` through `std::io::Error`.
#[derive(Debug)]
struct FailureCarrier(StreamFailure);

impl std::fmt::Display for FailureCarrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for FailureCarrier {}
