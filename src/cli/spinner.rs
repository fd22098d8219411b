//! Progress on standard error while a model is asked: a spinner with the phase and elapsed
//! time until the first token, then nothing (the report itself is the progress). Only on a
//! terminal and without `--quiet`, so pipes and CI logs stay clean.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

/// How often the spinner redraws.
const TICK: Duration = Duration::from_millis(100);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// A running spinner; `stop` (or drop) clears its line.
pub struct Spinner {
    task: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts a spinner showing `phase`, when standard error is a terminal and `enabled`.
    pub fn start(phase: String, enabled: bool) -> Spinner {
        if !enabled || !std::io::stderr().is_terminal() {
            return Spinner { task: None };
        }
        let started = Instant::now();
        let task = tokio::spawn(async move {
            let mut i = 0usize;
            loop {
                eprint!(
                    "\r{} {phase} ({:.1} s)\x1b[K",
                    FRAMES[i % FRAMES.len()],
                    started.elapsed().as_secs_f64()
                );
                let _ = std::io::stderr().flush();
                i += 1;
                tokio::time::sleep(TICK).await;
            }
        });
        Spinner { task: Some(task) }
    }

    pub fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            eprint!("\r\x1b[K");
            let _ = std::io::stderr().flush();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
    }
}
