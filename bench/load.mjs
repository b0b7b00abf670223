// The load generator, in its own process so that the benchmark host's garbage collection (Miniflare, the
// stand-ins) never shows up as server latency. Reads one target as JSON on stdin, drives it with autocannon,
// writes {ok, bad, latencies} (each response's own time, fractional ms) as JSON on stdout.
import autocannon from "autocannon";
import { checkoutEvent, floorEventHeaders, ignoredEvent, signed, signedInvoiceEvent } from "./events.mjs";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { url, headers = {}, body, connections, seconds, record, expect } = JSON.parse(Buffer.concat(chunks).toString());

// Request bodies that must be fresh per request are built here, by kind, rather than shipped as functions.
let next = 0;
const builders = {
  invoice: ({ account, secret, floorHeaders }) => () => {
    const event = signedInvoiceEvent(account, secret);
    const extra = floorHeaders ? floorEventHeaders(account) : {};
    return { method: "POST", body: event.body, headers: { ...headers, ...event.headers, ...extra } };
  },
  // The webhook comparison (ours against bench/js-webhook): a new pack grant, a replay of one already granted,
  // a type neither acts on, and an unsigned POST both refuse before any work.
  checkout: ({ account, secret }) => () => ({ method: "POST", ...withHeaders(signed(checkoutEvent(account), secret)) }),
  replay: ({ event, secret }) => () => ({ method: "POST", ...withHeaders(signed(event, secret)) }),
  ignored: ({ account, secret }) => () => ({ method: "POST", ...withHeaders(signed(ignoredEvent(account), secret)) }),
  unsigned: () => () => ({ method: "POST", body: "", headers }),
  generation: ({ cookies, origin, prompt }) => () => ({
    method: "POST",
    body: JSON.stringify({ prompt, model: "nano-banana-2", aspect_ratio: "1:1" }),
    headers: { ...headers, "content-type": "application/json", origin, cookie: cookies[next++ % cookies.length] },
  }),
};
const withHeaders = (request) => ({ ...request, headers: { ...headers, ...request.headers } });
const build = body && builders[body.kind](body);
const options = { url, headers, connections, duration: seconds, ...(build ? { requests: [{ setupRequest: (req) => ({ ...req, ...build() }) }] } : {}) };

const latencies = [];
const run = autocannon(options);
if (record) run.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
const result = await run;
// A target may expect a refusal (e.g. 400 for an unsigned webhook): then that status is what counts as answered.
const ok = expect ? (result.statusCodeStats[expect]?.count ?? 0) : result["2xx"];
const total = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
process.stdout.write(JSON.stringify({ ok, bad: total - ok + result.errors + result.timeouts, latencies }));
