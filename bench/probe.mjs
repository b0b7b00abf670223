// Sequential probe (no queueing): latency and workerd CPU time per request, targets interleaved in rounds so the
// machine's drift falls on all of them alike.   node bench/run.mjs --probe
import { execSync } from "node:child_process";
import fs from "node:fs";
import { checkoutEvent, floorEventHeaders, ignoredEvent, signed, signedInvoiceEvent } from "./events.mjs";
import { TEST_SECRETS } from "../tests/support/env.mjs";
const { url: meUrl, cookie, floorUrl, jsUrl, altUrl, tokenHash: hash, account } = JSON.parse(process.argv[2]);
const secret = TEST_SECRETS.STRIPE_WEBHOOK_SECRET;
const post = (event) => () => ({ method: "POST", ...signed(event(), secret) });
// Every request after the first re-delivers this one event: Stripe's at-least-once replay.
const replayed = checkoutEvent(account, "probe-replayed-event");
const unsigned = () => ({ method: "POST", body: "" });
const webhook = () => {
  const { body, headers } = signedInvoiceEvent(account, TEST_SECRETS.STRIPE_WEBHOOK_SECRET);
  return { method: "POST", body, headers };
};
// The webhook cases every Worker is compared on: the plain JS one and each build of ours.
const webhookCases = (label, base) => [
  [`${label} grant`, base + "/webhooks/stripe", post(() => checkoutEvent(account))],
  [`${label} replay`, base + "/webhooks/stripe", post(() => replayed)],
  [`${label} ignored`, base + "/webhooks/stripe", post(() => ignoredEvent(account))],
  [`${label} unsigned`, base + "/webhooks/stripe", unsigned, 400],
];
const workerd = execSync(`pgrep -x -P ${process.ppid} workerd`, { encoding: "utf8" }).trim().split("\n").map(Number);
const ticks = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }));
const cpuMs = () => workerd.reduce((sum, pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return sum + (Number(fields[11]) + Number(fields[12])) * 1000 / ticks;
}, 0);
const targets = [
  ["floor nothing", floorUrl + "/nothing", {}],
  ["floor d1-query", floorUrl + "/d1-query", { "x-token-hash": hash }],
  ["GET /api/me", meUrl + "/api/me", { cookie }],
  ["GET /api/nope (404)", meUrl + "/api/nope", {}, 404],
  ["floor d1-batch", floorUrl + "/d1-batch", () => {
    const event = webhook();
    return { ...event, headers: { ...event.headers, ...floorEventHeaders(account) } };
  }],
  ["POST /webhooks/stripe", meUrl + "/webhooks/stripe", webhook],
  ["GET /healthz", meUrl + "/healthz", {}],
  // Each case of ours right after the JS Worker's, so the two see the same moment of the machine.
  ...webhookCases("ours", meUrl).flatMap((ours, i) => [webhookCases("JS", jsUrl)[i], ours]),
  ["GET /favicon.svg", meUrl + "/favicon.svg", {}],
  // A second build of our Worker (--alt-build), right beside the first on every case it is compared on.
  ...(altUrl ? [...webhookCases("alt", altUrl), ["alt GET /api/me", altUrl + "/api/me", { cookie }]] : []),
].map(([name, url, init, expect = 200]) => ({ name, url, expect, init: typeof init === "function" ? init : () => ({ headers: init }), samples: [], cpu: 0 }));
const ROUNDS = 10, PER_ROUND = 200;
for (let round = 0; round <= ROUNDS; round++) {
  for (const target of targets) {
    const cpu = cpuMs();
    for (let i = 0; i < PER_ROUND; i++) {
      const t = performance.now();
      const response = await fetch(target.url, target.init());
      await response.arrayBuffer();
      if (response.status !== target.expect) throw new Error(`${target.name}: ${response.status}, expected ${target.expect}`);
      if (round > 0) target.samples.push(performance.now() - t); // round 0 warms up
    }
    if (round > 0) target.cpu += cpuMs() - cpu;
  }
}
for (const { name, samples, cpu } of targets) {
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.floor(samples.length * q)].toFixed(2);
  console.log(`${name.padEnd(20)} p50 ${at(0.5)} ms  p90 ${at(0.9)} ms  p99 ${at(0.99)} ms  workerd CPU ${(cpu / samples.length).toFixed(3)} ms/req`);
}
