// The report renders as markdown while it streams, finished blocks are never rebuilt,
// and hostile model output (served by the fake model through the real server) stays
// inert: nothing runs, nothing is fetched, nothing leaves the origin.
import { expect, test } from "@playwright/test";
import { FAKE, fakeHits, generateFake, open, phase, report, SLOW } from "./helpers";

const STREAMED = `%% pace 15
%% chunk 5
# Security report: Vault.sol

## Summary
Solidity 0.8, **two** findings and a \`modifier\`.

## Findings

### 1. Reentrancy in withdraw
- **Severity:** High
- **Line:** 19-25

\`\`\`solidity
function withdraw() external {
    (bool ok, ) = msg.sender.call{value: balance}("");
}
\`\`\`

| id | severity | line |
|---|:-:|--:|
| H-01 | High | 19 |
| M-01 | Medium | 40 |

> Quoted note with ~~old~~ text.

1. first step
2. second step

**Explanation.** The balance is cleared after the external call, so the caller can re-enter.

**Recommendation.** Clear the balance first; follow checks-effects-interactions.

Closing paragraph one.

Closing paragraph two.
`;

test("markdown renders while streaming and finished blocks are never rebuilt", async ({ page }) => {
  await open(page, SLOW);
  await generateFake(page, STREAMED);

  // Headings, list, code block and table exist while the report is still streaming.
  const table = page.locator("#report table");
  await expect(table).toHaveCount(1, { timeout: 20_000 });
  await expect(phase(page)).toHaveAttribute("data-phase", "streaming");
  await expect(page.locator("#report h1")).toHaveText("Security report: Vault.sol");
  await expect(page.locator("#report h2").first()).toHaveText("Summary");
  await expect(page.locator("#report ul li strong").first()).toHaveText("Severity:");
  await expect(page.locator("#report pre code")).toContainText("msg.sender.call");
  await expect(page.locator("#report th")).toHaveCount(3);
  // No raw markdown markers leak into the rendered text.
  expect(await page.locator("#report .md-block").allTextContents()).not.toContain("**");

  // Tag every finished block and select text in the first one while streaming.
  const tagged = await page.evaluate(() => {
    const blocks = [...document.querySelectorAll("#report .md-block")];
    blocks.forEach((b, i) => ((b as any).__tag = i));
    const h1 = document.querySelector("#report h1")!;
    const range = document.createRange();
    range.selectNodeContents(h1);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);
    return blocks.length;
  });
  expect(tagged).toBeGreaterThan(5);

  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });
  const survived = await page.evaluate((n) => {
    const blocks = [...document.querySelectorAll("#report .md-block")];
    return blocks.slice(0, n).every((b, i) => (b as any).__tag === i && b.isConnected);
  }, tagged);
  expect(survived).toBe(true);
  expect(await page.evaluate(() => getSelection()!.toString())).toBe("Security report: Vault.sol");
  await expect(page.locator("#report td.align-center").first()).toHaveText("High");
  await expect(page.locator("#report ol li")).toHaveCount(2);
  await expect(page.locator("#report del")).toHaveText("old");
  await expect(report(page)).toContainText("Closing paragraph two.");
});

const C = `${FAKE}/count`;
const HOSTILE = `%% pace 2
# Hostile report
<script>window.__pwned = 1; alert(1)</script>

<img src="${C}/img-tag" onerror="alert(2)">

Inline <b onmouseover="alert(3)">html</b>, <svg onload=alert(4)></svg> and <a href="javascript:alert(5)">an anchor</a>.

[js](javascript:alert(6)) [upper](JAVASCRIPT:alert(7)) [dec](&#106;avascript:alert(8)) [hex](&#x6A;avascript&colon;alert(9)) [tab](<java\tscript:alert(10)>) [spaces](  javascript:alert(11)  ) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMik8L3NjcmlwdD4=) [vb](vbscript:msgbox(13)) [relative](//127.0.0.1:3190/count/protocol-relative) [ctl](&#1;javascript:alert(14))

[evil]: javascript:alert(15)
[datadef]: data:text/html,hi
[pix]: ${C}/ref-image
Reference [ref link][evil], [shortcut data][datadef] and ![ref image][pix].

Autolinks <javascript:alert(16)> <data:text/html,x> <vbscript:x> and a safe <https://example.com/safe>.

![pixel](${C}/md-image) ![svg](${C}/svg.svg "title")

<iframe src="${C}/iframe"></iframe>

<style>body { display: none }</style>

<meta http-equiv="refresh" content="0;url=${C}/meta">

<object data="${C}/object"></object><embed src="${C}/embed">

| cell | other |
|---|---|
| <script>alert(17)</script> | <img src=${C}/cell onerror=alert(18)> |

> <iframe src="${C}/quote"></iframe> and <a href="javascript:alert(19)">quoted</a>

[SWC-107](https://swcregistry.io/docs/SWC-107) [mail](mailto:sec@example.com) [top](#summary)

The end.
`;

test("hostile model output stays inert text", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await open(page, SLOW);
  const origin = new URL(page.url()).origin;
  await generateFake(page, HOSTILE);
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 30_000 });
  await expect(report(page)).toContainText("The end.");

  // The markup is shown as the text it is.
  await expect(report(page)).toContainText("<script>window.__pwned = 1; alert(1)</script>");
  await expect(report(page)).toContainText("<iframe src=");
  await expect(page.locator("#report .image-url").first()).toContainText(`${C}/`);

  // Nothing ran, nothing opened, nothing was fetched, nothing left the origin.
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(await fakeHits()).toEqual([]);
  expect(requests.filter((u) => !u.startsWith(origin + "/"))).toEqual([]);
  await expect(page.locator("body")).toBeVisible();

  const dom = await page.evaluate(() => {
    const root = document.querySelector("#report")!;
    const all = [...root.querySelectorAll("*")];
    return {
      forbidden: root.querySelectorAll("script,iframe,style,meta,img,svg,object,embed,link,form,base").length,
      handlers: all.flatMap((e) => e.getAttributeNames().filter((a) => a.startsWith("on"))),
      styles: all.filter((e) => e.hasAttribute("style") || e.hasAttribute("src")).length,
      links: [...root.querySelectorAll("a")].map((a) => ({
        href: a.getAttribute("href"),
        rel: a.getAttribute("rel"),
        text: a.textContent,
      })),
    };
  });
  expect(dom.forbidden).toBe(0);
  expect(dom.handlers).toEqual([]);
  expect(dom.styles).toBe(0);
  expect(dom.links).toEqual([
    { href: "https://example.com/safe", rel: "noopener noreferrer nofollow", text: "https://example.com/safe" },
    { href: "https://swcregistry.io/docs/SWC-107", rel: "noopener noreferrer nofollow", text: "SWC-107" },
    { href: "mailto:sec@example.com", rel: null, text: "mail" },
    { href: "#summary", rel: null, text: "top" },
  ]);
  // The refused links keep their words as plain text.
  for (const words of ["js", "upper", "ref link", "shortcut data", "an anchor", "quoted"]) {
    await expect(report(page)).toContainText(words);
  }
});
