// The reader (markdown renderer, findings, panels, exports), the history page and the
// stored report's page are wasm parts of their own, loaded after the generator works
// or when a page needs them. These tests hold a part back or make it fail, as a slow or
// broken connection would: the page must work without it, say what is missing, and take
// it up when it comes. Everything else the page loads is untouched.
import { expect, test, type Page, type Route } from "@playwright/test";
import { readFileSync } from "node:fs";
import { FAKE_MODEL, FAST, SLOW, open, phase, report } from "./helpers";

const READER_PART = /\/pkg\/split_reader\.[^/]*\.wasm$/;
const HISTORY_PART = /\/pkg\/split_history\.[^/]*\.wasm$/;

const REPORT =
  "# Security report: Late.sol\n\n## Summary\nOne finding.\n\n## Findings\n\n" +
  "### 1. Reentrancy in withdraw\n- **Severity:** High\n- **Line:** 3\n\n" +
  "**Explanation.** The balance is cleared after the external call.\n";

/** Holds every request for the reader's part until `release()`; counts them. */
async function holdReaderPart(page: Page, part = READER_PART) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const asked = { count: 0 };
  await page.route(part, async (route: Route) => {
    asked.count += 1;
    await released;
    await route.continue();
  });
  return { release, asked };
}

async function failReaderPart(page: Page, part = READER_PART) {
  const asked = { count: 0 };
  await page.route(part, (route: Route) => {
    asked.count += 1;
    return route.abort("connectionfailed");
  });
  return asked;
}

test("the page works before the reader's part arrives, and takes it up when it does", async ({ page }) => {
  const { release, asked } = await holdReaderPart(page);
  await open(page, FAST, { reader: false });
  // It was asked for once the page was idle, and has not arrived.
  await expect.poll(() => asked.count).toBeGreaterThan(0);
  await expect(page.locator("#report.report-plain")).toHaveCount(1);

  await page.locator("#model").selectOption(FAKE_MODEL);
  await page.locator("#contract").fill(REPORT);
  await page.locator("#generate").click();
  // The report is read as it arrives, as plain text.
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  await expect(report(page)).toContainText("### 1. Reentrancy in withdraw");
  await expect(page.locator("#report h1")).toHaveCount(0);
  await expect(page.locator("#copy-report")).toBeEnabled();

  release();
  // The rendered reader takes over from the whole text, findings and all.
  await expect(page.locator("#report h1")).toHaveText("Security report: Late.sol");
  await expect(page.locator("#report.report-plain")).toHaveCount(0);
  await expect(page.locator(".findings .finding")).toHaveCount(1);
  await expect(page.locator(".findings .finding").first()).toContainText("Reentrancy in withdraw");
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
});

test("a report running when the reader's part arrives goes on rendered, text whole", async ({ page }) => {
  const { release } = await holdReaderPart(page);
  await open(page, SLOW, { reader: false });
  await page.locator("#contract").fill("pragma solidity ^0.8.0;\ncontract A { function f() public { tx.origin; } }\n");
  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "streaming");
  await expect(report(page)).toContainText("Security report");
  release();
  await expect(page.locator("#report h1")).toContainText("Security report");
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 45_000 });
  // The Markdown download is the text as written: one report, nothing lost or doubled.
  const download = page.waitForEvent("download");
  await page.locator("#download-md").click();
  const md = readFileSync((await (await download).path())!, "utf8");
  expect(md.match(/# Security report/g)?.length).toBe(1);
  expect(md).toContain("## Findings");
});

test("when the reader's part fails to load, Generate and Stop still work and the page says why", async ({ page }) => {
  const asked = await failReaderPart(page);
  await open(page, SLOW, { reader: false });
  await expect.poll(() => asked.count).toBeGreaterThan(0);
  await expect(page.locator(".reader-unavailable")).toContainText("did not load");

  await page.locator("#contract").fill("pragma solidity ^0.8.0;\ncontract A { function f() public { tx.origin; } }\n");
  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "streaming");
  await expect(report(page)).toContainText("Security report");
  await page.locator("#stop").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
  const kept = await report(page).textContent();
  expect(kept?.length).toBeGreaterThan(0);

  // Try again, once the connection is back: the rendered reader shows what was kept.
  await page.unroute(READER_PART);
  await page.locator("#reader-retry").click();
  await expect(page.locator("#report h1")).toContainText("Security report");
  await expect(page.locator(".reader-unavailable")).toHaveCount(0);
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
});

test("a stored report's page waits for the reader's part, and stays readable without it", async ({ page }) => {
  await open(page, FAST);
  await page.locator("#model").selectOption(FAKE_MODEL);
  await page.locator("#contract").fill(REPORT);
  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  const link = page.locator("#saved-report");
  await expect(link).toHaveAttribute("href", /^\/reports\//);
  const href = (await link.getAttribute("href"))!;
  const url = new URL(href, FAST).toString();

  // Late: the page is the server's (readable) until the part comes, then works.
  const { release } = await holdReaderPart(page);
  await page.goto(url);
  await expect(page.locator("#report h1")).toHaveText("Security report: Late.sol");
  await expect(page.locator("section.stored-report")).toHaveAttribute("data-hydrated", "false");
  release();
  await expect(page.locator("section.stored-report")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator(".findings .finding")).toHaveCount(1);

  // Failed: still the server's page, with a line saying it does not respond.
  await page.unroute(READER_PART);
  await failReaderPart(page);
  await page.goto(url);
  await expect(page.locator(".reader-unavailable.static")).toContainText("does not respond");
  await expect(page.locator("#report h1")).toHaveText("Security report: Late.sol");
  await expect(page.locator("section.stored-report")).toHaveAttribute("data-hydrated", "false");
});

test("the history page is a part of its own: loading, failing, retried, and opened directly", async ({ page }) => {
  // The generator never asks for it: by the time its idle load of the reader is done
  // (the rendered reader has replaced the plain one), nothing asked for the history.
  const asked = await failReaderPart(page, HISTORY_PART);
  await open(page, FAST);
  await expect(page.locator("#report.report-plain")).toHaveCount(0);
  expect(asked.count).toBe(0);

  // A navigation to it fetches it; it fails, says so, and Try again brings it.
  await page.locator("nav.top-nav a", { hasText: "History" }).click();
  await expect(page.locator(".reader-unavailable")).toContainText("Loading the history failed");
  expect(asked.count).toBe(1);
  await page.unroute(HISTORY_PART);
  const { release } = await holdReaderPart(page, HISTORY_PART);
  await page.locator("#reader-retry").click();
  await expect(page.locator(".history-loading")).toContainText("Loading the history");
  release();
  await expect(page.locator("section.history-view h2")).toHaveText("History");
  await expect(page.locator("section.history-view")).toHaveAttribute("data-hydrated", "true");

  // Opened at its address without its part: the server's list, with a line saying so.
  await page.unroute(HISTORY_PART);
  await failReaderPart(page, HISTORY_PART);
  await page.goto(`${FAST}history`);
  await expect(page.locator("section.history-view h2")).toHaveText("History");
  await expect(page.locator(".reader-unavailable.static")).toContainText("does not respond");
  await expect(page.locator("section.history-view")).toHaveAttribute("data-hydrated", "false");
});
