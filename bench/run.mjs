// GPTImg benchmark: the release Worker and the Rust floor Worker in ONE workerd (Miniflare) with shared local D1
// and R2, the stand-ins on loopback, driven by autocannon. Writes BENCHMARKS.md and fails if a budget is broken.
//   node bench/run.mjs [--duration 5] [--connections 8] [--label "after"]
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { execSync, spawn } from "node:child_process";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { startFakes } from "../tests/support/fakes/server.mjs";
import { localVars, TEST_SECRETS } from "../tests/support/env.mjs";
import { freePort, ROOT } from "../tests/support/worker.mjs";
import { signPayload } from "../tests/support/fakes/stripe.mjs";
import { encodePng } from "../tests/support/fakes/png.mjs";

const arg = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const DURATION = Number(arg("--duration", "5"));
const CONNECTIONS = Number(arg("--connections", "8"));
const LABEL = arg("--label", "current");
const probeLines = [];
const capture = { on: false };

async function startStack() {
  const port = await freePort();
  const floorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const fakes = await startFakes({ secrets: TEST_SECRETS, plans: workerOptions.bindings.PLANS, appUrl: () => url });
  const started = performance.now();
  const mf = new Miniflare({
    workers: [
      {
        ...workerOptions,
        name: "gptimg",
        bindings: { ...workerOptions.bindings, ...localVars({ appUrl: url, fakesUrl: fakes.url }), ...TEST_SECRETS },
        modules: true,
        scriptPath: path.join(ROOT, "build/index.js"),
        modulesRoot: path.join(ROOT, "build"),
      },
      {
        name: "floor",
        modules: true,
        scriptPath: path.join(ROOT, "bench/floor/build/index.js"),
        modulesRoot: path.join(ROOT, "bench/floor/build"),
        modulesRules: workerOptions.modulesRules,
        compatibilityDate: workerOptions.compatibilityDate,
        d1Databases: workerOptions.d1Databases,
        r2Buckets: workerOptions.r2Buckets,
        unsafeDirectSockets: [{ host: "127.0.0.1", port: floorPort }],
      },
    ],
    host: "127.0.0.1",
    port,
    d1Persist: false,
    r2Persist: false,
    // Drain workerd's output (a full pipe would stall it), keeping only the round-trip probe's log line.
    handleRuntimeStdio: (stdout, stderr) => {
      // Only decoded for the final probe: the benchmark's own log handling must not load the machine it measures.
      stdout.on("data", (chunk) => {
        if (!capture.on) return;
        for (const line of chunk.toString().split("\n")) if (line.includes("bench-round-trips")) probeLines.push(line);
      });
      stderr.resume();
    },
  });
  await mf.ready;
  let first;
  for (;;) {
    const response = await fetch(`${url}/healthz`).catch(() => null);
    if (response) { await response.arrayBuffer(); first = performance.now() - started; break; }
  }
  return { mf, fakes, url, floorUrl: `http://127.0.0.1:${floorPort}`, startToFirstResponseMs: first };
}

async function seed(stack) {
  const db = await stack.mf.getD1Database("DB");
  for (const file of fs.readdirSync(path.join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort()) {
    const statements = unstable_splitSqlQuery(fs.readFileSync(path.join(ROOT, "migrations", file), "utf8"));
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
  const now = Date.now();
  const token = crypto.randomBytes(32).toString("base64url");
  const tokenHash = crypto.createHash("sha256").update(token).digest("hex");
  const account = "acc_0123456789abcdefghjkmnpqrs";
  await db.batch([
    db.prepare("INSERT INTO accounts (id, google_sub, email, name, picture_url, credits, created_at, updated_at, last_sign_in_at, terms_version, terms_accepted_at, age_confirmed_at) VALUES (?1, 'bench-sub', 'bench@gptimg.test', 'Bench', NULL, 1000000000, ?2, ?2, ?2, '2026-04-22', ?2, ?2)").bind(account, now),
    db.prepare("INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at) VALUES ('ses_0123456789abcdefghjkmnpqrs', ?1, ?2, ?3, ?4)").bind(tokenHash, account, now, now + 86400_000),
  ]);
  // Generation load comes from many users, so per-user limits (6 in flight, 12 a minute) are not what is measured.
  const users = [];
  for (let i = 0; i < 300; i++) {
    const t = crypto.randomBytes(32).toString("base64url");
    const id = `acc_${crypto.randomBytes(16).toString("hex").slice(0, 26).replace(/[ilou]/g, "a")}`;
    users.push({ id, cookie: `gptimg_session=${t}` });
    await db.batch([
      db.prepare("INSERT INTO accounts (id, google_sub, email, name, credits, created_at, updated_at, last_sign_in_at, terms_version, terms_accepted_at, age_confirmed_at) VALUES (?1, ?2, ?3, 'Load', 1000000, ?4, ?4, ?4, '2026-04-22', ?4, ?4)").bind(id, `load-${i}`, `load-${i}@gptimg.test`, now),
      db.prepare("INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)").bind(`ses_${crypto.randomBytes(13).toString("hex").slice(0, 26).replace(/[ilou]/g, "a")}`, crypto.createHash("sha256").update(t).digest("hex"), id, now, now + 86400_000),
    ]);
  }
  // A 1 MiB image: random pixels do not compress, so 604x604 RGB lands just over 1 MiB.
  const png = encodePng(604, 604, () => [Math.random() * 256 | 0, Math.random() * 256 | 0, Math.random() * 256 | 0]);
  const key = `generations/${account}/gen_0123456789abcdefghjkmnpqrs/0.png`;
  const bucket = await stack.mf.getR2Bucket("IMAGES");
  const object = await bucket.put(key, new Uint8Array(png), { httpMetadata: { contentType: "image/png" } });
  const imageId = "img_0123456789abcdefghjkmnpqrs";
  await db.batch([
    db.prepare("INSERT INTO generations (id, account_id, prompt, model_id, apipod_model, aspect_ratio, cost, status, deadline_at, created_at, updated_at, finished_at) VALUES ('gen_0123456789abcdefghjkmnpqrs', ?1, 'bench', 'nano-banana', 'nano-banana', '1:1', 2, 'succeeded', ?2, ?2, ?2, ?2)").bind(account, now),
    db.prepare("INSERT INTO generation_images (id, generation_id, account_id, position, r2_key, content_type, size_bytes, width, height, etag, created_at) VALUES (?1, 'gen_0123456789abcdefghjkmnpqrs', ?2, 0, ?3, 'image/png', ?4, 604, 604, ?5, ?6)").bind(imageId, account, key, png.length, object.httpEtag, now),
  ]);
  return { account, cookie: `gptimg_session=${token}`, tokenHash, imageId, imageKey: key, imageBytes: png.length, users };
}

function invoiceEvent(account) {
  const id = crypto.randomBytes(12).toString("hex");
  return JSON.stringify({
    id: `evt_bench_${id}`, object: "event", type: "invoice.paid", created: Math.floor(Date.now() / 1000),
    data: { object: { id: `in_bench_${id}`, customer: "cus_bench", subscription: "sub_bench", amount_paid: 1900, currency: "usd",
      payment_intent: `pi_bench_${id}`, subscription_details: { metadata: { account_id: account } }, lines: { data: [{ price: { id: "price_pro_monthly" } }] } } },
  });
}

async function measure(name, options) {
  await autocannon({ ...options, duration: 1, connections: CONNECTIONS }); // warm-up
  const result = await autocannon({ ...options, duration: DURATION, connections: CONNECTIONS });
  const ok = result["2xx"];
  const bad = result.non2xx + result.errors + result.timeouts;
  console.log(`${name.padEnd(28)} p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  ${Math.round(result.requests.average)} req/s  (${ok} ok, ${bad} failed)`);
  return { name, p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, ok, bad };
}

function bundleGzipKiB() {
  const output = execSync("npx --no-install wrangler deploy --dry-run --outdir dist", { cwd: ROOT, env: { ...process.env, GPTIMG_PREBUILT: "1", CI: "true", WRANGLER_SEND_METRICS: "false" }, encoding: "utf8" });
  return Number(/gzip: ([\d.]+) KiB/.exec(output)[1]);
}

const stack = await startStack();
let report;
try {
  const data = await seed(stack);
  if (process.argv.includes("--probe")) {
    // Async, not execSync: this process must keep draining workerd's log pipe.
    await new Promise((resolve) => spawn("node", ["bench/probe.mjs", stack.url, data.cookie, stack.floorUrl, data.tokenHash], { cwd: ROOT, stdio: "inherit" }).on("exit", resolve));
    process.exitCode = 0;
    throw new Error("probe finished");
  }
  const me = { headers: { cookie: data.cookie } };
  const floors = {
    nothing: await measure("floor: nothing", { url: `${stack.floorUrl}/nothing` }),
    query: await measure("floor: one D1 query", { url: `${stack.floorUrl}/d1-query`, headers: { "x-token-hash": data.tokenHash } }),
    batch: await measure("floor: one D1 batch write", {
      url: `${stack.floorUrl}/d1-batch`,
      requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, "x-event-id": `evt_floor_${crypto.randomBytes(8).toString("hex")}`, "x-account-id": data.account } }) }],
    }),
    r2: await measure("floor: one R2 read (1 MiB)", { url: `${stack.floorUrl}/r2-read`, headers: { "x-key": data.imageKey } }),
  };
  let next = 0;
  const endpoints = [
    ["GET /healthz", floors.nothing, await measure("GET /healthz", { url: `${stack.url}/healthz` }), false],
    ["GET /api/me", floors.query, await measure("GET /api/me", { url: `${stack.url}/api/me`, ...me }), true],
    ["POST /webhooks/stripe", floors.batch, await measure("POST /webhooks/stripe", {
      url: `${stack.url}/webhooks/stripe`, method: "POST",
      requests: [{ setupRequest: (req) => {
        const body = invoiceEvent(data.account);
        return { ...req, method: "POST", body, headers: { "content-type": "application/json", "stripe-signature": signPayload(body, TEST_SECRETS.STRIPE_WEBHOOK_SECRET) } };
      } }],
    }), true],
    ["GET /images/{id} (1 MiB)", floors.r2, await measure("GET /images/{id} (1 MiB)", { url: `${stack.url}/images/${data.imageId}`, ...me }), true],
    ["POST /api/generations", floors.batch, await measure("POST /api/generations", {
      url: `${stack.url}/api/generations`, method: "POST",
      requests: [{ setupRequest: (req) => {
        const user = data.users[next++ % data.users.length];
        return { ...req, method: "POST", body: JSON.stringify({ prompt: "a benchmark lighthouse", model: "nano-banana", aspect_ratio: "1:1" }),
          headers: { "content-type": "application/json", origin: stack.url, cookie: user.cookie } };
      } }],
    }), false],
  ];
  // One request, alone, to read how many D1 round trips /api/me made from its log line.
  capture.on = true;
  const probe = await fetch(`${stack.url}/api/me`, { headers: { cookie: data.cookie, "x-request-id": "bench-round-trips" } });
  await probe.arrayBuffer();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const meRoundTrips = probeLines.map((line) => JSON.parse(line)).find((l) => l.msg === "request")?.d1_round_trips;
  report = { endpoints, floors, startToFirstResponseMs: stack.startToFirstResponseMs, bundleGzipKiB: bundleGzipKiB(), meRoundTrips };
} finally {
  await stack.mf.dispose();
  await stack.fakes.close();
}

// ---- Budgets ----
const problems = [];
for (const [name, floor, result, budgeted] of report.endpoints) {
  if (result.bad > 0) problems.push(`${name}: ${result.bad} failed requests`);
  if (budgeted && result.p50 > 1.5 * Math.max(floor.p50, 1)) problems.push(`${name}: p50 ${result.p50} ms is over 1.5x its floor's ${floor.p50} ms`);
  if (result.p99 > 5 * Math.max(result.p50, 1)) problems.push(`${name}: p99 ${result.p99} ms is over 5x its p50 ${result.p50} ms`);
}
if (report.bundleGzipKiB >= 1024) problems.push(`bundle ${report.bundleGzipKiB} KiB gzip is not under 1 MiB`);
if (report.meRoundTrips !== 1) problems.push(`GET /api/me made ${report.meRoundTrips} D1 round trips, not 1`);

// ---- Report ----
const row = ([name, floor, r]) => `| ${name} | ${r.p50} | ${r.p99} | ${Math.round(r.rps)} | ${floor.name.replace("floor: ", "")} | ${floor.p50} | ${(r.p50 / Math.max(floor.p50, 1)).toFixed(2)}x |`;
const section = [
  `### ${LABEL} — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
  "",
  `autocannon, ${CONNECTIONS} connections, ${DURATION} s per target after a 1 s warm-up; release build; Miniflare/workerd with local D1 and R2; the stand-ins on loopback.`,
  "",
  "| Endpoint | p50 ms | p99 ms | req/s | Floor | Floor p50 ms | p50 / floor |",
  "|---|---|---|---|---|---|---|",
  ...report.endpoints.map(row),
  "",
  "| Floor | p50 ms | p99 ms | req/s |",
  "|---|---|---|---|",
  ...Object.values(report.floors).map((f) => `| ${f.name.replace("floor: ", "")} | ${f.p50} | ${f.p99} | ${Math.round(f.rps)} |`),
  "",
  `- gzip bundle: ${report.bundleGzipKiB} KiB (budget: under 1024 KiB)`,
  `- D1 round trips for \`GET /api/me\` (from its log line): ${report.meRoundTrips} (budget: 1)`,
  `- start to first response: ${Math.round(report.startToFirstResponseMs)} ms (Miniflare start, workerd boot, first \`GET /healthz\`)`,
  `- budgets: ${problems.length ? problems.map((p) => `BROKEN — ${p}`).join("; ") : "all held"}`,
  "",
].join("\n");
const file = path.join(ROOT, "BENCHMARKS.md");
const header = "# Benchmarks\n\nProduced by `bash scripts/bench.sh` (see README). Newest run first.\n\n";
const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8").replace(header, "") : "";
fs.writeFileSync(file, header + section + "\n" + previous);
console.log(section);
if (problems.length) {
  console.error(`budgets broken:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
