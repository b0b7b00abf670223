// CPU profile of the Worker under a sequential /api/me loop, via workerd's inspector (V8 sampling profiler).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { localVars, TEST_SECRETS } from "../tests/support/env.mjs";
import { checkoutEvent, ignoredEvent, signed, signedInvoiceEvent } from "./events.mjs";
import { freePort, ROOT } from "../tests/support/worker.mjs";

const port = await freePort();
const inspectorPort = await freePort();
const url = `http://127.0.0.1:${port}`;
const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
const mf = new Miniflare({
  ...workerOptions, name: "gptimg", bindings: { ...workerOptions.bindings, ...localVars({ appUrl: url, fakesUrl: "http://127.0.0.1:9" }), ...TEST_SECRETS },
  modules: true, scriptPath: path.join(ROOT, "build/index.js"), modulesRoot: path.join(ROOT, "build"),
  host: "127.0.0.1", port, inspectorPort, d1Persist: false, r2Persist: false,
  handleRuntimeStdio: (o, e) => { o.resume(); e.resume(); },
});
await mf.ready;
const db = await mf.getD1Database("DB");
for (const file of fs.readdirSync(path.join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort()) {
  await db.batch(unstable_splitSqlQuery(fs.readFileSync(path.join(ROOT, "migrations", file), "utf8")).map((s) => db.prepare(s)));
}
const token = crypto.randomBytes(32).toString("base64url");
const now = Date.now();
await db.batch([
  db.prepare("INSERT INTO accounts (id, google_sub, email, name, credits, created_at, updated_at, last_sign_in_at, terms_version) VALUES ('acc_0123456789abcdefghjkmnpqrs', 's', 'p@x.co', 'P', 5, ?1, ?1, ?1, '2026-04-22')").bind(now),
  db.prepare("INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at) VALUES ('ses_0123456789abcdefghjkmnpqrs', ?1, 'acc_0123456789abcdefghjkmnpqrs', ?2, ?3)").bind(crypto.createHash("sha256").update(token).digest("hex"), now, now + 86400000),
]);
const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
const target = targets.find((t) => t.title?.includes("gptimg")) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.once("open", r));
let id = 0;
const pending = new Map();
ws.on("message", (m) => { const msg = JSON.parse(m); if (pending.has(msg.id)) { pending.get(msg.id)(msg.result); pending.delete(msg.id); } });
const send = (method, params = {}) => new Promise((resolve) => { pending.set(++id, resolve); ws.send(JSON.stringify({ id, method, params })); });
const arg = process.argv[2] ?? "/api/me";
// `/webhooks/stripe` sends fresh signed invoice.paid events; `webhook:grant|replay|ignored|unsigned` the cases the
// benchmark compares with the JS Worker; any other path is a GET with the session cookie.
const account = "acc_0123456789abcdefghjkmnpqrs";
const secret = TEST_SECRETS.STRIPE_WEBHOOK_SECRET;
const replayed = checkoutEvent(account, "replayed");
const cases = {
  "webhook:grant": () => ({ method: "POST", ...signed(checkoutEvent(account), secret) }),
  "webhook:replay": () => ({ method: "POST", ...signed(replayed, secret) }),
  "webhook:ignored": () => ({ method: "POST", ...signed(ignoredEvent(account), secret) }),
  "webhook:unsigned": () => ({ method: "POST", body: "" }),
};
const path_ = cases[arg] ? "/webhooks/stripe" : arg;
const init = () => {
  if (cases[arg]) return cases[arg]();
  if (path_ !== "/webhooks/stripe") return { headers: { cookie: `gptimg_session=${token}` } };
  const { body, headers } = signedInvoiceEvent(account, secret);
  return { method: "POST", body, headers };
};
for (let i = 0; i < 200; i++) await (await fetch(url + path_, init())).arrayBuffer();
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 50 });
await send("Profiler.start");
const t0 = performance.now();
for (let i = 0; i < 1500; i++) await (await fetch(url + path_, init())).arrayBuffer();
console.log(`${arg}: ${((performance.now() - t0) / 1500).toFixed(3)} ms per request`);
const { profile } = await send("Profiler.stop");
const self = new Map();
const total = profile.samples.length;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
for (const [nodeId, hits] of counts) {
  const n = byId.get(nodeId);
  const key = `${n.callFrame.functionName || "(anon)"} ${path.basename(n.callFrame.url || "")}`;
  self.set(key, (self.get(key) ?? 0) + hits);
}
console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`).join("\n"));
// Inclusive: each sample counts once for every distinct function on its stack.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
for (const [nodeId, hits] of counts) {
  const seen = new Set();
  for (let at = nodeId; at !== undefined; at = parent.get(at)) {
    const n = byId.get(at);
    const key = `${n.callFrame.functionName || "(anon)"} ${path.basename(n.callFrame.url || "")}`;
    if (!seen.has(key)) { seen.add(key); inclusive.set(key, (inclusive.get(key) ?? 0) + hits); }
  }
}
if (process.argv.includes("--inclusive")) {
  console.log("inclusive:");
  console.log([...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`).join("\n"));
}
// `--under NAME`: where the time inside the functions whose name contains NAME goes, by direct callee.
const under = process.argv.includes("--under") ? process.argv[process.argv.indexOf("--under") + 1] : null;
if (under) {
  const label = (n) => `${n.callFrame.functionName || "(anon)"} ${path.basename(n.callFrame.url || "")}`;
  const subtotal = new Map();
  const hitsBelow = (id) => (counts.get(id) ?? 0) + (byId.get(id).children ?? []).reduce((s, c) => s + hitsBelow(c), 0);
  for (const n of profile.nodes) {
    if (!label(n).includes(under)) continue;
    subtotal.set("(self)", (subtotal.get("(self)") ?? 0) + (counts.get(n.id) ?? 0));
    for (const c of n.children ?? []) subtotal.set(label(byId.get(c)), (subtotal.get(label(byId.get(c))) ?? 0) + hitsBelow(c));
  }
  console.log(`under ${under}:`);
  console.log([...subtotal.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`).join("\n"));
}
ws.close();
await mf.dispose();
