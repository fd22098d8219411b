//! `ReportDecoder` over a response body: the thin `Stream` adapter with which the tests
//! and the benchmarks read `POST /api/report` from a reqwest byte stream. Server side
//! only (it needs `futures-util`); the browser feeds the decoder from its own reader.

use futures_util::{Stream, StreamExt};

use super::{DecodedEvent, ReportDecoder, StreamDecodeError};

/// Why a response body could not be read as our event stream.
#[derive(Debug, thiserror::Error)]
pub enum BodyError<E> {
    /// The transport failed (connection reset, body read error).
    #[error("the body broke: {0}")]
    Body(E),
    #[error(transparent)]
    Decode(#[from] StreamDecodeError),
    /// Events came after the terminal `done`/`error`, which docs/protocol.md rules out.
    #[error("{0} event(s) after the terminal event")]
    AfterEnd(usize),
}

/// Decodes `body` chunk by chunk: each item holds the events that one chunk of bytes
/// completed (often none, e.g. for a `: ping` or a split event), so a reader still sees
/// when each chunk arrived. It ends with the body. Strict where the decoder is lenient:
/// an event after the terminal one is an error here, since this reads our own server.
pub fn decode_body<S, B, E>(
    body: S,
) -> impl Stream<Item = Result<Vec<DecodedEvent>, BodyError<E>>> + Send
where
    S: Stream<Item = Result<B, E>> + Send,
    B: AsRef<[u8]>,
{
    let mut decoder = ReportDecoder::new();
    body.map(move |chunk| {
        let chunk = chunk.map_err(BodyError::Body)?;
        let events = decoder.push(chunk.as_ref())?;
        match decoder.after_end() {
            0 => Ok(events),
            n => Err(BodyError::AfterEnd(n)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ReportEvent, Token};

    #[tokio::test]
    async fn chunks_become_their_completed_events_and_body_errors_pass_through() {
        let chunks: Vec<Result<&[u8], &str>> = vec![
            Ok(b"id: 1\nevent: token\ndata: {\"te"),
            Ok(b"xt\":\"a\"}\n\n: ping\n\n"),
            Err("reset"),
        ];
        let got: Vec<_> = decode_body(futures_util::stream::iter(chunks))
            .collect()
            .await;
        assert_eq!(got.len(), 3);
        assert!(got[0].as_ref().unwrap().is_empty());
        let second = got[1].as_ref().unwrap();
        assert_eq!(
            second,
            &[DecodedEvent {
                id: "1".into(),
                event: ReportEvent::Token(Token { text: "a".into() }),
            }]
        );
        assert!(matches!(got[2], Err(BodyError::Body("reset"))));
    }

    #[tokio::test]
    async fn an_event_after_the_terminal_one_is_an_error() {
        let body = "event: done\ndata: {\"finish_reason\":\"stop\",\"duration_ms\":1}\n\n\
                    event: token\ndata: {\"text\":\"late\"}\n\n";
        let chunks = [Ok::<_, ()>(body.as_bytes())];
        let got: Vec<_> = decode_body(futures_util::stream::iter(chunks))
            .collect()
            .await;
        assert!(matches!(got[..], [Err(BodyError::AfterEnd(1))]));
    }
}
