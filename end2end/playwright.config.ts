// Playwright drives Debian's Chromium (no browser download) against the real server
// binary, started twice: at a slow builtin pace (to watch streaming and Stop) and at
// full speed (to see token bursts coalesce into one update per frame); and a fake
// OpenAI-compatible model (fake-model.mjs) that streams back whatever report a test
// writes into the contract box. Each server keeps its history in a data directory of
// its own, emptied at start, so no run sees reports of an earlier one.
import { defineConfig } from "@playwright/test";

const root = "..";
const bin = process.env.AUDITSTREAM_BIN ?? "target/debug/auditstream";
const server = (port: number, paceMs: string) => ({
  command: `sh -c 'rm -rf target/e2e-history/${port} && exec "$0"' ${bin}`,
  cwd: root,
  url: `http://127.0.0.1:${port}/`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: "pipe" as const,
  env: {
    LEPTOS_OUTPUT_NAME: "auditstream",
    LEPTOS_SITE_ROOT: "target/site",
    LEPTOS_SITE_PKG_DIR: "pkg",
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_ENV: "PROD",
    AUDITSTREAM_CONFIG: "end2end/e2e.toml",
    AUDITSTREAM_BUILTIN_PACE_MS: paceMs,
    AUDITSTREAM_DATA_DIR: `target/e2e-history/${port}`,
    // The tests send more reports than a person would; the limiter has its own tests.
    AUDITSTREAM_RATE_PER_MINUTE: "0",
    // A keep-alive a second, so the page's watchdog (three missed) is seen in seconds.
    AUDITSTREAM_KEEPALIVE_SECS: "1",
    RUST_LOG: "warn",
  },
});

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: { trace: "off" },
  projects: [
    {
      name: "chromium",
      use: {
        browserName: "chromium",
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // A wheel then moves the report box in one step, so a test reads where it
            // ended rather than a point of an animation.
            "--disable-smooth-scrolling",
          ],
        },
      },
    },
  ],
  webServer: [
    {
      command: "node fake-model.mjs",
      url: "http://127.0.0.1:3190/health",
      reuseExistingServer: false,
      timeout: 10_000,
      env: { FAKE_MODEL_PORT: "3190" },
    },
    server(3100, "40"),
    server(3101, "1"),
  ],
});
