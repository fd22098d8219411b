// A project too large for its model's context window, on the page: the server reports it
// in passes (a contract per pass here), the status line names the pass running, and Stop
// in the middle of pass 2 closes the model's stream and starts no pass after it.
import { expect, test } from "@playwright/test";
import { FAST, fakeStreams, open, phase } from "./helpers";

/** A contract of about `bytes` bytes: long bodies, few functions. */
function contract(name: string, bytes: number): string {
  let body = `// SPDX-License-Identifier: MIT\npragma solidity 0.8.24;\ncontract ${name} {\n    uint256 public total;\n`;
  body += "    function f(uint256 x) external {\n";
  for (let i = 0; body.length < bytes; i++) body += `        total += x * ${i};\n`;
  return body + "    }\n}\n";
}

test("a project over the window runs in passes, the page names the pass, and Stop ends the rest", async ({ page }) => {
  await open(page, FAST);
  await page.locator("#model").selectOption("fake-small/echo");
  // Three files of about 4,500 prompt tokens each: one fits a pass, two do not.
  const files = ["A", "B", "C"].map((n) => ({
    name: `${n}.sol`,
    mimeType: "text/plain",
    buffer: Buffer.from(contract(n, 13_500)),
  }));
  await page.locator("#file").setInputFiles(files);
  await expect(page.locator("#project .tree-file")).toHaveCount(3);
  const before = await fakeStreams();

  await page.locator("#generate").click();
  const pass = page.locator(".status .pass");
  await expect(pass).toContainText(/pass 1 of 3/i);
  await expect(pass).toContainText(/pass 2 of 3/i, { timeout: 30_000 });
  await page.locator("#stop").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
  await expect(pass).toHaveCount(0);
  // Two streams were opened (passes 1 and 2), the second closed by Stop, and no third.
  await expect.poll(async () => (await fakeStreams()).aborted - before.aborted).toBe(1);
  expect((await fakeStreams()).started - before.started).toBe(2);
});
