//! Small shared pieces of the relay benchmark: the one clock every timestamp is read
//! from (so the fake model's send times and the client's receive times compare),
//! percentiles, `/proc` readings (VmRSS, the open-file limit) and the results table.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Starts the shared clock; call once before anything is timed.
pub fn start_clock() {
    EPOCH.get_or_init(Instant::now);
}

/// Nanoseconds since the shared epoch (monotonic, same clock in every task and thread).
pub fn now_ns() -> u64 {
    ns_of(Instant::now())
}

/// An `Instant` as nanoseconds since the shared epoch (0 if it is earlier).
pub fn ns_of(t: Instant) -> u64 {
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(t.saturating_duration_since(epoch).as_nanos()).unwrap_or(u64::MAX)
}

/// The `Instant` that is `ns` nanoseconds after the shared epoch.
pub fn instant_of(ns: u64) -> Instant {
    *EPOCH.get_or_init(Instant::now) + Duration::from_nanos(ns)
}

/// Nearest-rank percentile of an ascending slice; 0 for an empty one.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median of the values (the lower middle for an even count); 0 when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len().saturating_sub(1) / 2).copied().unwrap_or(0.0)
}

/// `median (min–max)` of the values with `fmt` applied, or just the value for one run.
pub fn spread(values: &[f64], fmt: impl Fn(f64) -> String) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match values.len() {
        0 => "n/a".into(),
        1 => fmt(values[0]),
        _ => format!("{} ({}–{})", fmt(median(values)), fmt(min), fmt(max)),
    }
}

/// Nanoseconds as milliseconds with three decimals.
pub fn ms(ns: f64) -> String {
    format!("{:.3} ms", ns / 1e6)
}

/// A signed difference of two nanosecond values, in milliseconds.
pub fn ms_delta(ns: f64) -> String {
    format!("{:+.3} ms", ns / 1e6)
}

/// Tokens per second, in thousands.
pub fn ktps(tps: f64) -> String {
    format!("{:.0}k tok/s", tps / 1e3)
}

/// `VmRSS` of a process (`None`: this one) in KiB, from `/proc/<pid>/status`.
pub fn vm_rss_kib(pid: Option<u32>) -> Option<u64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_owned(),
    };
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system, all threads) this process has used, in ns.
pub fn cpu_time_ns() -> u64 {
    // SAFETY: getrusage only writes the struct we pass; zeroed is a valid rusage.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0;
        }
        usage
    };
    let ns = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
    ns(usage.ru_utime) + ns(usage.ru_stime)
}

/// Nanoseconds as microseconds with one decimal.
pub fn us(ns: f64) -> String {
    format!("{:.1} µs", ns / 1e3)
}

/// Raises the soft open-file limit to the hard one; returns the soft limit now in force.
pub fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
        lim.rlim_cur
    }
}

/// The results, one row per measured figure, printed as an aligned text table.
#[derive(Default)]
pub struct Table {
    rows: Vec<[String; 7]>,
    notes: Vec<String>,
}

pub const HEADER: [&str; 7] = [
    "scenario",
    "metric",
    "relay",
    "direct (no relay)",
    "added by relay",
    "Node ref",
    "target",
];

impl Table {
    pub fn row(&mut self, cells: [&str; 7]) {
        self.rows.push(cells.map(str::to_owned));
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn print(&self) {
        let mut width = HEADER.map(str::len);
        for row in &self.rows {
            for (w, cell) in width.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(width)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            println!("| {} |", padded.join(" | "));
        };
        line(&HEADER.map(str::to_owned));
        line(&width.map(|w| "-".repeat(w)));
        for row in &self.rows {
            line(row);
        }
        for note in &self.notes {
            println!("- {note}");
        }
    }
}
