// The report streams into the page in real Chromium: it grows token by token, Stop
// keeps the partial text without an error, and a new Generate replaces the stream.
import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { open, phase, report } from "./helpers";

const SLOW = "http://127.0.0.1:3100/";
const FAST = "http://127.0.0.1:3101/";
const contracts = join(__dirname, "..", "..", "testdata", "contracts");
const DAO = readFileSync(join(contracts, "swc_simple_dao.sol"), "utf8");
const TX_ORIGIN = readFileSync(join(contracts, "swc_mycontract.sol"), "utf8");


test("the report writes itself token by token, then finishes", async ({ page }) => {
  await open(page, SLOW);
  await page.locator("#contract").fill(TX_ORIGIN);
  await page.locator("#generate").click();

  await expect(phase(page)).toHaveAttribute("data-phase", "streaming");
  await expect(page.locator("#report .cursor")).toBeVisible();
  await expect(page.locator("#generate")).toBeDisabled();

  // Several observations while streaming: the text only ever grows.
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = (await report(page).textContent())?.length ?? 0;
    await expect
      .poll(async () => (await report(page).textContent())?.length ?? 0)
      .toBeGreaterThan(before);
    seen.push((await report(page).textContent())?.length ?? 0);
    if ((await phase(page).getAttribute("data-phase")) !== "streaming") break;
  }
  expect(seen.length).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);

  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 45_000 });
  await expect(page.locator("#report .cursor")).toHaveCount(0);
  const text = await report(page).textContent();
  // The markdown is rendered: the title is a heading, the fields are bold list items.
  await expect(page.locator("#report h1")).toHaveCount(1);
  await expect(page.locator("#report h1")).toContainText("Security report");
  expect(text).toContain("tx-origin");
  const line = page.locator("#report li", { has: page.locator("strong", { hasText: "Line:" }) });
  await expect(line.first()).toHaveText("Line: 18");
  expect(text).not.toContain("**");
  await expect(page.locator(".status .model")).toHaveText("builtin/analyzer");
  await expect(page.locator("[role=alert]")).toHaveCount(0);
  await expect(page.locator("#generate")).toBeEnabled();
});

test("Stop ends the stream at once and keeps the partial text, with no error", async ({ page }) => {
  await open(page, SLOW);
  await page.locator("#contract").fill(DAO);
  await page.locator("#generate").click();
  await expect.poll(async () => (await report(page).textContent())?.length ?? 0).toBeGreaterThan(40);

  await page.locator("#stop").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
  const partial = (await report(page).textContent()) ?? "";
  expect(partial.length).toBeGreaterThan(40);

  // Nothing more arrives: the text is unchanged across later frames and a full second.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1000)));
  expect(await report(page).textContent()).toBe(partial);
  // The report was cut before its end: its last sentence never arrived.
  expect(partial).not.toContain("narrow the attack surface further.");
  await expect(page.locator("[role=alert]")).toHaveCount(0);
  await expect(page.locator("#report .cursor")).toHaveCount(0);
  await expect(page.locator("#generate")).toBeEnabled();
  await expect(page.locator("#stop")).toBeDisabled();
});

test("Generate with a new input during streaming replaces the stream", async ({ page }) => {
  await open(page, SLOW);
  const requests: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/report")) requests.push(r.postData() ?? "");
  });
  await page.locator("#contract").fill(DAO);
  await page.locator("#generate").click();
  await expect.poll(async () => (await report(page).textContent())?.length ?? 0).toBeGreaterThan(20);
  await expect(page.locator("#generate")).toBeDisabled();

  await page.locator("#contract").fill(TX_ORIGIN);
  await expect(page.locator("#generate")).toBeEnabled();
  await page.locator("#generate").click();

  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 45_000 });
  const text = (await report(page).textContent()) ?? "";
  expect(requests.length).toBe(2);
  // Only the second report is on the page: one title, and the tx.origin finding.
  await expect(page.locator("#report h1")).toHaveCount(1);
  expect(text.match(/Security report/g)?.length).toBe(1);
  expect(text).toContain("tx-origin");
  expect(text).not.toContain("reentrancy");
  await expect(page.locator("[role=alert]")).toHaveCount(0);
});

test("a burst of tokens updates the text at most once per animation frame", async ({ page }) => {
  // FAST paces tokens at 1 ms, so many network reads land within each 16 ms frame.
  await open(page, FAST);
  await page.evaluate(() => {
    const w = window as any;
    w.__frame = 0;
    const tick = () => {
      w.__frame++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    w.__changes = [] as number[];
    const text = document.querySelector("#report .report-text")!;
    let last = text.textContent ?? "";
    new MutationObserver(() => {
      const now = text.textContent ?? "";
      if (now !== last && now.length > 0) w.__changes.push(w.__frame);
      last = now;
    }).observe(text, { subtree: true, childList: true, characterData: true });
  });
  await page.locator("#contract").fill(DAO);
  await page.locator("#generate").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  const stats = (await page.locator(".status .stats").textContent()) ?? "";
  const tokens = Number(/(\d+) tokens/.exec(stats)?.[1]);
  const changes: number[] = await page.evaluate(() => (window as any).__changes);
  const perFrame = new Map<number, number>();
  for (const f of changes) perFrame.set(f, (perFrame.get(f) ?? 0) + 1);
  expect(tokens).toBeGreaterThan(100);
  expect(changes.length).toBeGreaterThan(3);
  expect(changes.length).toBeLessThan(tokens / 4);
  // One flush per frame; the final flush on `done` may share a frame with the last one.
  expect(Math.max(...perFrame.values())).toBeLessThanOrEqual(2);
});

test("a contract over the server's limit shows its error box", async ({ page }) => {
  await open(page, SLOW);
  await page.locator("#contract").fill("a".repeat(262_145));
  await page.locator("#generate").click();
  await expect(page.locator("[role=alert]")).toContainText("larger than the limit of 262144 bytes");
  await expect(phase(page)).toHaveAttribute("data-phase", "error");
  await expect(page.locator("#generate")).toBeEnabled();
});

test("the model picker offers every provider and marks an unreachable one", async ({ page }) => {
  await open(page, SLOW);
  const picker = page.locator("#model");
  await expect(picker.locator("option[value='builtin/analyzer']")).toHaveCount(1);
  await expect(picker).toHaveValue("builtin/analyzer");
  const offline = picker.locator("option[value='offline-ollama/qwen2.5-coder:7b']");
  await expect(offline).toHaveJSProperty("disabled", true);
  await expect(page.locator(".provider-problems li[data-provider='offline-ollama']")).toContainText(
    "cannot reach offline-ollama",
  );

  const sent = page.waitForRequest((r) => r.url().endsWith("/api/report"));
  await page.locator("#contract").fill(TX_ORIGIN);
  await page.locator("#generate").click();
  expect(JSON.parse((await sent).postData() ?? "{}").model).toBe("builtin/analyzer");
  await expect(page.locator(".status .model")).toHaveText("builtin/analyzer");
});
