//! The timing scenarios of the relay benchmark (per-token delay, throughput, 1,000
//! concurrent streams), each measured through the relay and straight against the fake
//! model, so the table can say what the relay itself adds. Every stream is bounded in
//! tokens and wrapped in a timeout.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::sync::Semaphore;

use crate::{
    client::{Via, http_client, open},
    model::{Model, Plan},
    util::{Table, cpu_time_ns, ktps, median, ms, ms_delta, now_ns, percentile, spread, us},
};

/// Sizes of every scenario; `quick` shrinks them to a smoke run.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub delay_tokens: u64,
    pub delay_runs: usize,
    pub tput_tokens: u64,
    pub tput_runs: usize,
    pub fan_streams: usize,
    pub fan_secs: u64,
    pub aborts: usize,
    pub held_streams: usize,
    pub rss_runs: usize,
}

impl Config {
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                delay_tokens: 1_000,
                delay_runs: 1,
                tput_tokens: 50_000,
                tput_runs: 2,
                fan_streams: 250,
                fan_secs: 3,
                aborts: 30,
                held_streams: 250,
                rss_runs: 1,
            }
        } else {
            Self {
                delay_tokens: 3_000,
                delay_runs: 3,
                tput_tokens: 200_000,
                tput_runs: 5,
                fan_streams: 1_000,
                fan_secs: 15,
                aborts: 200,
                held_streams: 1_000,
                rss_runs: 3,
            }
        }
    }
}

/// Everything a scenario needs: the fake model, the in-process relays, one client.
pub struct Ctx {
    pub cfg: Config,
    pub model: Model,
    /// Served exactly as `src/main.rs` serves.
    pub relay: SocketAddr,
    /// The same router with TCP_NODELAY on accepted sockets (what-if).
    pub relay_nodelay: SocketAddr,
    pub client: reqwest::Client,
    pub table: Table,
    ids: AtomicU64,
}

impl Ctx {
    pub fn new(cfg: Config, model: Model, relay: SocketAddr, relay_nodelay: SocketAddr) -> Self {
        Self {
            cfg,
            model,
            relay,
            relay_nodelay,
            client: http_client(),
            table: Table::default(),
            ids: AtomicU64::new(1),
        }
    }

    pub fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }
}

/// Streams `plan` to the end; returns its per-token delays (ns), checking the count.
async fn one_stream(client: &reqwest::Client, via: Via, plan: Plan) -> Result<Vec<u64>, String> {
    let limit = Duration::from_secs(60);
    let reader = open(client, via, &plan).await?;
    let (tokens, delays, failed) = tokio::time::timeout(limit, reader.drain())
        .await
        .map_err(|_| format!("stream not finished within {limit:?}"))?;
    match failed {
        Some(e) => Err(e),
        None if tokens != plan.tokens => Err(format!("{tokens} of {} tokens", plan.tokens)),
        None => Ok(delays),
    }
}

fn verdict(ok: bool, detail: String) -> String {
    format!("{} ({detail})", if ok { "MET" } else { "MISSED" })
}

/// 1. Per-token delay at one stream paced at 1 token/ms: relay vs direct.
pub async fn delay(ctx: &mut Ctx) -> Result<(), String> {
    let cfg = ctx.cfg;
    let vias = [
        Via::Relay(ctx.relay),
        Via::Relay(ctx.relay_nodelay),
        Via::Direct(ctx.model.addr),
    ];
    let paced = |tokens| Plan {
        tokens,
        gap_us: 1_000,
        ..Plan::default()
    };
    for via in vias {
        one_stream(&ctx.client, via, paced(200)).await?;
    }
    let (mut p50, mut p99) = ([vec![], vec![], vec![]], [vec![], vec![], vec![]]);
    for _ in 0..cfg.delay_runs {
        for (i, via) in vias.into_iter().enumerate() {
            let mut d = one_stream(&ctx.client, via, paced(cfg.delay_tokens)).await?;
            d.sort_unstable();
            p50[i].push(percentile(&d, 50.0) as f64);
            p99[i].push(percentile(&d, 99.0) as f64);
        }
    }
    let added = |p: &[Vec<f64>], i: usize| ms_delta(median(&p[i]) - median(&p[2]));
    let name = format!(
        "1. delay, 1 stream, 1 tok/ms ({} runs × {} tok)",
        cfg.delay_runs, cfg.delay_tokens
    );
    let what_if = "1b. same, relay socket with TCP_NODELAY (what-if)".to_owned();
    for (i, name) in [(0, name), (1, what_if)] {
        let p99_relay = median(&p99[i]);
        let target = verdict(p99_relay <= 1e6, format!("p99 ≤ 1 ms; {}", ms(p99_relay)));
        let rows = [
            ("p50", &p50, "—".to_owned(), "—".to_owned()),
            ("p99", &p99, "3.1 ms".to_owned(), target),
        ];
        for (metric, p, reference, target) in rows {
            let (relay, direct) = (spread(&p[i], ms), spread(&p[2], ms));
            let add = added(p, i);
            ctx.table
                .row([&name, metric, &relay, &direct, &add, &reference, &target]);
        }
    }
    Ok(())
}

/// 2. Single-stream throughput with an unpaced model: median tokens/s of several runs.
pub async fn throughput(ctx: &mut Ctx) -> Result<(), String> {
    let cfg = ctx.cfg;
    let vias = [Via::Relay(ctx.relay), Via::Direct(ctx.model.addr)];
    let fast = |tokens| Plan {
        tokens,
        ..Plan::default()
    };
    for via in vias {
        one_stream(&ctx.client, via, fast(cfg.tput_tokens / 10)).await?;
    }
    let (mut tps, mut cpu) = ([vec![], vec![]], [vec![], vec![]]);
    for _ in 0..cfg.tput_runs {
        for (i, via) in vias.into_iter().enumerate() {
            let (t0, cpu0) = (now_ns(), cpu_time_ns());
            one_stream(&ctx.client, via, fast(cfg.tput_tokens)).await?;
            let secs = (now_ns() - t0) as f64 / 1e9;
            tps[i].push(cfg.tput_tokens as f64 / secs);
            cpu[i].push((cpu_time_ns() - cpu0) as f64 / cfg.tput_tokens as f64);
        }
    }
    let relay = median(&tps[0]);
    let name = format!(
        "2. throughput, 1 stream, unpaced ({} runs × {}k tok)",
        cfg.tput_runs,
        cfg.tput_tokens / 1000
    );
    let target = verdict(
        relay >= 5.0 * 37_000.0,
        format!("≥ 185k tok/s; {:.1}× ref", relay / 37_000.0),
    );
    ctx.table.row([
        &name,
        "tokens/s",
        &spread(&tps[0], ktps),
        &spread(&tps[1], ktps),
        "—",
        "37k tok/s",
        &target,
    ]);
    let (r, d) = (median(&cpu[0]), median(&cpu[1]));
    ctx.table.row([
        &name,
        "CPU / token (bench process)",
        &spread(&cpu[0], us),
        &spread(&cpu[1], us),
        &format!("{:+.1} µs", (r - d) / 1e3),
        "—",
        "—",
    ]);
    Ok(())
}

/// What many concurrent paced streams saw.
struct Fanout {
    delays: Vec<u64>,
    failed: Vec<String>,
    opened_ms: f64,
    late_start: bool,
    /// Process CPU time per timed token, in ns.
    cpu_per_token: f64,
}

/// `streams` streams at 20 tokens/s for `secs`, phases spread over one 50 ms gap; all
/// are opened first (64 at a time) and start sending together.
async fn fanout_once(ctx: &Ctx, via: Via, streams: usize, secs: u64) -> Fanout {
    let (t0, cpu0) = (now_ns(), cpu_time_ns());
    let start_ns = t0 + 1_000_000_000 + streams as u64 * 1_500_000;
    let gate = Arc::new(Semaphore::new(64));
    let last_open = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..streams as u64)
        .map(|i| {
            let plan = Plan {
                id: ctx.next_id(),
                tokens: 20 * secs,
                gap_us: 50_000,
                start_ns: start_ns + i * 50_000_000 / streams as u64,
                hang: false,
            };
            let (client, gate, last_open) = (ctx.client.clone(), gate.clone(), last_open.clone());
            tokio::spawn(async move {
                let permit = gate.acquire_owned().await.expect("open gate");
                let reader = open(&client, via, &plan).await;
                last_open.fetch_max(now_ns(), Ordering::Relaxed);
                drop(permit);
                let limit = Duration::from_secs(secs + 30);
                match tokio::time::timeout(limit, reader?.drain()).await {
                    Err(_) => Err("stream not finished in time".to_owned()),
                    Ok((_, _, Some(e))) => Err(e),
                    Ok((n, _, None)) if n != plan.tokens => Err(format!("{n} tokens")),
                    Ok((_, delays, None)) => Ok(delays),
                }
            })
        })
        .collect();
    let mut out = Fanout {
        delays: Vec::with_capacity(streams * 20 * secs as usize),
        failed: Vec::new(),
        opened_ms: 0.0,
        late_start: false,
        cpu_per_token: 0.0,
    };
    for task in futures_util::future::join_all(tasks).await {
        match task {
            Ok(Ok(d)) => out.delays.extend(d),
            Ok(Err(e)) => out.failed.push(e),
            Err(e) => out.failed.push(format!("task: {e}")),
        }
    }
    let last = last_open.load(Ordering::Relaxed);
    out.opened_ms = last.saturating_sub(t0) as f64 / 1e6;
    out.late_start = last > start_ns;
    out.cpu_per_token = (cpu_time_ns() - cpu0) as f64 / out.delays.len().max(1) as f64;
    out.delays.sort_unstable();
    out
}

/// 3. Delay percentiles with many concurrent streams at 20 tokens/s each.
pub async fn fanout(ctx: &mut Ctx) -> Result<(), String> {
    let (streams, secs) = (ctx.cfg.fan_streams, ctx.cfg.fan_secs);
    ctx.model.take_max_lag_ns();
    let relay = fanout_once(ctx, Via::Relay(ctx.relay), streams, secs).await;
    let relay_lag = ctx.model.take_max_lag_ns();
    let direct = fanout_once(ctx, Via::Direct(ctx.model.addr), streams, secs).await;
    let direct_lag = ctx.model.take_max_lag_ns();
    let name = format!("3. {streams} streams × 20 tok/s, {secs} s");
    for (metric, p, reference) in [("p50", 50.0, "—"), ("p99", 99.0, "114 ms")] {
        let (r, d) = (percentile(&relay.delays, p), percentile(&direct.delays, p));
        let target = if metric == "p99" {
            verdict(r <= 1_000_000, format!("p99 ≤ 1 ms; {}", ms(r as f64)))
        } else {
            "—".to_owned()
        };
        let added = ms_delta(r as f64 - d as f64);
        ctx.table.row([
            &name,
            metric,
            &ms(r as f64),
            &ms(d as f64),
            &added,
            reference,
            &target,
        ]);
    }
    ctx.table.row([
        &name,
        "CPU / token (bench process)",
        &us(relay.cpu_per_token),
        &us(direct.cpu_per_token),
        &format!(
            "{:+.1} µs",
            (relay.cpu_per_token - direct.cpu_per_token) / 1e3
        ),
        "—",
        "—",
    ]);
    for (label, f, lag) in [
        ("relay", &relay, relay_lag),
        ("direct", &direct, direct_lag),
    ] {
        ctx.table.note(format!(
            "3. {label}: {} tokens timed, {} of {streams} streams failed{}, all opened in \
             {:.0} ms{}, p99.9 {}, max {}, worst model schedule lag {}",
            f.delays.len(),
            f.failed.len(),
            f.failed
                .first()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default(),
            f.opened_ms,
            if f.late_start {
                " (after the planned start!)"
            } else {
                ""
            },
            ms(percentile(&f.delays, 99.9) as f64),
            ms(f.delays.last().copied().unwrap_or(0) as f64),
            ms(lag as f64),
        ));
    }
    if relay.failed.len() + direct.failed.len() > 0 {
        return Err(format!(
            "{} streams failed",
            relay.failed.len() + direct.failed.len()
        ));
    }
    Ok(())
}
