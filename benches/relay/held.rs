//! The relay benchmark's scenarios about streams that are held or abandoned: how long
//! after a client drops a stream the model sees its connection close, and how much
//! server memory each open stream costs (measured on a relay in a child process).

use std::{sync::Arc, time::Duration};

use tokio::sync::Semaphore;

use crate::{
    app::ChildRelay,
    client::{Reader, Via, open},
    model::Plan,
    scenarios::Ctx,
    util::{median, ms, ms_delta, now_ns, percentile, spread, vm_rss_kib},
};

/// Drops `n` streams after their third token (plus a varying 0–5 ms) and returns the
/// sorted hang-up latencies in ns: model saw EOF − client dropped.
async fn abort_latencies(ctx: &Ctx, via: Via, n: usize) -> Result<Vec<u64>, String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let plan = Plan {
            id: ctx.next_id(),
            tokens: 100_000,
            gap_us: 5_000,
            ..Plan::default()
        };
        let mut reader = open(&ctx.client, via, &plan).await?;
        let started = tokio::time::timeout(Duration::from_secs(10), reader.skip_tokens(3)).await;
        if !matches!(started, Ok(true)) {
            return Err(format!("stream {} did not start", plan.id));
        }
        // Sample every phase against the model's 5 ms token clock.
        tokio::time::sleep(Duration::from_micros(i * 1_237 % 5_000)).await;
        let dropped = now_ns();
        drop(reader);
        let seen = ctx
            .model
            .hang_up_time(plan.id, Duration::from_secs(5))
            .await;
        let seen = seen.ok_or_else(|| format!("model never saw stream {} close", plan.id))?;
        out.push(seen.saturating_sub(dropped));
    }
    out.sort_unstable();
    Ok(out)
}

/// 4. Abort → upstream connection closed, through the relay and directly.
pub async fn abort(ctx: &mut Ctx) -> Result<(), String> {
    let n = ctx.cfg.aborts;
    abort_latencies(ctx, Via::Relay(ctx.relay), 5).await?;
    let relay = abort_latencies(ctx, Via::Relay(ctx.relay), n).await?;
    let direct = abort_latencies(ctx, Via::Direct(ctx.model.addr), n).await?;
    let name = format!("4. abort → model sees close ({n} aborts, model at 200 tok/s)");
    for (metric, p) in [("p50", 50.0), ("p99", 99.0)] {
        let (r, d) = (percentile(&relay, p), percentile(&direct, p));
        ctx.table.row([
            &name,
            metric,
            &ms(r as f64),
            &ms(d as f64),
            &ms_delta(r as f64 - d as f64),
            "—",
            "—",
        ]);
    }
    Ok(())
}

/// Opens `n` streams whose model sends one token and then hangs, and keeps them.
async fn hold(ctx: &Ctx, via: Via, n: usize) -> (Vec<Reader>, Vec<String>) {
    let gate = Arc::new(Semaphore::new(64));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let plan = Plan {
                id: ctx.next_id(),
                tokens: 1,
                gap_us: 1_000,
                hang: true,
                ..Plan::default()
            };
            let (client, gate) = (ctx.client.clone(), gate.clone());
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("open gate");
                let mut reader = open(&client, via, &plan).await?;
                let first = tokio::time::timeout(Duration::from_secs(10), reader.skip_tokens(1));
                match first.await {
                    Ok(true) => Ok(reader),
                    _ => Err("no first token".to_owned()),
                }
            })
        })
        .collect();
    let (mut held, mut failed) = (Vec::with_capacity(n), Vec::new());
    for task in futures_util::future::join_all(tasks).await {
        match task {
            Ok(Ok(r)) => held.push(r),
            Ok(Err(e)) => failed.push(e),
            Err(e) => failed.push(format!("task: {e}")),
        }
    }
    (held, failed)
}

/// One fresh child relay: warm it up, read VmRSS, hold the streams, read VmRSS again.
/// Returns (before KiB, after KiB, streams held, model responses open while held).
async fn rss_once(ctx: &Ctx, n: usize) -> Result<(u64, u64, usize, usize), String> {
    let base_url = ctx.model.base_url();
    let child = tokio::task::spawn_blocking(move || ChildRelay::start(&base_url))
        .await
        .map_err(|e| format!("child start task: {e}"))??;
    let via = Via::Relay(child.addr);
    // Warm-up: the first requests build pools, per-thread allocator arenas and caches.
    for _ in 0..4 {
        let streams = (0..16).map(|_| {
            let plan = Plan {
                id: ctx.next_id(),
                tokens: 50,
                ..Plan::default()
            };
            let client = ctx.client.clone();
            async move {
                open(&client, via, &plan)
                    .await?
                    .drain()
                    .await
                    .2
                    .map_or(Ok(()), Err)
            }
        });
        for r in futures_util::future::join_all(streams).await {
            r?;
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = vm_rss_kib(Some(child.pid())).ok_or("no VmRSS for the child")?;
    let (held, failed) = hold(ctx, via, n).await;
    if let Some(e) = failed.first() {
        return Err(format!("{} of {n} held streams failed: {e}", failed.len()));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = vm_rss_kib(Some(child.pid())).ok_or("no VmRSS for the child")?;
    let (count, upstream) = (held.len(), ctx.model.open_responses());
    drop(held);
    drop(child);
    // Let the model notice the hang-ups before the next round.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok((before, after, count, upstream))
}

/// 5. Server RSS per held stream, on a relay alone in a child process.
pub async fn rss(ctx: &mut Ctx) -> Result<(), String> {
    let (n, runs) = (ctx.cfg.held_streams, ctx.cfg.rss_runs);
    let mut per_stream = Vec::with_capacity(runs);
    let mut lines = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (before, after, held, upstream) = rss_once(ctx, n).await?;
        per_stream.push(after.saturating_sub(before) as f64 / held as f64);
        lines.push(format!("{before}→{after} KiB ({upstream} upstream open)"));
    }
    let kib = |v: f64| format!("{v:.1} KiB");
    let m = median(&per_stream);
    let target = format!(
        "{} (≤ 32 KB; {:.1} KB)",
        if m * 1.024 <= 32.0 { "MET" } else { "MISSED" },
        m * 1.024
    );
    let name = format!("5. server RSS per held stream ({runs} runs × {n} streams)");
    ctx.table.row([
        &name,
        "VmRSS Δ / stream",
        &spread(&per_stream, kib),
        "n/a (server only)",
        "—",
        "~128 KB",
        &target,
    ]);
    ctx.table.note(format!(
        "5. child relay VmRSS before→after holding {n} streams: {}",
        lines.join(", ")
    ));
    Ok(())
}
