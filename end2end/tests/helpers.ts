// Shared steps for the browser tests: open a server's page once it has hydrated, and
// send a report through the fake model (fake-model.mjs streams back the contract).
import { expect, type Page } from "@playwright/test";

export const SLOW = "http://127.0.0.1:3100/";
export const FAST = "http://127.0.0.1:3101/";
export const FAKE = "http://127.0.0.1:3190";
export const FAKE_MODEL = "fake/echo";

/**
 * Opens the generator once it has hydrated and, unless `reader` is false, once the
 * reader's part (loaded while the page is idle) has replaced the plain text view, so a
 * test of the rendered report never sees the switch.
 */
export async function open(page: Page, url: string, { reader = true } = {}) {
  await page.goto(url);
  // Generate only works once the wasm has hydrated the server-rendered page.
  await expect(page.locator("section.report-view")).toHaveAttribute("data-hydrated", "true");
  if (reader) await expect(page.locator("#report.report-plain")).toHaveCount(0);
}

export const report = (page: Page) => page.locator("#report .report-text");
export const phase = (page: Page) => page.locator("#report");

/** Asks the fake model for exactly `markdown` (directive lines first, see fake-model.mjs). */
export async function generateFake(page: Page, markdown: string) {
  await page.locator("#model").selectOption(FAKE_MODEL);
  await page.locator("#contract").fill(markdown);
  await page.locator("#generate").click();
}

export async function fakeHits(): Promise<string[]> {
  return (await fetch(`${FAKE}/hits`)).json();
}

export async function fakeStreams(): Promise<{ started: number; aborted: number }> {
  return (await fetch(`${FAKE}/streams`)).json();
}

/** A report long enough to scroll: `n` findings in our report grammar. */
export function longReport(n: number): string {
  let md = "# Security report: Long.sol\n\n## Summary\nMany findings.\n\n## Findings\n\n";
  for (let i = 1; i <= n; i++) {
    md += `### ${i}. Finding number ${i}\n- **Severity:** High\n- **Line:** ${i}\n\n`;
    md += "```solidity\nfunction f" + i + "() external {}\n```\n\n";
    md += `**Explanation.** Paragraph ${i} explains the issue in a few words.\n\n`;
  }
  return md;
}
