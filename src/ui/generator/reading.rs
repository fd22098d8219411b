//! The page's reading of one report across lost connections. A report with its own id
//! is read on after a network error, a stream that closed early or one that went
//! silent for three keep-alives: after the backoff (`client::reconnect`), from the last
//! event the page has, so its text ends byte for byte as one unbroken stream's would.
//! Never after Stop, `done`, `error`, a refusal or "nothing to resume", nor before the
//! report's `meta` said it can be read on. A report without an id is one stream, as
//! before.

use std::cell::Cell;

use web_sys::AbortSignal;

use crate::{
    client::{
        ClientError, Open,
        reconnect::{self, DEFAULT_RETRY, backoff, watchdog},
        stream_report,
    },
    protocol::{ReportEvent, ReportRequest, ResumeHints},
    ui::browser,
};

/// Reads `request`'s report to its end, calling `on_event` for each event once and
/// `lost` each time a wait to reconnect begins. `hints` is what the report's `meta`
/// said (the session sets it from `on_event`).
pub async fn read_report(
    request: &ReportRequest,
    signal: &AbortSignal,
    hints: &Cell<Option<ResumeHints>>,
    mut lost: impl FnMut(),
    mut on_event: impl FnMut(ReportEvent),
) -> Result<(), ClientError> {
    let Some(id) = request.report_id.as_deref() else {
        let open = Open::Post(request);
        let ended = stream_report(open, signal, || None, |d| on_event(d.event)).await;
        return ended.result;
    };
    let last = Cell::new(0u64);
    let mut retry = DEFAULT_RETRY;
    let mut attempt = 0u32;
    loop {
        let before = last.get();
        // A lost connection before `meta` is not read on (the server may not resume), so
        // only the first request is the POST.
        let open = if before == 0 {
            Open::Post(request)
        } else {
            Open::Resume { id, after: before }
        };
        let silence = || hints.get().map(|h| watchdog(h.keepalive_ms));
        let ended = stream_report(open, signal, silence, |d| {
            if let Ok(n) = d.id.parse() {
                last.set(n);
            }
            on_event(d.event);
        })
        .await;
        if let Some(ms) = ended.retry_ms {
            retry = std::time::Duration::from_millis(ms);
        }
        // Only a report whose `meta` said it can be read on (not one the server treats
        // as its response, `AUDITSTREAM_RESUME=off`, where asking again would generate
        // it twice).
        let resumable = hints.get().is_some();
        match ended.result {
            Err(e) if resumable && e.is_lost_connection() && !signal.aborted() => {
                if last.get() > before {
                    attempt = 0;
                }
                lost();
                reconnect::wait(backoff(retry, attempt, browser::random()), signal).await;
                attempt = attempt.saturating_add(1);
                if signal.aborted() {
                    return Err(ClientError::Aborted);
                }
            }
            other => return other,
        }
    }
}
