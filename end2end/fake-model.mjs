// A fake OpenAI-compatible model for the browser tests, on 127.0.0.1 only. It answers
// the real wire format (`/v1/models`, streaming `/v1/chat/completions` with a usage
// chunk and `[DONE]`), and its report is the contract it was sent, so each test writes
// the model output it needs (hostile markdown, long reports) into the contract box.
//
// Directive lines at the top of the contract steer the stream and are not echoed:
//   %% pace <ms>       delay between chunks (default 5)
//   %% chunk <chars>   characters per chunk (default 7)
//   %% delay <ms>      wait before the first chunk
//   %% truncate        close the stream without its terminator (a `truncated` error)
//   %% long <tokens>   ignore the rest and write a generated report of that many tokens
//   %% rate <tok/s>    send tokens at this rate (in 10 ms batches) instead of `pace`
//   %% reply <name>    answer with end2end/replies/<name>.md instead of the contract, so
//                      the contract box can hold a real contract to check findings against
// Every other path counts as a hit: `/hits` reports them, so a test can prove that an
// image or a link in the report was never fetched.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const port = Number(process.env.FAKE_MODEL_PORT ?? 3190);
const hits = [];
// The text of the last report sent, for the benchmark to compare with the page.
let lastReport = "";
// Report streams begun, and those the server closed before their end (Stop, leaving).
const streams = { started: 0, aborted: 0 };

function contractOf(body) {
  const user = body.messages?.find((m) => m.role === "user")?.content ?? "";
  // The server puts the contract, fenced, between per-request boundary lines.
  // The analyzer's candidates may follow the closing line.
  const m = /<<<CONTRACT-([0-9a-f-]+)>>>\n(`{3,})[a-z]*\n([\s\S]*)\n\2\n<<<END-CONTRACT-\1>>>\n/.exec(user);
  return m ? m[3] : user;
}

function directives(text) {
  const opts = { pace: 5, chunk: 7, delay: 0, truncate: false, long: 0, rate: 0, reply: "" };
  const lines = text.split("\n");
  while (lines.length && lines[0].startsWith("%% ")) {
    const [, key, value] = lines.shift().split(" ");
    if (key === "truncate") opts.truncate = true;
    else if (key === "reply") opts.reply = value.replace(/[^a-z0-9-]/g, "");
    else opts[key] = Number(value);
  }
  const report = opts.reply
    ? readFileSync(new URL(`./replies/${opts.reply}.md`, import.meta.url), "utf8")
    : lines.join("\n");
  return { opts, report };
}

const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: 1,
    model: "echo",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

/** A report in our grammar cut into `n` tokens (words with their spacing). */
function generated(n) {
  const tokens = [];
  const words = (s) => s.match(/\S+\s*|\s+/g);
  for (let i = 1; tokens.length < n; i++) {
    const part =
      `### ${i}. Finding number ${i}\n- **Severity:** High\n- **Line:** ${i}\n\n` +
      "```solidity\nfunction f" + i + "() external { balance = 0; }\n```\n\n" +
      `**Explanation.** The state changes after the external call in finding ${i}, so a ` +
      "caller can re-enter and drain the vault before the balance is cleared.\n\n";
    tokens.push(...words(part));
  }
  return tokens.slice(0, n);
}

async function stream(res, body) {
  const { opts, report } = directives(contractOf(body));
  const pieces = opts.long ? generated(opts.long) : [];
  if (!opts.long) {
    const chars = Array.from(report);
    for (let i = 0; i < chars.length; i += opts.chunk) pieces.push(chars.slice(i, i + opts.chunk).join(""));
  }
  lastReport = pieces.join("");
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let closed = false;
  let finished = false;
  streams.started++;
  res.on("close", () => {
    closed = true;
    if (!finished) streams.aborted++;
  });
  if (opts.delay) await wait(opts.delay);
  let sent = 0;
  const t0 = performance.now();
  while (sent < pieces.length && !closed) {
    if (opts.rate) {
      // Everything due by now, then the next 10 ms tick.
      const due = Math.min(pieces.length, Math.floor(((performance.now() - t0) / 1000) * opts.rate) + 1);
      let out = "";
      for (; sent < due; sent++) out += chunk({ content: pieces[sent] });
      if (out) res.write(out);
      await wait(10);
    } else {
      res.write(chunk({ content: pieces[sent++] }));
      if (opts.pace) await wait(opts.pace);
    }
  }
  if (closed) return;
  finished = true;
  if (opts.truncate) {
    res.destroy();
    return;
  }
  res.write(chunk({}, "stop"));
  res.write(
    `data: ${JSON.stringify({
      id: "chatcmpl-fake",
      object: "chat.completion.chunk",
      created: 1,
      model: "echo",
      choices: [],
      usage: { prompt_tokens: 1, completion_tokens: sent, total_tokens: sent + 1 },
    })}\n\n`,
  );
  res.end("data: [DONE]\n\n");
}

createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/v1/models") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "echo", object: "model" }] }));
  } else if (req.method === "POST" && path === "/v1/chat/completions") {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => stream(res, JSON.parse(raw)));
  } else if (path === "/hits") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(hits));
  } else if (path === "/last-report") {
    res.writeHead(200, { "content-type": "text/markdown" });
    res.end(lastReport);
  } else if (path === "/streams") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(streams));
  } else if (path === "/health") {
    res.end("ok");
  } else {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "image/png" });
    res.end();
  }
}).listen(port, "127.0.0.1");
