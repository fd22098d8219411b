//! Live figures for the report on screen, for every provider: time to first token,
//! tokens, tokens per second counted from the first token, elapsed time; replaced by
//! the server's own figures when `done` arrives. Pure: times are milliseconds handed in.

use crate::protocol::Done;

/// What is known about the running (or finished) report's timing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveStats {
    /// When Generate was pressed.
    pub started_ms: f64,
    /// When the first token arrived.
    pub first_token_ms: Option<f64>,
    /// Token events received.
    pub tokens: u64,
    /// The latest clock reading (ticks while the report runs, frozen at its end).
    pub now_ms: f64,
    /// The server's final figures.
    pub done: Option<Done>,
}

/// The figures as shown, one string each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    pub ttft: Option<String>,
    pub tokens: String,
    pub rate: Option<String>,
    pub elapsed: String,
}

impl LiveStats {
    pub fn new(started_ms: f64) -> Self {
        Self {
            started_ms,
            now_ms: started_ms,
            ..Self::default()
        }
    }

    /// One token event at `now_ms`.
    pub fn token(&mut self, now_ms: f64) {
        self.first_token_ms.get_or_insert(now_ms);
        self.tokens += 1;
        self.now_ms = now_ms;
    }

    /// The figures to show: the server's once `done` came, the live count before.
    pub fn figures(&self) -> Figures {
        if let Some(d) = &self.done {
            return Figures {
                ttft: d.ttft_ms.map(|t| format!("{t} ms")),
                tokens: d.output_tokens.unwrap_or(self.tokens).to_string(),
                rate: d.tokens_per_sec.map(|r| format!("{r:.1}/s")),
                elapsed: seconds(d.duration_ms as f64),
            };
        }
        let ttft = self.first_token_ms.map(|t| t - self.started_ms);
        // Tokens after the first, over the time since it: a rate of generation, not
        // of waiting for the model to start.
        let rate = self.first_token_ms.and_then(|first| {
            let span = self.now_ms - first;
            (span >= 250.0 && self.tokens > 1)
                .then(|| format!("{:.1}/s", (self.tokens - 1) as f64 * 1000.0 / span))
        });
        Figures {
            ttft: ttft.map(|t| format!("{} ms", t.round() as u64)),
            tokens: self.tokens.to_string(),
            rate,
            elapsed: seconds(self.now_ms - self.started_ms),
        }
    }
}

fn seconds(ms: f64) -> String {
    format!("{:.1} s", ms.max(0.0) / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_figures_count_from_the_first_token() {
        let mut s = LiveStats::new(1000.0);
        s.now_ms = 1400.0;
        let f = s.figures();
        assert_eq!(
            (f.ttft, f.tokens.as_str(), f.rate, f.elapsed.as_str()),
            (None, "0", None, "0.4 s")
        );
        s.token(1500.0);
        for i in 1..=20 {
            s.token(1500.0 + 50.0 * i as f64);
        }
        let f = s.figures();
        assert_eq!(f.ttft.as_deref(), Some("500 ms"));
        assert_eq!(f.tokens, "21");
        assert_eq!(f.rate.as_deref(), Some("20.0/s"));
        assert_eq!(f.elapsed, "1.5 s");
    }

    #[test]
    fn done_replaces_the_live_figures() {
        let mut s = LiveStats::new(0.0);
        s.token(10.0);
        s.done = Some(Done {
            finish_reason: "stop".into(),
            output_tokens: Some(812),
            ttft_ms: Some(412),
            duration_ms: 14_203,
            tokens_per_sec: Some(57.6),
        });
        let f = s.figures();
        assert_eq!(f.ttft.as_deref(), Some("412 ms"));
        assert_eq!(f.tokens, "812");
        assert_eq!(f.rate.as_deref(), Some("57.6/s"));
        assert_eq!(f.elapsed, "14.2 s");
    }
}
