// Findings you can trust, on the page: each of the model's findings gets the server's
// verdict as it streams (a badge with its reason), the analyzer's findings the model
// missed join the list, the counts leave the false ones out and a toggle hides them, the
// JSON download carries the verdicts, and the stored report shows them as they were.
// The fake model answers with end2end/replies/lottery.md while the contract box holds a
// real contract (testdata/verify/contracts/Lottery.sol) to check it against.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FAST, generateFake, open, phase } from "./helpers";
import { validateSarif } from "./sarif";

const LOTTERY = readFileSync(
  join(__dirname, "..", "..", "testdata", "verify", "contracts", "Lottery.sol"),
  "utf8",
);

test("verdicts stream with the findings, filter them and survive in history", async ({ page }) => {
  await open(page, FAST);
  await generateFake(page, "%% reply lottery\n" + LOTTERY);
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });

  const item = (title: string) => page.locator(".findings .finding", { hasText: title });
  await expect(item("Weak randomness")).toHaveAttribute("data-verdict", "confirmed");
  await expect(item("Weak randomness").locator(".found-by")).toHaveText(
    "found by the model and analyzer",
  );
  await expect(item("Reentrancy in")).toHaveAttribute("data-verdict", "contradicted");
  // The badge says why on hover, and to a screen reader.
  const unverified = item("setJackpot").locator(".verdict");
  await expect(unverified).toHaveText("unverified");
  await expect(unverified).toHaveAttribute("title", "no function `setJackpot` in the contract");
  await expect(unverified).toHaveAttribute(
    "aria-label",
    "unverified: no function `setJackpot` in the contract",
  );

  // The analyzer's own findings the model did not write: tx.origin among them.
  const joined = page.locator(".findings .finding", { hasText: "tx.origin" });
  await expect(joined.first().locator(".found-by")).toHaveText("found by the analyzer");

  // Counts leave the two false findings out; the toggle hides them.
  await expect(page.locator(".findings .count.flagged")).toHaveText("2 unverified or contradicted");
  const all = await page.locator(".findings .finding").count();
  await page.locator("#hide-flagged").check();
  await expect(page.locator(".findings .finding")).toHaveCount(all - 2);
  await expect(page.locator(".findings .finding[data-verdict=unverified]")).toHaveCount(0);
  await page.locator("#hide-flagged").uncheck();
  await expect(page.locator(".findings .finding")).toHaveCount(all);

  const download = page.waitForEvent("download");
  await page.locator("#download-json").click();
  const doc = JSON.parse(readFileSync((await (await download).path())!, "utf8"));
  const byTitle = (t: string) => doc.findings.find((f: any) => f.title.includes(t));
  expect(byTitle("setJackpot").verdict).toBe("unverified");
  expect(byTitle("Weak randomness").found_by).toBe("both");
  expect(doc.findings.some((f: any) => f.found_by === "analyzer")).toBe(true);

  // SARIF: a High that does not hold is only a note, with its verdict; GitHub's rules pass.
  const sarifDownload = page.waitForEvent("download");
  await page.locator("#download-sarif").click();
  const sarifPath = (await (await sarifDownload).path())!;
  const log = JSON.parse(readFileSync(sarifPath, "utf8"));
  const contradicted = log.runs[0].results.find((r: any) => r.properties.verdict === "contradicted");
  expect(contradicted.level).toBe("note");
  expect(contradicted.properties["security-severity"]).toBeUndefined();
  const confirmed = log.runs[0].results.find((r: any) => r.properties.verdict === "confirmed");
  expect(confirmed.level).toBe("error");
  const issues = validateSarif(sarifPath);
  expect(issues.filter((i) => i.level === "error")).toEqual([]);

  // The stored report shows the verdicts it streamed with.
  const link = page.locator("#saved-report");
  await expect(link).toHaveAttribute("href", /^\/reports\/[0-9a-f-]{36}$/);
  const href = (await link.getAttribute("href"))!;
  await expect
    .poll(async () => (await (await page.request.get(`${FAST}api${href}`)).json()).status)
    .toBe("done");
  await page.goto(`${FAST}${href.slice(1)}`);
  await expect(page.locator("section.stored-report")).toHaveAttribute("data-hydrated", "true");
  await expect(item("setJackpot")).toHaveAttribute("data-verdict", "unverified");
  await expect(item("Reentrancy in")).toHaveAttribute("data-verdict", "contradicted");
  await expect(page.locator(".findings .count.flagged")).toHaveText("2 unverified or contradicted");
});
