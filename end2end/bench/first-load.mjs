// Browser benchmark of the first load on a slow phone connection (a measurement, not a
// test: it prints figures and asserts nothing). It exists because a visitor's first
// seconds are spent downloading the app before Generate works (issue 20): this is where
// the size of the first download, and what it costs on "Fast 3G", is measured.
//
// The release server serves the builtin analyzer; Chromium loads the generator page from
// a fresh profile (nothing cached) under Chrome's Fast 3G conditions, set through the
// DevTools protocol (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up). As soon as the
// page has hydrated (`section.report-view[data-hydrated=true]`, the moment Generate
// works), the run fills the contract box and clicks Generate, and records when the first
// token of the builtin report is on screen. Both times count from the navigation's start
// (`performance.now()` in the page). After the report ends it reads what the page loaded
// (resource timing: bytes as transferred, headers included) and then reloads the page in
// the same profile to see what a repeat visit downloads. Medians over the runs.
//
//   cargo leptos build --release --split
//   node end2end/bench/first-load.mjs [--runs 5] [--url http://host:port/] [--no-throttle]
//
// Without `--url` it starts `target/release/auditstream` (or AUDITSTREAM_BIN) on port
// 3392 with the site in `target/site` (or LEPTOS_SITE_ROOT); the sizes on disk are read
// from that site's `pkg/`.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";

const root = join(import.meta.dirname, "..", "..");
const flag = (name) => process.argv.includes(`--${name}`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg("runs", 5));
const OWN_PORT = 3392;
const APP = arg("url", `http://127.0.0.1:${OWN_PORT}/`);
const SITE = process.env.LEPTOS_SITE_ROOT ?? join(root, "target", "site");
const CONTRACT = readFileSync(join(root, "testdata/contracts/swc_simple_dao.sol"), "utf8");
// Chrome's Fast 3G as the issue sets it, in the protocol's units (bytes per second).
const FAST_3G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};

const children = [];
async function ready(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function startServer() {
  const work = mkdtempSync(join(tmpdir(), "first-load-bench-"));
  const child = spawn(process.env.AUDITSTREAM_BIN ?? "target/release/auditstream", [], {
    cwd: root,
    stdio: "ignore",
    env: {
      ...process.env,
      LEPTOS_OUTPUT_NAME: "auditstream",
      LEPTOS_SITE_ROOT: SITE,
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_SITE_ADDR: `127.0.0.1:${OWN_PORT}`,
      LEPTOS_ENV: "PROD",
      // The builtin analyzer only, at its default pace: the first token is the server's
      // analysis of a small contract, a few milliseconds.
      AUDITSTREAM_CONFIG: "",
      AUDITSTREAM_DATA_DIR: join(work, "data"),
      AUDITSTREAM_RATE_PER_MINUTE: "0",
      RUST_LOG: "warn",
    },
  });
  children.push(child);
}

/** The site's wasm, js and css on disk: raw, gzip -9 and brotli 11, in bytes. */
function onDisk() {
  const pkg = join(SITE, "pkg");
  const rows = [];
  for (const name of readdirSync(pkg)) {
    if (!/\.(wasm|js|css)$/.test(name)) continue;
    const bytes = readFileSync(join(pkg, name));
    rows.push({
      name,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  return rows;
}

// Installed before the page's own scripts: the moments the page hydrates and the first
// token is on screen, stamped by a MutationObserver (no polling delay).
function marks() {
  const w = window;
  w.__marks = {};
  const check = () => {
    if (w.__marks.hydrated === undefined && document.querySelector("section.report-view[data-hydrated=true]")) {
      w.__marks.hydrated = performance.now();
    }
    const text = document.querySelector("#report .report-text");
    if (w.__marks.token === undefined && text && text.textContent.trim().length > 0) {
      w.__marks.token = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

async function run(browser, throttle) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (throttle) await cdp.send("Network.emulateNetworkConditions", FAST_3G);
  // How each response was encoded, by URL (resource timing does not say).
  const encoding = new Map();
  cdp.on("Network.responseReceived", ({ response }) => {
    const h = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    encoding.set(response.url, h["content-encoding"] ?? "identity");
  });
  await page.addInitScript(marks);
  await page.goto(APP);
  await page.waitForFunction(() => window.__marks.hydrated !== undefined, null, { timeout: 60_000 });
  await page.locator("#contract").fill(CONTRACT);
  await page.locator("#generate").click();
  await page.waitForFunction(() => window.__marks.token !== undefined, null, { timeout: 60_000 });
  await page.locator("#report[data-phase=done]").waitFor({ timeout: 120_000 });
  const { marks: m, resources } = await page.evaluate(() => ({
    marks: window.__marks,
    resources: [
      ...performance.getEntriesByType("navigation"),
      ...performance.getEntriesByType("resource"),
    ].map((e) => ({ name: e.name, start: e.startTime, transfer: e.transferSize, body: e.encodedBodySize })),
  }));
  // A repeat visit in the same profile: what must be downloaded again.
  await page.addInitScript(marks);
  await page.reload();
  await page.waitForFunction(() => window.__marks.hydrated !== undefined, null, { timeout: 60_000 });
  const repeat = await page.evaluate(() => ({
    hydrated: window.__marks.hydrated,
    bytes: [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].reduce(
      (t, e) => t + e.transferSize,
      0,
    ),
  }));
  await context.close();

  const asset = (r) => /\/pkg\/.*\.(wasm|js|css)$/.test(new URL(r.name).pathname);
  const first = resources.filter((r) => asset(r) && r.start <= m.hydrated);
  const later = resources.filter((r) => asset(r) && r.start > m.hydrated);
  // The report's own stream is the answer to Generate, not part of the page.
  const page_ = resources.filter((r) => !new URL(r.name).pathname.startsWith("/api/report"));
  const sum = (list) => list.reduce((t, r) => t + r.transfer, 0);
  return {
    hydrated: m.hydrated,
    token: m.token,
    first: sum(first),
    later: sum(later),
    total: sum(page_),
    repeat,
    files: first.map((r) => `${new URL(r.name).pathname} (${encoding.get(r.name) ?? "?"})`),
    laterFiles: later.map((r) => new URL(r.name).pathname),
  };
}

async function main() {
  if (!arg("url")) {
    startServer();
  }
  await ready(APP);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"],
  });
  const throttle = !flag("no-throttle");
  // One unmeasured run first: the server's first analysis and the disk cache warm up.
  await run(browser, false);
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run(browser, throttle));
  await browser.close();

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const kb = (b) => (b / 1024).toFixed(1);
  const ms = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  const disk = onDisk();
  const firstNames = new Set(runs[0].files.map((f) => f.split(" ")[0].split("/").pop()));
  const diskSum = (rows, k) => rows.reduce((t, r) => t + r[k], 0);
  const firstDisk = disk.filter((r) => firstNames.has(r.name));
  console.log(`server                   ${APP} (${throttle ? "Fast 3G: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up" : "no throttling"}), ${RUNS} runs, medians (min–max)`);
  console.log(`first download, as sent  ${kb(median(runs.map((r) => r.first)))} KB: ${runs[0].files.join(", ")}`);
  console.log(`  the same files, gzip   ${kb(diskSum(firstDisk, "gzip"))} KB, brotli ${kb(diskSum(firstDisk, "br"))} KB (raw ${kb(diskSum(firstDisk, "raw"))} KB)`);
  console.log(`loaded after hydrating  ${kb(median(runs.map((r) => r.later)))} KB: ${runs[0].laterFiles.join(", ") || "nothing"}`);
  console.log(`everything the page loaded ${kb(median(runs.map((r) => r.total)))} KB (HTML, assets, API calls; not the report stream)`);
  console.log(`site pkg/ on disk, gzip  ${kb(diskSum(disk, "gzip"))} KB, brotli ${kb(diskSum(disk, "br"))} KB (${disk.map((r) => r.name).join(", ")})`);
  console.log(`navigation → Generate works (hydrated) ${ms(runs.map((r) => r.hydrated))}`);
  console.log(`navigation → first builtin token       ${ms(runs.map((r) => r.token))}`);
  console.log(`repeat visit: downloaded ${kb(median(runs.map((r) => r.repeat.bytes)))} KB, hydrated after ${ms(runs.map((r) => r.repeat.hydrated))}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => children.forEach((c) => c.kill()));
