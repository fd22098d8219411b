// Every state of the reader and every action on it, in real Chromium against the real
// server and the fake model: connecting, error with Retry, Regenerate, copy, downloads,
// shortcuts, file limits, following the stream, phone width, dark mode, the CSP, and
// leaving the page ending the report.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import {
  fakeStreams,
  generateFake,
  longReport,
  open,
  phase,
  report,
  SLOW,
} from "./helpers";

test("connecting waits with elapsed time, then streams, then shows final figures", async ({ page }) => {
  await open(page, SLOW);
  // About 100 chunks at 20 ms: long enough to be seen streaming.
  await generateFake(page, "%% delay 1500\n%% pace 20\n" + longReport(5));
  const status = page.locator(".status");
  await expect(status).toHaveAttribute("data-state", "connecting");
  await expect(status.locator(".phase")).toHaveText("waiting for the model…");
  await expect(phase(page)).toHaveAttribute("data-phase", "streaming");
  const elapsed = status.locator(".stat-elapsed");
  const first = await elapsed.textContent();
  await expect(elapsed).not.toHaveText(first!);
  await expect(status).toHaveAttribute("data-state", "streaming");
  await expect(page.locator("#announcer")).toHaveText("report started");
  await expect(status.locator(".stat-ttft")).toContainText(/first token \d+ ms/);
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  await expect(status.locator(".stat-tokens")).toHaveText(/^\d+ tokens$/);
  await expect(page.locator("#announcer")).toHaveText("report complete: 5 High");
  // The report text is never inside a live region.
  expect(await page.evaluate(() => !!document.querySelector("#report")!.closest("[aria-live],[role=status],[role=alert],[role=log]"))).toBe(false);
});

test("a failed stream keeps the partial report, says why, and Retry sends it again", async ({ page }) => {
  await open(page, SLOW);
  const sent: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/report")) sent.push(r.postData() ?? "");
  });
  await generateFake(page, "%% truncate\n## Partial\n\nThis part arrived.\n");
  await expect(phase(page)).toHaveAttribute("data-phase", "error");
  await expect(report(page)).toContainText("This part arrived.");
  const alert = page.locator(".error[role=alert]");
  await expect(alert).toBeVisible();
  await expect(page.locator(".status .phase")).toHaveText("failed: partial report kept");
  await page.locator("#retry").click();
  await expect.poll(() => sent.length).toBe(2);
  // The same input, as a new report (a report id of its own).
  const [first, again] = sent.map((raw) => JSON.parse(raw));
  expect({ ...again, report_id: undefined }).toEqual({ ...first, report_id: undefined });
  expect(again.report_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(again.report_id).not.toBe(first.report_id);
  await expect(phase(page)).toHaveAttribute("data-phase", "error");
  await expect(page.locator("#report h2")).toHaveCount(1);
});

test("Regenerate, copy report, copy code and the Markdown download", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page, SLOW);
  const md = "# Copy me\n\n```solidity\nuint256 x = 1;\n```\n\nDone.\n";
  await generateFake(page, md);
  await expect(phase(page)).toHaveAttribute("data-phase", "done");

  await page.locator("#copy-report").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(md);
  await page.locator("#report .copy-code").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("uint256 x = 1;\n");

  const download = page.waitForEvent("download");
  await page.locator("#download-md").click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("contract.report.md");
  expect(readFileSync((await file.path())!, "utf8")).toBe(md);

  const again = page.waitForRequest((r) => r.url().endsWith("/api/report"));
  await page.locator("#contract").fill("changed afterwards");
  await page.locator("#regenerate").click();
  // Regenerate sends the report's own input, not what the box holds now.
  expect(JSON.parse((await again).postData()!).contract).toBe(md);
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  await expect(page.locator("#report h1")).toHaveText("Copy me");
});

test("Ctrl+Enter generates and Esc stops, keeping the partial report", async ({ page }) => {
  await open(page, SLOW);
  await page.locator("#model").selectOption("fake/echo");
  await page.locator("#contract").fill(longReport(40).replace(/^/, "%% pace 30\n"));
  await page.locator("#contract").press("Control+Enter");
  await expect(report(page)).toContainText("Finding number 1");
  await page.keyboard.press("Escape");
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
  await expect(page.locator(".status .phase")).toHaveText("stopped: partial report");
  const partial = await report(page).textContent();
  expect(partial).toContain("Finding number 1");
  expect(partial).not.toContain("Finding number 40");
  await expect(page.locator("#announcer")).toContainText("stopped");
});

test("files: the size limit is checked before reading, at its edge, and the language shown", async ({ page }) => {
  await open(page, SLOW);
  await page.locator("#contract").fill("original text");
  const drop = async (name: string, size: number) => {
    const dt = await page.evaluateHandle(
      ([n, s]) => {
        const d = new DataTransfer();
        d.items.add(new File(["a".repeat(s as number)], n as string));
        return d;
      },
      [name, size],
    );
    await page.dispatchEvent("#contract", "drop", { dataTransfer: dt });
  };
  await drop("Big.sol", 262_145);
  await expect(page.locator(".input-error")).toHaveText(
    "Big.sol is 262145 bytes, larger than the limit of 262144 bytes",
  );
  await expect(page.locator("#contract")).toHaveValue("original text");

  await drop("notes.txt", 10);
  await expect(page.locator(".input-error")).toContainText("open a .sol or .vy file");

  await drop("Edge.sol", 262_144);
  await expect(page.locator(".input-error")).toHaveCount(0);
  await expect.poll(async () => (await page.locator("#contract").inputValue()).length).toBe(262_144);

  await page.locator("#file").setInputFiles({
    name: "Token.vy",
    mimeType: "text/plain",
    buffer: Buffer.from("# @version ^0.3.9\n@external\ndef f():\n    pass\n"),
  });
  await expect(page.locator(".language")).toHaveText("Vyper");
  await expect(page.locator(".actions .file span")).toHaveText("Token.vy");
});

test("auto-scroll follows the stream until a wheel-up, and Jump to latest resumes it", async ({ page }) => {
  await open(page, SLOW);
  await generateFake(page, "%% pace 20\n" + longReport(60));
  const box = page.locator("#report");
  const gap = () => box.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  await expect.poll(() => box.evaluate((el) => el.scrollHeight > el.clientHeight * 2)).toBe(true);
  await expect.poll(gap).toBeLessThanOrEqual(8);

  const before = await box.evaluate((el) => el.scrollTop);
  await box.hover();
  await page.mouse.wheel(0, -400);
  await expect(page.locator("#jump-latest")).toBeVisible();
  // The page sees the wheel event before the browser scrolls: wait for the scroll itself.
  await expect.poll(() => box.evaluate((el) => el.scrollTop)).toBeLessThan(before);
  const top = await box.evaluate((el) => el.scrollTop);
  const length = (await report(page).textContent())!.length;
  await expect.poll(async () => (await report(page).textContent())!.length).toBeGreaterThan(length + 200);
  expect(await box.evaluate((el) => el.scrollTop)).toBe(top);
  expect(await gap()).toBeGreaterThan(100);

  await page.locator("#jump-latest").click();
  await expect(page.locator("#jump-latest")).toHaveCount(0);
  await expect.poll(gap).toBeLessThanOrEqual(8);
  await page.locator("#stop").click();
});

test("a 375 px phone has no horizontal scrolling, with a wide table and long code", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await open(page, SLOW);
  const wide = "| " + Array.from({ length: 12 }, (_, i) => `column${i}`).join(" | ") + " |\n";
  const md = `# Wide\n\n${wide}|${"---|".repeat(12)}\n${wide}\n\`\`\`\n${"x".repeat(400)}\n\`\`\`\n\n${"y".repeat(300)}\n`;
  await generateFake(page, md);
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});

test("dark mode follows prefers-color-scheme", async ({ page }) => {
  const luminance = async () =>
    page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    });
  await page.emulateMedia({ colorScheme: "dark" });
  await open(page, SLOW);
  expect(await luminance()).toBeLessThan(0.2);
  await page.emulateMedia({ colorScheme: "light" });
  expect(await luminance()).toBeGreaterThan(0.8);
});

test("the CSP allows only the page's own origin and its nonce, and the page still works", async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const response = await page.goto(SLOW);
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toBeTruthy();
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'wasm-unsafe-eval';`);
  for (const d of ["img-src 'self'", "connect-src 'self'", "frame-src 'none'", "default-src 'self'"]) {
    expect(csp).toContain(d);
  }
  expect(csp).not.toMatch(/unsafe-inline|https?:|\*/);
  // Every inline script on the page carries the nonce.
  const scripts = await page.evaluate(() =>
    [...document.querySelectorAll("script")].filter((s) => !s.src).map((s) => s.nonce),
  );
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((n) => n === nonce)).toBe(true);

  await expect(page.locator("section.report-view")).toHaveAttribute("data-hydrated", "true");
  await generateFake(page, "# Under CSP\n\nStreams fine.\n");
  await expect(phase(page)).toHaveAttribute("data-phase", "done");
  await expect(report(page)).toContainText("Streams fine.");
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);

  // A second page load gets a fresh nonce; static files carry the policy too.
  const again = await page.request.get(SLOW);
  expect(again.headers()["content-security-policy"]).not.toContain(nonce);
  // The stylesheet's name carries its hash: take it from the page.
  const href = (await page.locator("link#leptos").getAttribute("href")) ?? "";
  expect(href).toMatch(/^\/pkg\/auditstream\..+\.css$/);
  const css = await page.request.get(new URL(href, SLOW).toString());
  expect(css.status()).toBe(200);
  expect(css.headers()["content-security-policy"]).toContain("default-src 'self'");
});

test("leaving the page aborts the running report", async ({ page }) => {
  await open(page, SLOW);
  const before = await fakeStreams();
  await generateFake(page, "%% pace 50\n" + longReport(40));
  await expect(page.locator("#report h1")).toBeVisible();
  await page.goto("about:blank");
  await expect.poll(async () => (await fakeStreams()).aborted).toBe(before.aborted + 1);
  expect((await fakeStreams()).started).toBe(before.started + 1);
});
