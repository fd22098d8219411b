//! Relay benchmark: what `POST /api/report` adds between an OpenAI-compatible model and
//! the browser, measured (not asserted) on loopback with the real router and a fake
//! model that timestamps every token. docs/benchmarks.md explains each scenario.
//!
//! ```text
//! cargo bench --features ssr --bench relay                  # full run, about 2 minutes
//! cargo bench --features ssr --bench relay -- --quick       # smoke run, under 30 s
//! cargo bench --features ssr --bench relay -- delay abort   # chosen scenarios only
//! ```

mod app;
mod client;
// The one fake model server, shared with the integration tests; the bench uses only
// part of its face.
#[allow(dead_code)]
#[path = "../../tests/support/fake_model.rs"]
mod fake_model;
mod held;
mod model;
mod scenarios;
mod util;

use std::time::Duration;

use scenarios::{Config, Ctx};

const SCENARIOS: [(&str, &str); 5] = [
    (
        "delay",
        "per-token delay at 1 stream, relay vs direct (p50/p99)",
    ),
    ("throughput", "single-stream tokens/s with an unpaced model"),
    ("fanout", "delay p50/p99 with 1,000 streams at 20 tokens/s"),
    (
        "abort",
        "client drop → model sees its connection close (p50/p99)",
    ),
    (
        "rss",
        "server VmRSS per held stream (relay in a child process)",
    ),
];

fn usage() {
    println!("usage: cargo bench --features ssr --bench relay -- [--quick] [scenario…]");
    for (name, what) in SCENARIOS {
        println!("  {name:<11} {what}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve-child") {
        return app::child_main(&args[1..]);
    }
    let mut quick = false;
    let mut chosen: Vec<&str> = Vec::new();
    for arg in &args {
        match arg.as_str() {
            "--bench" => {} // passed by `cargo bench`
            "--quick" => quick = true,
            "-h" | "--help" => return usage(),
            name => match SCENARIOS.iter().find(|(n, _)| *n == name) {
                Some((n, _)) => chosen.push(n),
                None => {
                    eprintln!("unknown argument `{name}`");
                    usage();
                    std::process::exit(2);
                }
            },
        }
    }
    if chosen.is_empty() {
        chosen = SCENARIOS.iter().map(|(n, _)| *n).collect();
    }
    let limit = Duration::from_secs(if quick { 90 } else { 300 });
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("relay bench: still running after {limit:?}; giving up");
        std::process::exit(1);
    });
    util::start_clock();
    let fds = util::raise_fd_limit();
    let cfg = Config::new(quick);
    let needed = 4 * cfg.fan_streams.max(cfg.held_streams) as u64 + 256;
    if fds < needed {
        eprintln!("relay bench: open-file limit {fds} < {needed}; the large scenarios may fail");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let started = std::time::Instant::now();
    let (table, failures) = rt.block_on(run(cfg, &chosen));
    rt.shutdown_timeout(Duration::from_secs(2));
    println!(
        "\nrelay bench ({}, {:.0} s, {} cores, open-file limit {fds}):\n",
        if quick { "quick" } else { "full" },
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(0, usize::from),
    );
    table.print();
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("FAILED {f}");
        }
        std::process::exit(1);
    }
}

/// Starts the fake model and the relays, runs the chosen scenarios in order.
async fn run(cfg: Config, chosen: &[&str]) -> (util::Table, Vec<String>) {
    let model = model::Model::start().await;
    let relay = app::spawn(&model.base_url(), false).await;
    let relay_nodelay = app::spawn(&model.base_url(), true).await;
    let mut ctx = Ctx::new(cfg, model, relay, relay_nodelay);
    let mut failures = Vec::new();
    for name in chosen {
        eprintln!("relay bench: {name}…");
        let result = match *name {
            "delay" => scenarios::delay(&mut ctx).await,
            "throughput" => scenarios::throughput(&mut ctx).await,
            "fanout" => scenarios::fanout(&mut ctx).await,
            "abort" => held::abort(&mut ctx).await,
            "rss" => held::rss(&mut ctx).await,
            _ => unreachable!("names are checked in main"),
        };
        if let Err(e) = result {
            failures.push(format!("{name}: {e}"));
        }
    }
    (ctx.table, failures)
}
