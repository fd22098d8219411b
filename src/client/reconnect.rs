//! When the page reads a resumable report on after a lost connection: the delay
//! (`backoff`, pure: the server's `retry:` doubled per failed attempt up to a cap, with
//! jitter so a server's readers do not all come back at once), the wait itself, cut
//! short when the browser comes back online or the tab becomes visible (or by Stop),
//! and the watchdog's time (three missed keep-alives).

use std::time::Duration;

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// The `retry:` assumed until the server sent one.
pub const DEFAULT_RETRY: Duration = Duration::from_millis(1000);

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Keep-alives missed before a silent connection counts as lost.
pub const MISSED_KEEPALIVES: u32 = 3;

/// The wait before attempt `attempt` (0 for the first after a drop): `base` doubled per
/// attempt, at most `MAX_BACKOFF`, then jittered into its upper half by `random` (0..1).
pub fn backoff(base: Duration, attempt: u32, random: f64) -> Duration {
    let doubled = base.saturating_mul(1u32 << attempt.min(16));
    let ceiling = doubled.min(MAX_BACKOFF);
    ceiling.mul_f64(0.5 + 0.5 * random.clamp(0.0, 1.0))
}

/// How long a read may hear nothing before the connection counts as lost.
pub fn watchdog(keepalive_ms: u64) -> u32 {
    u32::try_from(keepalive_ms.saturating_mul(u64::from(MISSED_KEEPALIVES))).unwrap_or(u32::MAX)
}

/// Waits `delay`, or less: until the browser is back online, the tab becomes visible,
/// or `signal` fires.
pub async fn wait(delay: Duration, signal: &AbortSignal) {
    let (Some(window), Some(document)) = (
        web_sys::window(),
        web_sys::window().and_then(|w| w.document()),
    ) else {
        return;
    };
    let mut resolve_slot: Option<js_sys::Function> = None;
    let promise = Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
    let Some(resolve) = resolve_slot else { return };
    let ms = i32::try_from(delay.as_millis()).unwrap_or(i32::MAX);
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
        .ok();
    let visible = {
        let resolve = resolve.clone();
        let document = document.clone();
        Closure::<dyn Fn()>::new(move || {
            if document.visibility_state() == web_sys::VisibilityState::Visible {
                let _ = resolve.call0(&JsValue::NULL);
            }
        })
    };
    let visible_fn: &js_sys::Function = visible.as_ref().unchecked_ref();
    let _ = window.add_event_listener_with_callback("online", &resolve);
    let _ = document.add_event_listener_with_callback("visibilitychange", visible_fn);
    let _ = signal.add_event_listener_with_callback("abort", &resolve);
    if !signal.aborted() {
        let _ = JsFuture::from(promise).await;
    }
    if let Some(t) = timer {
        window.clear_timeout_with_handle(t);
    }
    let _ = window.remove_event_listener_with_callback("online", &resolve);
    let _ = document.remove_event_listener_with_callback("visibilitychange", visible_fn);
    let _ = signal.remove_event_listener_with_callback("abort", &resolve);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_the_servers_retry_up_to_the_cap() {
        let base = Duration::from_millis(1000);
        let top = |attempt| backoff(base, attempt, 1.0);
        assert_eq!(top(0), Duration::from_millis(1000));
        assert_eq!(top(1), Duration::from_millis(2000));
        assert_eq!(top(4), Duration::from_millis(16000));
        assert_eq!(top(5), MAX_BACKOFF);
        assert_eq!(top(40), MAX_BACKOFF, "no overflow");
    }

    #[test]
    fn jitter_keeps_the_wait_in_the_upper_half() {
        let base = Duration::from_millis(800);
        assert_eq!(backoff(base, 0, 0.0), Duration::from_millis(400));
        assert_eq!(backoff(base, 0, 0.5), Duration::from_millis(600));
        assert_eq!(backoff(base, 0, 7.0), base, "random is clamped");
    }

    #[test]
    fn three_missed_keepalives_are_a_lost_connection() {
        assert_eq!(watchdog(15_000), 45_000);
        assert_eq!(watchdog(u64::MAX), u32::MAX);
    }
}
