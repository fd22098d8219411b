// A report survives a lost connection in real Chromium: a proxy the test controls sits
// between the page and the server and cuts the page's report stream mid-report; the
// page says it is reconnecting, keeps its text, reads on from the last event it had and
// ends with exactly the report the model wrote, from one model request. Stop during
// the wait to reconnect stops the model.
import { expect, test, type Page } from "@playwright/test";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { FAKE, SLOW, fakeStreams, generateFake, longReport, open, phase, report } from "./helpers";

/** A proxy to the slow server that can cut every report stream and refuse new ones. */
class Proxy {
  private server: Server;
  private streams = new Set<Socket>();
  private pipes = new Map<Socket, () => void>();
  blocked = false;
  stopsSeen = 0;
  url = "";

  constructor() {
    const upstream = new URL(SLOW);
    this.server = createServer((req, res) => {
      const path = req.url ?? "/";
      const streaming = path === "/api/report" || /^\/api\/reports\/[^/]+\/events/.test(path);
      if (path.endsWith("/stop")) this.stopsSeen++;
      if (streaming && this.blocked) {
        req.socket.destroy();
        return;
      }
      if (streaming) this.streams.add(req.socket);
      const out = request(
        { host: upstream.hostname, port: upstream.port, path, method: req.method, headers: req.headers },
        (up: IncomingMessage) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          if (streaming) this.pipes.set(req.socket, () => up.unpipe(res));
        },
      );
      out.on("error", () => req.socket.destroy());
      req.pipe(out);
      res.on("close", () => {
        this.streams.delete(req.socket);
        this.pipes.delete(req.socket);
      });
    });
  }

  async start() {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    const addr = this.server.address();
    if (addr && typeof addr === "object") this.url = `http://127.0.0.1:${addr.port}/`;
  }

  /** Drops every report stream in flight, as a network failure would. */
  cut() {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  /** Stops forwarding the report streams in flight, their connections left open. */
  stall() {
    for (const unpipe of this.pipes.values()) unpipe();
    this.pipes.clear();
  }

  async close() {
    this.cut();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

let proxy: Proxy;
test.beforeEach(async () => {
  proxy = new Proxy();
  await proxy.start();
});
test.afterEach(async () => proxy.close());

const length = async (page: Page) => (await report(page).textContent())?.length ?? 0;

test("a cut connection shows reconnecting, keeps the text, resumes and ends exact", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page, proxy.url);
  const before = await fakeStreams();
  await generateFake(page, "%% pace 25\n" + longReport(24));
  await expect.poll(() => length(page)).toBeGreaterThan(200);

  proxy.blocked = true;
  proxy.cut();
  await expect(phase(page)).toHaveAttribute("data-phase", "reconnecting");
  await expect(page.locator(".status .phase")).toHaveText("reconnecting…");
  const kept = await length(page);
  expect(kept).toBeGreaterThan(200);
  // A second cut while it reads on again, then the way back is open.
  proxy.blocked = false;
  await expect(phase(page)).toHaveAttribute("data-phase", "streaming");
  proxy.cut();
  await expect(phase(page)).toHaveAttribute("data-phase", "reconnecting");
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 45_000 });

  await page.locator("#copy-report").click();
  const shown = await page.evaluate(() => navigator.clipboard.readText());
  const sent = await (await fetch(`${FAKE}/last-report`)).text();
  expect(shown).toBe(sent);
  await expect(page.locator("[role=alert]")).toHaveCount(0);
  const after = await fakeStreams();
  expect(after.started - before.started).toBe(1);
  expect(after.aborted).toBe(before.aborted);
});

test("a connection that goes silent for three keep-alives is read on", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page, proxy.url);
  const before = await fakeStreams();
  await generateFake(page, "%% pace 25\n" + longReport(12));
  await expect.poll(() => length(page)).toBeGreaterThan(200);
  // Nothing more reaches the page, and its connection stays open: only the watchdog
  // (three missed 1 s keep-alives) can tell.
  proxy.stall();
  const stalled = Date.now();
  await expect(phase(page)).toHaveAttribute("data-phase", "reconnecting", { timeout: 10_000 });
  expect(Date.now() - stalled).toBeGreaterThanOrEqual(2_500);
  await expect(phase(page)).toHaveAttribute("data-phase", "done", { timeout: 45_000 });
  await page.locator("#copy-report").click();
  const shown = await page.evaluate(() => navigator.clipboard.readText());
  expect(shown).toBe(await (await fetch(`${FAKE}/last-report`)).text());
  expect((await fakeStreams()).started - before.started).toBe(1);
});

test("Stop during the wait to reconnect stops the model at once", async ({ page }) => {
  await open(page, proxy.url);
  const before = await fakeStreams();
  await generateFake(page, "%% pace 40\n" + longReport(30));
  await expect.poll(() => length(page)).toBeGreaterThan(100);

  proxy.blocked = true;
  proxy.cut();
  await expect(phase(page)).toHaveAttribute("data-phase", "reconnecting");
  await page.locator("#stop").click();
  await expect(phase(page)).toHaveAttribute("data-phase", "stopped");
  // The stop route went through (report streams are still refused) and the model's
  // stream was closed before its end.
  await expect.poll(() => proxy.stopsSeen).toBe(1);
  await expect.poll(async () => (await fakeStreams()).aborted, { timeout: 2_000 }).toBe(before.aborted + 1);
  const kept = await length(page);
  expect(kept).toBeGreaterThan(100);
  await expect(page.locator("[role=alert]")).toHaveCount(0);
  await expect(page.locator("#generate")).toBeEnabled();
  const after = await fakeStreams();
  expect(after.started - before.started).toBe(1);
});
