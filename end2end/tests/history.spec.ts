// History in the app, against the real server and its SQLite history: a report is
// listed at /history and opens at /reports/{id} from the server's HTML with the same
// reader, Stop keeps a partial report, the filters live in the URL, another browser
// sees none of it and may not delete it, Delete removes it, Run again refills the
// editor. Each test names its reports with a marker of its own, so no test depends on
// another spec's reports or on their order.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { FAKE_MODEL, FAST, open, phase, report } from "./helpers";

const HISTORY = `${FAST}history`;

/** A marker no other report has. */
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** A report with one High and one Medium finding, and `marker` in its summary. */
function twoFindings(marker: string): string {
  return (
    `# Security report: ${marker}\n\n## Summary\nTwo findings, marker ${marker}.\n\n## Findings\n\n` +
    "### 1. Reentrancy in withdraw\n- **Severity:** High\n- **Line:** 3\n\n" +
    "**Explanation.** The balance is cleared after the external call.\n\n" +
    "### 2. Unchecked call result\n- **Severity:** Medium\n- **Line:** 5\n\n" +
    "**Explanation.** The call's result is ignored.\n"
  );
}

/** Opens a file named `name` holding `markdown` (the fake model writes it back) and generates. */
async function generateFile(page: Page, name: string, markdown: string) {
  await page.locator("#model").selectOption(FAKE_MODEL);
  await page.locator("#file").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from(markdown) });
  await expect(page.locator("#contract")).toHaveValue(markdown);
  await page.locator("#generate").click();
}

/** The stored report's id, from the generator's "Saved to history" link. */
async function savedId(page: Page): Promise<string> {
  const link = page.locator("#saved-report");
  await expect(link).toHaveAttribute("href", /^\/reports\/[0-9a-f-]{36}$/);
  return (await link.getAttribute("href"))!.split("/").pop()!;
}

/** Waits until the store has written the report's end (the page may see it first). */
async function storedAs(page: Page, id: string, status: string) {
  await expect
    .poll(async () => (await (await page.request.get(`${FAST}api/reports/${id}`)).json()).status)
    .toBe(status);
}

/** Generates a report through the fake model and returns its id once it is stored. */
async function stored(page: Page, name: string, markdown: string, status = "done"): Promise<string> {
  await open(page, FAST);
  await generateFile(page, name, markdown);
  await expect(phase(page)).toHaveAttribute("data-phase", status === "failed" ? "error" : status);
  const id = await savedId(page);
  await storedAs(page, id, status);
  return id;
}

async function openHistory(page: Page, url = HISTORY) {
  await page.goto(url);
  await expect(page.locator("section.history-view")).toHaveAttribute("data-hydrated", "true");
}

async function openStored(page: Page, id: string) {
  await page.goto(`${FAST}reports/${id}`);
  await expect(page.locator("section.stored-report")).toHaveAttribute("data-hydrated", "true");
}

const row = (page: Page, name: string) => page.locator(".history-item", { hasText: name });

async function downloadJson(page: Page) {
  const download = page.waitForEvent("download");
  await page.locator("#download-json").click();
  return JSON.parse(readFileSync((await (await download).path())!, "utf8"));
}

test("a finished report is listed and opens on its own page, rendered by the server", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" || /hydrat/i.test(m.text())) problems.push(m.text());
  });
  const name = `${unique("Vault")}.sol`;
  // Model output is attacker-controlled; stored, it must stay as inert as it was live.
  const hostile = '\n<script>window.__pwned = 1</script></script><img src=x onerror="window.__pwned = 2">\n';
  const md = twoFindings(name) + hostile;
  await open(page, FAST);
  await generateFile(page, name, md);
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  const id = await savedId(page);
  const liveFindings = await page.locator("aside.findings").innerText();
  expect(liveFindings).toContain("Reentrancy in withdraw");
  const liveJson = await downloadJson(page);
  await storedAs(page, id, "done");

  // The header's link to the history, then the row to the report page.
  await page.getByRole("link", { name: "History" }).click();
  await expect(page).toHaveURL(HISTORY);
  const item = row(page, name);
  await expect(item).toHaveCount(1);
  await expect(item.locator(".history-status")).toHaveText("done");
  await expect(item.locator(".history-counts")).toHaveText("1 High · 1 Medium");
  await expect(item.locator(".history-model")).toHaveText(FAKE_MODEL);
  await expect(item.locator(".history-time")).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  await item.getByRole("link", { name }).click();
  await expect(page).toHaveURL(`${FAST}reports/${id}`);

  // The same reader: the same findings, the same export, the same hooks.
  const check = async () => {
    await expect(phase(page)).toHaveAttribute("data-phase", "done");
    await expect(report(page)).toContainText(`Two findings, marker ${name}.`);
    await expect(page.locator("#report h3")).toHaveCount(2);
    await expect(page.locator("aside.findings")).toBeVisible();
    expect(await page.locator("aside.findings").innerText()).toBe(liveFindings);
    await expect(page.locator(".status .phase")).toHaveText("done");
    await expect(page.locator(".status .model")).toHaveText(FAKE_MODEL);
  };
  await check();
  await page.reload();
  await expect(page.locator("section.stored-report")).toHaveAttribute("data-hydrated", "true");
  await check();
  expect(await downloadJson(page)).toEqual(liveJson);

  // A finding's location opens the stored contract at its line.
  await page.locator(".finding .location").first().click();
  await expect(page.locator("#contract-view li.hl")).toHaveCount(1);

  // The report is in the server's HTML, not fetched afterwards.
  const response = await page.request.get(`${FAST}reports/${id}`);
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain(`Two findings, marker ${name}.`);
  expect(html).toContain("Reentrancy in withdraw");
  expect(html).toContain('data-phase="done"');
  expect(html).not.toContain("<script>window.__pwned");
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await expect(page.locator("#report img")).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("a stopped report is listed as stopped and keeps its partial text", async ({ page }) => {
  const name = `${unique("Stopped")}.sol`;
  let md = `# Security report: ${name}\n\n## Findings\n\n`;
  for (let i = 1; i <= 40; i++) md += `### ${i}. Finding number ${i}\n- **Severity:** High\n- **Line:** ${i}\n\n`;
  await open(page, FAST);
  await generateFile(page, name, "%% pace 40\n" + md);
  await expect(report(page)).toContainText("Finding number 2");
  await page.locator("#stop").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
  const id = await savedId(page);
  await storedAs(page, id, "stopped");

  await openHistory(page, `${HISTORY}?status=stopped`);
  await expect(row(page, name).locator(".history-status")).toHaveText("stopped");

  await row(page, name).getByRole("link", { name }).click();
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
  await expect(page.locator(".status .phase")).toHaveText("stopped: partial report");
  await expect(report(page)).toContainText("Finding number 2");
  await expect(report(page)).not.toContainText("Finding number 40");
});

test("the filename search and the status and severity filters narrow the list, in the URL", async ({ page }) => {
  const marker = unique("Filter");
  const alpha = `${marker}-Alpha.sol`;
  const beta = `${marker}-Beta.sol`;
  await stored(page, alpha, twoFindings(alpha));
  // A stream cut short without its end is a failed report; its finding is High only.
  const cut = `# Security report\n\n## Findings\n\n### 1. Lone finding\n- **Severity:** High\n- **Line:** 1\n\n`;
  await stored(page, beta, "%% truncate\n" + cut, "failed");

  await openHistory(page, `${HISTORY}?q=${marker}`);
  await expect(page.locator(".history-item")).toHaveCount(2);
  await expect(page.locator(".history-total")).toHaveText("2 reports");
  await expect(page.locator(".page-of")).toHaveText("page 1 of 1");
  // Newest first.
  await expect(page.locator(".history-item .history-name")).toHaveText([beta, alpha]);

  await page.locator("#history-status").selectOption("failed");
  await expect(page).toHaveURL(`${HISTORY}?q=${marker}&status=failed`);
  await expect(page.locator(".history-item")).toHaveCount(1);
  await expect(row(page, beta)).toHaveCount(1);

  await page.goBack();
  await expect(page.locator(".history-item")).toHaveCount(2);
  await expect(page.locator("#history-status")).toHaveValue("");

  await page.locator("#history-severity").selectOption("medium");
  await expect(page).toHaveURL(`${HISTORY}?q=${marker}&severity=medium`);
  await expect(page.locator(".history-item .history-name")).toHaveText([alpha]);

  // A shared link opens as it was left.
  await openHistory(page, `${HISTORY}?severity=medium&q=${marker}`);
  await expect(page.locator(".history-item .history-name")).toHaveText([alpha]);
  await expect(page.locator("#history-severity")).toHaveValue("medium");
  await expect(page.locator("#history-q")).toHaveValue(marker);

  await openHistory(page);
  await page.locator("#history-q").fill(beta);
  await page.locator("#history-q").press("Enter");
  await expect(page).toHaveURL(`${HISTORY}?q=${beta}`);
  await expect(page.locator(".history-item .history-name")).toHaveText([beta]);

  await page.locator("#history-q").fill(`${marker}-nothing`);
  await page.locator("#history-search").click();
  await expect(page.locator(".history-empty")).toContainText("No reports match");
  await expect(page.locator(".history-item")).toHaveCount(0);
});

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

test("another browser sees none of these reports and may read but not delete one by its link", async ({ page, browser }) => {
  const name = `${unique("Owned")}.sol`;
  const id = await stored(page, name, twoFindings(name));

  const other = await freshPage(browser);
  await openHistory(other);
  await expect(other.locator(".history-item")).toHaveCount(0);
  await expect(other.locator(".history-empty")).toContainText("No reports yet");

  // The id is the capability to read.
  await openStored(other, id);
  await expect(report(other)).toContainText(`Two findings, marker ${name}.`);
  await other.locator(".delete-report").click();
  await expect(other.locator(".delete-report")).toContainText("Confirm delete");
  await other.locator(".delete-report").click();
  await expect(other.locator(".delete-refused")).toHaveText(
    "Only the browser that created this report can delete it.",
  );
  await expect(other).toHaveURL(`${FAST}reports/${id}`);
  await other.context().close();

  await openHistory(page);
  await expect(row(page, name)).toHaveCount(1);
});

test("Delete removes a report from the list or from its page, and its link then finds nothing", async ({ page }) => {
  const first = `${unique("Gone")}.sol`;
  const second = `${unique("GoneToo")}.sol`;
  const firstId = await stored(page, first, twoFindings(first));
  const secondId = await stored(page, second, twoFindings(second));

  await openHistory(page);
  const item = row(page, first);
  await item.locator(".delete-report").click();
  await expect(item.locator(".delete-report")).toContainText("Confirm delete");
  await item.locator(".delete-report").click();
  await expect(row(page, first)).toHaveCount(0);
  await expect(row(page, second)).toHaveCount(1);

  await openStored(page, firstId);
  await expect(page.locator("#report-not-found")).toHaveText(
    "No report has this id; it may have been deleted or pruned.",
  );
  expect((await page.request.get(`${FAST}reports/${firstId}`)).status()).toBe(404);

  // From the report page: back to the list, without it.
  await openStored(page, secondId);
  await page.locator(".delete-report").click();
  await page.locator(".delete-report").click();
  await expect(page).toHaveURL(HISTORY);
  await expect(page.locator("section.history-view")).toBeVisible();
  await expect(row(page, second)).toHaveCount(0);
});

test("Run again opens the generator with the stored contract, file and model", async ({ page }) => {
  const name = `${unique("Again")}.sol`;
  const md = twoFindings(name);
  const id = await stored(page, name, md);

  await openStored(page, id);
  await page.locator("#run-again").click();
  await expect(page).toHaveURL(`${FAST}?rerun=${id}`);
  await expect(page.locator("section.report-view")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#contract")).toHaveValue(md);
  await expect(page.locator(".actions .file span")).toHaveText(name);
  await expect(page.locator("#model")).toHaveValue(FAKE_MODEL);

  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  await expect(report(page)).toContainText(`Two findings, marker ${name}.`);
  expect(await savedId(page)).not.toBe(id);
});

test("the history and a report page fit a 375-pixel screen", async ({ page }) => {
  const name = `${unique("Narrow-with-a-rather-long-file-name-that-must-wrap")}.sol`;
  const id = await stored(page, name, twoFindings(name));
  await page.setViewportSize({ width: 375, height: 740 });
  const fits = async () => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
  };
  await openHistory(page);
  await expect(row(page, name)).toBeVisible();
  await fits();
  await openStored(page, id);
  await expect(page.locator("aside.findings")).toBeVisible();
  await fits();
});
