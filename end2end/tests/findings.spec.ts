// Findings appear in the panel as their blocks complete, with live severity counts; a
// click scrolls the report to the finding, a location opens the contract at its lines,
// and the JSON and SARIF downloads carry them. Served by the fake model, so the report
// is exactly the one written here.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { generateFake, open, phase, SLOW } from "./helpers";
import { validateSarif } from "./sarif";

const FINDINGS = `# Security report: contract

## Summary
Three findings.

## Findings

### 1. Reentrancy in withdraw
- **Severity:** High
- **Line:** 3-4
- **Detector:** reentrancy

**Explanation.** The balance is cleared after the call.

### 2. Floating pragma
- **Severity:** Medium
- **Line:** 1

**Explanation.** Pin the compiler.

### 3. Missing event
- **Severity:** Medium
- **Line:** 2

**Explanation.** Emit an event.

### 4. Something odd
No severity is given for this one.

${Array.from({ length: 30 }, (_, i) => `Padding paragraph ${i} keeps the report long enough to scroll.`).join("\n\n")}
`;

test("findings appear live, link into the report and the contract, and export", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page, SLOW);
  await generateFake(page, "%% pace 20\n" + FINDINGS);

  // The first finding is listed while the report is still streaming.
  const items = page.locator(".findings .finding");
  await expect(items.first()).toContainText("Reentrancy in withdraw", { timeout: 20_000 });
  await expect(phase(page)).toHaveAttribute("data-phase", "streaming");

  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });
  await expect(items).toHaveCount(3);
  await expect(page.locator(".findings .count")).toHaveText(["1 High", "2 Medium"]);
  await expect(page.locator(".findings .unclassified-item")).toHaveText(["Something odd"]);
  await expect(page.locator("#announcer")).toHaveText("report complete: 1 High, 2 Medium");

  // A click scrolls the report to the finding's heading.
  const box = page.locator("#report");
  await box.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await items.nth(1).locator(".finding-title").click();
  const heading = page.locator("#report h3", { hasText: "Floating pragma" });
  await expect
    .poll(() =>
      heading.evaluate((h) => {
        const r = h.getBoundingClientRect();
        const b = document.querySelector("#report")!.getBoundingClientRect();
        return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
      }),
    )
    .toBe(true);

  // A location opens the contract with line numbers and its lines highlighted.
  await items.first().locator(".location").click();
  const view = page.locator("#contract-view");
  await expect(view).toBeVisible();
  await expect(view.locator("li.hl")).toHaveCount(2);
  await expect(view.locator("li.hl").first()).toHaveAttribute("value", "3");
  // The contract here is the report text itself, after the fake model's directive line.
  await expect(view.locator("li.hl").nth(1)).toContainText("## Summary");

  // Copy a finding: its markdown block.
  await items.first().locator(".copy-finding").click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith("### 1. Reentrancy in withdraw\n- **Severity:** High")).toBe(true);
  expect(copied).not.toContain("Floating pragma");

  const json = page.waitForEvent("download");
  await page.locator("#download-json").click();
  const jsonFile = await json;
  expect(jsonFile.suggestedFilename()).toBe("contract.report.json");
  const doc = JSON.parse(readFileSync((await jsonFile.path())!, "utf8"));
  expect(doc.schema).toBe("auditstream.report/1");
  expect(doc.model).toBe("fake/echo");
  expect(doc.findings.map((f: any) => f.severity)).toEqual(["High", "Medium", "Medium"]);
  expect(doc.unclassified.length).toBe(1);

  const sarif = page.waitForEvent("download");
  await page.locator("#download-sarif").click();
  const sarifFile = await sarif;
  expect(sarifFile.suggestedFilename()).toBe("contract.report.sarif");
  const sarifPath = (await sarifFile.path())!;
  const log = JSON.parse(readFileSync(sarifPath, "utf8"));
  expect(log.version).toBe("2.1.0");
  const results = log.runs[0].results;
  expect(results.map((r: any) => r.level)).toEqual(["error", "warning", "warning"]);
  expect(results[0].ruleId).toBe("reentrancy");
  expect(results[0].locations[0].physicalLocation.region.startLine).toBe(3);
  // What GitHub would say on upload: no errors. The only warning allowed is SARIF2005
  // (no informationUri: the project has no public homepage to point at).
  const issues = validateSarif(sarifPath);
  expect(issues.filter((i) => i.level === "error")).toEqual([]);
  expect(issues.filter((i) => i.ruleId !== "SARIF2005")).toEqual([]);
});
