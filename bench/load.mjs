// The load generator, in its own process so that the benchmark host's garbage collection (Miniflare, the
// stand-ins) never shows up as server latency. Reads one target as JSON on stdin, drives it with autocannon,
// writes {ok, bad, latencies} (each response's own time, fractional ms) as JSON on stdout.
import autocannon from "autocannon";
import { floorEventHeaders, signedInvoiceEvent } from "./events.mjs";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { url, headers = {}, body, connections, seconds, record } = JSON.parse(Buffer.concat(chunks).toString());

// Request bodies that must be fresh per request are built here, by kind, rather than shipped as functions.
let next = 0;
const builders = {
  invoice: ({ account, secret, floorHeaders }) => () => {
    const event = signedInvoiceEvent(account, secret);
    const extra = floorHeaders ? floorEventHeaders(account) : {};
    return { method: "POST", body: event.body, headers: { ...headers, ...event.headers, ...extra } };
  },
  generation: ({ cookies, origin }) => () => ({
    method: "POST",
    body: JSON.stringify({ prompt: "a benchmark lighthouse", model: "nano-banana-2", aspect_ratio: "1:1" }),
    headers: { ...headers, "content-type": "application/json", origin, cookie: cookies[next++ % cookies.length] },
  }),
};
const build = body && builders[body.kind](body);
const options = { url, headers, connections, duration: seconds, ...(build ? { requests: [{ setupRequest: (req) => ({ ...req, ...build() }) }] } : {}) };

const latencies = [];
const run = autocannon(options);
if (record) run.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
const result = await run;
process.stdout.write(JSON.stringify({ ok: result["2xx"], bad: result.non2xx + result.errors + result.timeouts, latencies }));
