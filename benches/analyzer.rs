//! The offline analyzer's speed (a benchmark, not a test): MB/s over 1 MB of real Solidity
//! (the SWC corpus, file by file, repeated), one 1 MB file at once, and the time from a
//! request to the builtin provider's first token for a 1,000-line contract (analysis and
//! rendering included). Prints medians over `RUNS` runs.
//!
//! `cargo bench --features ssr --bench analyzer`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use auditstream::analyzer::{analyze, render_markdown};
use auditstream::server::providers::builtin;
use futures_util::StreamExt;

/// Runs per measurement; the median is reported.
const RUNS: usize = 11;
/// How much source the throughput runs analyse.
const TARGET_BYTES: usize = 1 << 20;
/// The size of the contract the first-token figure is for.
const TARGET_LINES: usize = 1_000;

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/swc");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("testdata/swc") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "sol") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            (name, text)
        })
        .collect()
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn measure(mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

fn main() {
    let files = corpus();
    // File by file until 1 MB.
    let mut batch: Vec<&(String, String)> = Vec::new();
    let mut bytes = 0;
    while bytes < TARGET_BYTES {
        for f in &files {
            batch.push(f);
            bytes += f.1.len();
        }
    }
    let per_file = measure(|| {
        for (name, text) in &batch {
            std::hint::black_box(analyze(text, Some(name)));
        }
    });
    println!(
        "analyze, {} files ({:.2} MB): median {:.1} ms, {:.1} MB/s",
        batch.len(),
        bytes as f64 / (1 << 20) as f64,
        per_file.as_secs_f64() * 1e3,
        mb_per_s(bytes, per_file)
    );

    // One file of 1 MB (many contracts in one paste).
    let mut big = String::new();
    'fill: loop {
        for (_, text) in &files {
            big.push_str(text);
            big.push('\n');
            if big.len() >= TARGET_BYTES {
                break 'fill;
            }
        }
    }
    let one = measure(|| {
        std::hint::black_box(analyze(&big, Some("Big.sol")));
    });
    println!(
        "analyze, one {:.2} MB file ({} lines): median {:.1} ms, {:.1} MB/s",
        big.len() as f64 / (1 << 20) as f64,
        big.lines().count(),
        one.as_secs_f64() * 1e3,
        mb_per_s(big.len(), one)
    );

    // A 1,000-line contract: real contracts concatenated.
    let mut thousand = String::new();
    'lines: loop {
        for (_, text) in &files {
            for line in text.lines() {
                thousand.push_str(line);
                thousand.push('\n');
                if thousand.lines().count() >= TARGET_LINES {
                    break 'lines;
                }
            }
        }
    }
    let render = measure(|| {
        std::hint::black_box(render_markdown(&analyze(&thousand, Some("Thousand.sol"))));
    });
    println!(
        "analyze + render, {TARGET_LINES} lines: median {:.2} ms",
        render.as_secs_f64() * 1e3
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let first_token = measure(|| {
        rt.block_on(async {
            let mut s = builtin::stream(&thousand, Some("Thousand.sol"), Duration::ZERO);
            std::hint::black_box(s.next().await);
        })
    });
    println!(
        "builtin provider, request to first token, {TARGET_LINES} lines: median {:.2} ms (budget 50 ms)",
        first_token.as_secs_f64() * 1e3
    );
}
