//! What checking findings costs the server (a benchmark, not a test): reading a contract
//! once (`CodeIndex::build`, the analyzer included), checking one finding, and a model's
//! report streamed token by token through the `Joiner` the relay uses (the slowest single
//! token, and the total). Prints medians over `RUNS` runs.
//!
//! `cargo bench --features ssr --bench verify`

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auditstream::verify::{CodeIndex, Joiner, Source, verify_report};

const RUNS: usize = 11;
/// Findings in the streamed report.
const STREAM_FINDINGS: usize = 500;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/verify");
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("cases.json")).unwrap()).unwrap();
    let mut index_times = Vec::new();
    let mut per_finding = Vec::new();
    for case in cases["cases"].as_array().unwrap() {
        let source = root.join(case["sources"][0].as_str().unwrap());
        let text = std::fs::read_to_string(&source).unwrap();
        let report = std::fs::read_to_string(root.join(case["report"].as_str().unwrap())).unwrap();
        let sources = [Source {
            path: Some(source.file_name().unwrap().to_string_lossy().into_owned()),
            text,
        }];
        let mut builds = Vec::new();
        let mut checks = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let index = Arc::new(CodeIndex::build(&sources));
            builds.push(t.elapsed());
            let t = Instant::now();
            let (_, found) = verify_report(&report, index);
            checks.push(t.elapsed() / found.len().max(1) as u32);
        }
        index_times.push(median(builds));
        per_finding.push(median(checks));
    }
    println!(
        "index (analyzer included), median over the corpus contracts: {:.2} ms",
        median(index_times).as_secs_f64() * 1e3
    );
    println!(
        "one finding checked (parse and verdict), median: {:.1} µs",
        median(per_finding).as_secs_f64() * 1e6
    );

    // A long report streamed word by word, as the relay feeds it.
    let contract = std::fs::read_to_string(root.join("contracts/Staking.sol")).unwrap();
    let index = Arc::new(CodeIndex::build(&[Source {
        path: Some("Staking.sol".into()),
        text: contract,
    }]));
    let mut report = String::from("# Security report\n\n## Findings\n\n");
    for i in 1..=STREAM_FINDINGS {
        report.push_str(&format!(
            "### {i}. Reentrancy in `unstake()`\n- **Severity:** High\n- **Line:** 53\n\n\
             ```solidity\ntoken.transfer(msg.sender, amount);\nstaked[msg.sender] = 0;\n```\n\n\
             **Explanation.** The balance is cleared after the call in finding {i}.\n\n"
        ));
    }
    let tokens: Vec<&str> = report.split_inclusive(' ').collect();
    let mut totals = Vec::new();
    let mut worst = Vec::new();
    for _ in 0..RUNS {
        let mut joiner = Joiner::new(index.clone());
        let mut slowest = Duration::ZERO;
        let t0 = Instant::now();
        for tok in &tokens {
            let t = Instant::now();
            let _ = joiner.push(tok);
            slowest = slowest.max(t.elapsed());
        }
        let _ = joiner.finish(true);
        totals.push(t0.elapsed());
        worst.push(slowest);
    }
    let total = median(totals);
    println!(
        "streamed report: {} tokens, {STREAM_FINDINGS} findings: {:.1} ms in all ({:.2} µs a token), slowest token {:.3} ms (medians)",
        tokens.len(),
        total.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e6 / tokens.len() as f64,
        median(worst).as_secs_f64() * 1e3
    );
}
