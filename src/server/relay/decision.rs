//! The relay's decisions, as plain functions the `stream!` loop calls: what each thing
//! it waited for becomes (a token to send, or the terminal event and the outcome to
//! record), and how the `done` figures are computed. No IO, no clocks read here.

use std::time::Duration;

use crate::{
    protocol::{Done, ReportEvent, StreamError, StreamErrorCode},
    server::{
        metrics::Outcome,
        providers::{Finish, Frame, StreamFailure},
    },
};

/// What the relay loop waited for and got.
pub(super) enum Next {
    /// The provider's next frame, or the end of its stream.
    Frame(Option<Result<Frame, StreamFailure>>),
    /// The whole-report deadline passed.
    Deadline,
    /// A shutdown began and its grace period is over.
    Shutdown,
    /// Stop for a report with its own id (`POST /api/reports/{id}/stop`).
    Stopped,
    /// No one read a report with its own id for this grace period.
    Unread(Duration),
}

/// What the stream has done so far, as the decisions need it.
#[derive(Clone, Copy, Debug)]
pub(super) struct StreamProgress {
    pub tokens: u64,
    /// From the request to the first token.
    pub ttft: Option<Duration>,
    /// From the request to now.
    pub elapsed: Duration,
    /// `AUDITSTREAM_MAX_DURATION_SECS`.
    pub max_duration: Duration,
}

/// What to do next.
#[derive(Debug, PartialEq)]
pub(super) enum Decision {
    /// Send this text as a `token` event and keep going.
    Token(String),
    /// Send this terminal event and stop; record the outcome with this message.
    End {
        event: ReportEvent,
        outcome: Outcome,
        message: String,
    },
}

/// The one place that maps what arrived to what the client sees.
pub(super) fn decide(next: Next, p: StreamProgress) -> Decision {
    let (code, message) = match next {
        Next::Frame(Some(Ok(Frame::Delta(text)))) => return Decision::Token(text),
        // A terminator without a finish reason: cut off, never done.
        Next::Frame(Some(Ok(Frame::Finish(Finish { reason: None, .. })))) => {
            stream_error(&StreamFailure::NoFinishReason)
        }
        Next::Frame(Some(Ok(Frame::Finish(Finish {
            reason: Some(reason),
            output_tokens,
            tokens_per_sec: provider_speed,
        })))) => {
            let message = format!("finished: {reason}");
            let output_tokens = output_tokens.or(Some(p.tokens));
            let generating = p.ttft.and_then(|t| p.elapsed.checked_sub(t));
            let done = Done {
                finish_reason: reason,
                tokens_per_sec: provider_speed
                    .or_else(|| tokens_per_sec(output_tokens?, generating?)),
                output_tokens,
                ttft_ms: p.ttft.map(millis),
                duration_ms: millis(p.elapsed),
            };
            return Decision::End {
                event: ReportEvent::Done(done),
                outcome: Outcome::Done,
                message,
            };
        }
        Next::Frame(Some(Err(failure))) => stream_error(&failure),
        // Providers always end with a Finish or an error; an end without either is a
        // truncation, never a success.
        Next::Frame(None) => (
            StreamErrorCode::Truncated,
            StreamFailure::Truncated.to_string(),
        ),
        Next::Deadline => (
            StreamErrorCode::Timeout,
            format!(
                "the report ran past the limit of {} s",
                p.max_duration.as_secs_f64()
            ),
        ),
        Next::Shutdown => (
            StreamErrorCode::Shutdown,
            "the server is shutting down; generate the report again in a moment".to_owned(),
        ),
        Next::Stopped => return stopped("the report was stopped".to_owned(), p),
        Next::Unread(grace) => {
            let message = format!(
                "no one read the report for {} s, so it was stopped",
                grace.as_secs_f64()
            );
            return stopped(message, p);
        }
    };
    Decision::End {
        event: ReportEvent::Error(StreamError {
            code,
            message: message.clone(),
            partial: p.tokens > 0,
        }),
        outcome: Outcome::Failed(code),
        message,
    }
}

/// A report stopped on purpose: counted and kept as `stopped`; its readers (if any are
/// left) get a `cancelled` error so they know not to come back.
fn stopped(message: String, p: StreamProgress) -> Decision {
    Decision::End {
        event: ReportEvent::Error(StreamError {
            code: StreamErrorCode::Cancelled,
            message: message.clone(),
            partial: p.tokens > 0,
        }),
        outcome: Outcome::Stopped,
        message,
    }
}

/// The error code a mid-stream failure is reported with, and its message.
fn stream_error(failure: &StreamFailure) -> (StreamErrorCode, String) {
    let code = match failure {
        StreamFailure::Upstream(_) | StreamFailure::TooLarge { .. } => {
            StreamErrorCode::UpstreamError
        }
        StreamFailure::Stalled(_) => StreamErrorCode::Stalled,
        StreamFailure::Truncated
        | StreamFailure::NoFinishReason
        | StreamFailure::Disconnected(_) => StreamErrorCode::Truncated,
    };
    (code, failure.to_string())
}

/// Tokens per second over the generation time, to one decimal; none for a burst too
/// short to measure.
fn tokens_per_sec(tokens: u64, generating: Duration) -> Option<f64> {
    let secs = generating.as_secs_f64();
    (tokens > 1 && secs >= 0.001).then(|| (tokens as f64 / secs * 10.0).round() / 10.0)
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::providers::UpstreamError;

    fn progress(tokens: u64) -> StreamProgress {
        StreamProgress {
            tokens,
            ttft: Some(Duration::from_millis(500)),
            elapsed: Duration::from_millis(2500),
            max_duration: Duration::from_secs(600),
        }
    }

    fn error_of(d: Decision) -> (StreamError, Outcome) {
        match d {
            Decision::End {
                event: ReportEvent::Error(e),
                outcome,
                message,
            } => {
                assert_eq!(e.message, message, "the log says what the client sees");
                (e, outcome)
            }
            other => panic!("not an error: {other:?}"),
        }
    }

    #[test]
    fn a_delta_is_a_token() {
        let d = decide(Next::Frame(Some(Ok(Frame::Delta("x".into())))), progress(0));
        assert_eq!(d, Decision::Token("x".into()));
    }

    #[test]
    fn a_finish_is_done_with_its_figures_filled_in() {
        let finish = Finish {
            reason: Some("stop".into()),
            output_tokens: None,
            tokens_per_sec: None,
        };
        let d = decide(Next::Frame(Some(Ok(Frame::Finish(finish)))), progress(41));
        let Decision::End {
            event: ReportEvent::Done(done),
            outcome,
            ..
        } = d
        else {
            panic!("not done: {d:?}");
        };
        assert_eq!(outcome, Outcome::Done);
        assert_eq!(
            (done.output_tokens, done.ttft_ms, done.duration_ms),
            (Some(41), Some(500), 2500)
        );
        // 41 tokens over the 2 s after the first one.
        assert_eq!(done.tokens_per_sec, Some(20.5));
    }

    #[test]
    fn the_providers_own_figures_win() {
        let finish = Finish {
            reason: Some("length".into()),
            output_tokens: Some(7),
            tokens_per_sec: Some(99.0),
        };
        let d = decide(Next::Frame(Some(Ok(Frame::Finish(finish)))), progress(3));
        let Decision::End {
            event: ReportEvent::Done(done),
            ..
        } = d
        else {
            panic!("not done");
        };
        assert_eq!(
            (
                done.finish_reason.as_str(),
                done.output_tokens,
                done.tokens_per_sec
            ),
            ("length", Some(7), Some(99.0))
        );
    }

    #[test]
    fn every_other_end_is_an_error_with_its_code_and_partial_flag() {
        let upstream = StreamFailure::Upstream(UpstreamError::new(None, Some("boom".into())));
        let cases = [
            (Next::Frame(None), 0, StreamErrorCode::Truncated, false),
            (Next::Frame(None), 2, StreamErrorCode::Truncated, true),
            (
                Next::Frame(Some(Err(upstream))),
                1,
                StreamErrorCode::UpstreamError,
                true,
            ),
            (
                Next::Frame(Some(Err(StreamFailure::TooLarge { max: 8 }))),
                0,
                StreamErrorCode::UpstreamError,
                false,
            ),
            (
                Next::Frame(Some(Err(StreamFailure::Stalled(Duration::from_secs(1))))),
                0,
                StreamErrorCode::Stalled,
                false,
            ),
            (
                Next::Frame(Some(Err(StreamFailure::Disconnected("reset".into())))),
                0,
                StreamErrorCode::Truncated,
                false,
            ),
            (Next::Deadline, 5, StreamErrorCode::Timeout, true),
            (Next::Shutdown, 0, StreamErrorCode::Shutdown, false),
        ];
        for (next, tokens, code, partial) in cases {
            let (e, outcome) = error_of(decide(next, progress(tokens)));
            assert_eq!((e.code, e.partial), (code, partial), "{}", e.message);
            assert_eq!(outcome, Outcome::Failed(code));
        }
    }

    #[test]
    fn a_terminator_without_a_finish_reason_is_truncated_never_done() {
        // What llama-cpp-python sends when another request interrupts a report: usage
        // may be there, the reason is not.
        let cut = Finish {
            reason: None,
            output_tokens: Some(12),
            tokens_per_sec: None,
        };
        for tokens in [0, 12] {
            let d = decide(
                Next::Frame(Some(Ok(Frame::Finish(cut.clone())))),
                progress(tokens),
            );
            let (e, outcome) = error_of(d);
            assert_eq!(
                (e.code, e.partial, outcome),
                (
                    StreamErrorCode::Truncated,
                    tokens > 0,
                    Outcome::Failed(StreamErrorCode::Truncated)
                )
            );
            assert!(
                e.message.contains("without a finish reason"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn stop_and_an_unread_report_are_stopped_with_a_cancelled_event() {
        for (next, message) in [
            (Next::Stopped, "the report was stopped"),
            (
                Next::Unread(Duration::from_millis(1500)),
                "no one read the report for 1.5 s, so it was stopped",
            ),
        ] {
            let Decision::End {
                event: ReportEvent::Error(e),
                outcome,
                message: logged,
            } = decide(next, progress(3))
            else {
                panic!("not an end");
            };
            assert_eq!(outcome, Outcome::Stopped);
            assert_eq!((e.code, e.partial), (StreamErrorCode::Cancelled, true));
            assert_eq!((e.message.as_str(), logged.as_str()), (message, message));
        }
    }

    #[test]
    fn a_timeout_names_its_limit() {
        let (e, _) = error_of(decide(Next::Deadline, progress(0)));
        assert_eq!(e.message, "the report ran past the limit of 600 s");
    }

    #[test]
    fn speed_needs_two_tokens_and_a_measurable_time() {
        assert_eq!(tokens_per_sec(1, Duration::from_secs(1)), None);
        assert_eq!(tokens_per_sec(10, Duration::from_micros(10)), None);
        assert_eq!(tokens_per_sec(3, Duration::from_secs(2)), Some(1.5));
    }
}
