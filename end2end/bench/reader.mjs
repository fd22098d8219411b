// Browser benchmark of the live report reader (a measurement, not a test: it prints
// figures and asserts nothing). A fake model streams a generated 100,000-token report
// at 2,000 tokens/s through the real server into Chromium, while PerformanceObserver
// (`longtask`, `long-animation-frame`), installed before the page loads, records every
// main-thread task over 50 ms, and a requestAnimationFrame loop records every frame.
// Prints the longest task, long-task time and frame intervals in the first and the last
// 10 s of the stream, whether the page's markdown equals what the model sent, and the
// site's wasm + js size, gzip. A deliberate 120 ms task at the end checks the observer.
//
//   cargo leptos build --release --split
//   node end2end/bench/reader.mjs [--tokens 100000] [--rate 2000]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";

const root = join(import.meta.dirname, "..", "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TOKENS = arg("tokens", 100_000);
const RATE = arg("rate", 2_000);
// `--checked 0` sends no contract, so no finding is checked (the figure before verdicts).
const CHECKED = arg("checked", 1) !== 0;
const CONTRACT = readFileSync(join(root, "testdata/verify/contracts/Staking.sol"), "utf8");
// Ports of their own, so the benchmark can run beside the Playwright suite.
const FAKE_PORT = 3390;
const APP = "http://127.0.0.1:3391/";
const FAKE = `http://127.0.0.1:${FAKE_PORT}`;
const WINDOW_MS = 10_000;

const children = [];
function start(command, args, env) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: "ignore" });
  children.push(child);
  return child;
}
async function ready(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function sizes() {
  const pkg = join(root, "target", "site", "pkg");
  // Every wasm and js file, whatever hash (`hash-files`) or split chunk names them.
  const gz = (ext) =>
    readdirSync(pkg)
      .filter((f) => f.endsWith(ext))
      .reduce((t, f) => t + gzipSync(readFileSync(join(pkg, f)), { level: 9 }).length, 0);
  return { wasm: gz(".wasm"), js: gz(".js") };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "reader-bench-"));
  const config = join(work, "bench.toml");
  writeFileSync(config, `[[provider]]\nname = "fake"\nkind = "openai"\nbase_url = "${FAKE}/v1"\nmodels = ["echo"]\n`);
  start("node", ["end2end/fake-model.mjs"], { FAKE_MODEL_PORT: String(FAKE_PORT) });
  start(process.env.AUDITSTREAM_BIN ?? "target/release/auditstream", [], {
    LEPTOS_OUTPUT_NAME: "auditstream",
    LEPTOS_SITE_ROOT: "target/site",
    LEPTOS_SITE_PKG_DIR: "pkg",
    LEPTOS_SITE_ADDR: APP.slice("http://".length, -1),
    LEPTOS_ENV: "PROD",
    AUDITSTREAM_CONFIG: config,
    AUDITSTREAM_DATA_DIR: join(work, "data"),
    AUDITSTREAM_RATE_PER_MINUTE: "0",
    AUDITSTREAM_MAX_DURATION_SECS: "600",
    RUST_LOG: "warn",
  });
  await ready(`${FAKE}/health`);
  await ready(APP);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window;
    w.__tasks = [];
    w.__frames = [];
    // Every animation frame's start, so frame intervals under 50 ms are seen too.
    w.__ticks = [];
    const tick = (t) => {
      w.__ticks.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__tasks.push([e.startTime, e.duration]))).observe({
      type: "longtask",
      buffered: true,
    });
    try {
      // [start, duration, script ms, style-and-layout-and-paint ms]
      const split = (e) => {
        const render = e.renderStart > 0 ? e.startTime + e.duration - e.renderStart : 0;
        return [e.startTime, e.duration, e.duration - render, render];
      };
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__frames.push(split(e)))).observe({
        type: "long-animation-frame",
        buffered: true,
      });
    } catch {}
  });
  await page.goto(APP);
  await page.locator("section.report-view[data-hydrated=true]").waitFor();
  await page.locator("#model").selectOption("fake/echo");
  // A real contract below the directives, so the server checks every finding and the page
  // shows a verdict on each (most point past its end: unverified).
  await page.locator("#contract").fill(`%% long ${TOKENS}\n%% rate ${RATE}\n${CHECKED ? CONTRACT : "benchmark"}`);
  const begin = await page.evaluate(() => performance.now());
  await page.locator("#generate").click();
  await page.locator(".status[data-state=streaming]").waitFor({ timeout: 30_000 });
  const first = await page.evaluate(() => performance.now());
  await page.locator("#report[data-phase=done]").waitFor({ timeout: (TOKENS / RATE) * 1000 * 3 + 30_000 });
  const end = await page.evaluate(() => performance.now());

  const { tasks, frames, ticks } = await page.evaluate(() => ({
    tasks: [...window.__tasks],
    frames: [...window.__frames],
    ticks: [...window.__ticks],
  }));
  // The observer's self-check, after the stream's entries are taken: a 120 ms task that
  // the page itself runs (a timer) must be recorded.
  await page.evaluate(() =>
    setTimeout(() => {
      const t = performance.now();
      while (performance.now() - t < 120) {}
    }, 0),
  );
  const observerWorks = await page
    .waitForFunction(() => window.__tasks.some(([, d]) => d >= 120), null, { timeout: 5_000 })
    .then(() => true, () => false);
  await page.locator("#copy-report").click();
  const shown = await page.evaluate(() => navigator.clipboard.readText());
  const sent = await (await fetch(`${FAKE}/last-report`)).text();
  const blocks = await page.locator("#report .md-block").count();
  await browser.close();

  const during = (list, from, to) => list.filter(([s]) => s >= from && s < to);
  const sum = (list) => list.reduce((t, [, d]) => t + Math.max(0, d - 50), 0);
  const max = (list) => list.reduce((m, [, d]) => Math.max(m, d), 0);
  const streamTasks = during(tasks, begin, end);
  const streamFrames = during(frames, begin, end);
  const firstWindow = during(tasks, first, first + WINDOW_MS);
  const lastWindow = during(tasks, end - WINDOW_MS, end);
  // Where long animation frames spend their time: running script vs style, layout, paint.
  const split = (list) => {
    const script = list.reduce((t, f) => t + f[2], 0);
    const render = list.reduce((t, f) => t + f[3], 0);
    return `script ${script.toFixed(0)} ms, rendering ${render.toFixed(0)} ms in ${list.length} frames`;
  };
  // Frame intervals (ms between animation frames) in a window: median, p99, longest.
  const intervals = (from, to) => {
    const inside = ticks.filter((t) => t >= from && t < to);
    const gaps = inside.slice(1).map((t, i) => t - inside[i]).sort((a, b) => a - b);
    const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] ?? 0;
    return `median ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, longest ${(gaps.at(-1) ?? 0).toFixed(1)} ms`;
  };
  const { wasm, js } = sizes();
  const kb = (b) => (b / 1024).toFixed(1);
  console.log(`tokens                  ${TOKENS} at ${RATE}/s; ${blocks} finished blocks`);
  console.log(`stream                  ${((end - first) / 1000).toFixed(1)} s from first token to done`);
  console.log(`longest task            ${max(streamTasks).toFixed(0)} ms (${streamTasks.length} tasks over 50 ms)`);
  console.log(`longest animation frame ${max(streamFrames).toFixed(0)} ms (${streamFrames.length} frames over 50 ms)`);
  const worst = [...streamTasks].sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`longest tasks at        ${worst.map(([s, d]) => `${((s - first) / 1000).toFixed(1)} s (${d.toFixed(0)} ms)`).join(", ") || "none"} after the first token`);
  console.log(`long-task time (>50ms)  first 10 s ${sum(firstWindow).toFixed(0)} ms, last 10 s ${sum(lastWindow).toFixed(0)} ms`);
  console.log(`long frames, first 10 s ${split(during(frames, first, first + WINDOW_MS))}`);
  console.log(`long frames, last 10 s  ${split(during(frames, end - WINDOW_MS, end))}`);
  console.log(`frame interval, first 10 s ${intervals(first, first + WINDOW_MS)}`);
  console.log(`frame interval, last 10 s  ${intervals(end - WINDOW_MS, end)}`);
  console.log(`long-task observer      ${observerWorks ? "records (a 120 ms test task was seen)" : "SAW NOTHING: the figures above are not valid"}`);
  console.log(`final text              ${shown === sent ? "equal to what the model sent" : `DIFFERENT (${shown.length} vs ${sent.length} chars)`}`);
  console.log(`site size, gzip         wasm ${kb(wasm)} KB + js ${kb(js)} KB = ${kb(wasm + js)} KB`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => children.forEach((c) => c.kill()));
