// GPTImg benchmark: the release Worker, the Rust floor Worker and the plain-JS Stripe webhook Worker
// (bench/js-webhook, what a user would write instead) in ONE workerd (Miniflare) with shared local D1 and R2, the
// stand-ins on loopback, driven by autocannon from its own process (load.mjs). Writes BENCHMARKS.md and fails if a
// budget is broken.
//   node bench/run.mjs [--rounds 3] [--duration 4] [--warm-up 2] [--connections 8] [--label "after"] [--only REGEX] [--steady]
//   (--only 'webhooks/stripe: ' selects only the comparison with the JS Worker; --only and --steady never write BENCHMARKS.md)
//   node bench/run.mjs --probe   (sequential latency and workerd CPU per request, see probe.mjs)
//   node bench/run.mjs --probe --alt-build DIR   (also a second build of our Worker, e.g. another opt-level, from
//   DIR/index.js, probed interleaved with the first on the same runtime and database)
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { execSync, spawn } from "node:child_process";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { startFakes } from "../tests/support/fakes/server.mjs";
import { localVars, TEST_SECRETS } from "../tests/support/env.mjs";
import { freePort, ROOT } from "../tests/support/worker.mjs";
import { encodePng } from "../tests/support/fakes/png.mjs";
import { checkoutEvent, signed } from "./events.mjs";

const arg = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const DURATION = Number(arg("--duration", "4")); // seconds per round, per target
const ROUNDS = Number(arg("--rounds", "3"));
const WARM_UP = Number(arg("--warm-up", "2"));
const SETTLE = Number(arg("--settle", "3")); // seconds per target of whole-runtime warm-up before anything counts
const CONNECTIONS = Number(arg("--connections", "8"));
const ONLY = process.argv.includes("--only") ? new RegExp(arg("--only")) : null; // e.g. --only 'api/me'
// Steady load is one client sending back-to-back requests; saturation is CONNECTIONS clients at once. On one
// workerd thread, saturation latency is mostly queueing, and every garbage-collection pause lands on all
// in-flight requests at once (see BENCHMARKS.md), so the latency budgets are read under steady load, as the
// issue words them; saturation is recorded for capacity (req/s against the floor's).
const MODES = [
  { name: "steady load", connections: 1, checksBudgets: true },
  { name: "saturation", connections: CONNECTIONS, checksBudgets: false },
].filter((mode) => !process.argv.includes("--steady") || mode.checksBudgets); // --steady: exploring the budgets only
const LABEL = arg("--label", "current");
const ALT_BUILD = process.argv.includes("--alt-build") ? path.resolve(arg("--alt-build")) : null;
// Our webhook's p50 must be at most this fraction of the plain JS Worker's, case by case (issue 15).
const JS_BUDGET = 0.9;
// The stand-in keeps this task processing: the benchmark measures admission, not APIPod.
const BENCH_PROMPT = "a benchmark lighthouse [apipod:stall]";

/** Before every drive of POST /api/generations: the bench's generations go, so per-user limits never refuse. */
const clearGenerations = (db) => () => db.prepare("DELETE FROM generations WHERE prompt = ?").bind(BENCH_PROMPT).run();
const probeLines = [];
const capture = { on: false };

// Local D1 and R2 run inside workerd, on the Worker's own thread: a disk flush of their SQLite files stalls every
// request in flight, which production D1 and R2 (separate services) never do to a Worker. So their files live
// in memory (tmpfs) where the machine has one.
const STORAGE = fs.existsSync("/dev/shm") ? fs.mkdtempSync("/dev/shm/gptimg-bench-") : false;

/** Bundles the JS comparison Worker with the official `stripe` SDK, as wrangler would (esbuild, workerd conditions). */
function buildJsWebhook() {
  const out = path.join(ROOT, "bench/js-webhook/build/index.js");
  execSync(`node_modules/.bin/esbuild bench/js-webhook/index.js --bundle --format=esm --platform=neutral --conditions=workerd,worker,browser --main-fields=module,main --outfile=${out} --log-level=warning`, { cwd: ROOT });
  return out;
}

async function startStack() {
  const port = await freePort();
  const appPort = await freePort();
  const floorPort = await freePort();
  const jsPort = await freePort();
  const altPort = await freePort();
  const jsScript = buildJsWebhook();
  // Both Workers are measured on a direct socket and behind the same static-assets router (wrangler.toml's
  // [assets], run_worker_first), so the platform's routing costs them alike and only their own code differs.
  // (Miniflare's entry Worker, which has no production counterpart, serves `port` and is not measured.)
  const url = `http://127.0.0.1:${appPort}`;
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const fakes = await startFakes({ secrets: TEST_SECRETS, plans: workerOptions.bindings.PLANS, appUrl: () => url });
  /** Our Worker as built in `dir` (`build/`, or an `--alt-build` copy), on its own direct socket. */
  const ourWorker = (name, dir, socketPort) => ({
    ...workerOptions,
    name,
    bindings: { ...workerOptions.bindings, ...localVars({ appUrl: url, fakesUrl: fakes.url }), ...TEST_SECRETS },
    modules: true,
    scriptPath: path.join(dir, "index.js"),
    modulesRoot: dir,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: socketPort }],
  });
  const started = performance.now();
  const mf = new Miniflare({
    workers: [
      ourWorker("gptimg", path.join(ROOT, "build"), appPort),
      // One queue has one consumer: the first build's.
      ...(ALT_BUILD ? [{ ...ourWorker("gptimg-alt", ALT_BUILD, altPort), queueConsumers: undefined }] : []),
      {
        name: "floor",
        modules: true,
        scriptPath: path.join(ROOT, "bench/floor/build/index.js"),
        modulesRoot: path.join(ROOT, "bench/floor/build"),
        modulesRules: workerOptions.modulesRules,
        compatibilityDate: workerOptions.compatibilityDate,
        d1Databases: workerOptions.d1Databases,
        r2Buckets: workerOptions.r2Buckets,
        assets: workerOptions.assets,
        unsafeDirectSockets: [{ host: "127.0.0.1", port: floorPort }],
      },
      {
        name: "js-webhook",
        modules: true,
        scriptPath: jsScript,
        compatibilityDate: workerOptions.compatibilityDate,
        bindings: { PLANS: workerOptions.bindings.PLANS, STRIPE_SECRET_KEY: TEST_SECRETS.STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET: TEST_SECRETS.STRIPE_WEBHOOK_SECRET },
        d1Databases: workerOptions.d1Databases,
        r2Buckets: workerOptions.r2Buckets,
        assets: workerOptions.assets,
        unsafeDirectSockets: [{ host: "127.0.0.1", port: jsPort }],
      },
    ],
    host: "127.0.0.1",
    port,
    d1Persist: STORAGE && path.join(STORAGE, "d1"),
    r2Persist: STORAGE && path.join(STORAGE, "r2"),
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
  return { mf, fakes, url, floorUrl: `http://127.0.0.1:${floorPort}`, jsUrl: `http://127.0.0.1:${jsPort}`, altUrl: ALT_BUILD && `http://127.0.0.1:${altPort}`, startToFirstResponseMs: first };
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
  // Generation load comes from many users, so per-user limits (6 in flight, 12 a minute) are not what is measured
  // (with the bench's generations cleared before every drive, see `clearGenerations`).
  const users = [];
  for (let i = 0; i < 1000; i++) {
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
    db.prepare("INSERT INTO generations (id, account_id, prompt, model_id, apipod_model, aspect_ratio, cost, status, deadline_at, created_at, updated_at, finished_at) VALUES ('gen_0123456789abcdefghjkmnpqrs', ?1, 'bench', 'nano-banana-2', 'nano-banana-2', '1:1', 2, 'succeeded', ?2, ?2, ?2, ?2)").bind(account, now),
    db.prepare("INSERT INTO generation_images (id, generation_id, account_id, position, r2_key, content_type, size_bytes, width, height, etag, created_at) VALUES (?1, 'gen_0123456789abcdefghjkmnpqrs', ?2, 0, ?3, 'image/png', ?4, 604, 604, ?5, ?6)").bind(imageId, account, key, png.length, object.httpEtag, now),
  ]);
  return { db, account, cookie: `gptimg_session=${token}`, tokenHash, imageId, imageKey: key, imageBytes: png.length, users };
}

/** Percentile of sorted samples (nearest rank). */
const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

/** Drives one target for `seconds` from a separate process (bench/load.mjs), recording latencies if asked. */
async function drive(target, connections, seconds, latencies) {
  await target.prepare?.();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bench/load.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const result = JSON.parse(out);
      if (latencies) for (const latency of result.latencies) latencies.push(latency);
      resolve(result);
    });
    child.stdin.end(JSON.stringify({ ...target.request, connections, seconds, record: Boolean(latencies) }));
  });
}

function figures(name, latencies, totals) {
  latencies.sort((a, b) => a - b);
  return { name, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), rps: totals.ok / (ROUNDS * DURATION), ...totals };
}

// An endpoint and its floor alternate, round by round, and each one's samples are pooled: this machine's speed
// drifts by tens of percent over a minute, and alternating puts the same drift on both sides of the ratio.
// Percentiles come from each response's fractional time, not autocannon's whole-millisecond histogram.
async function measurePair(endpoint, floor, connections) {
  const sides = [floor, endpoint].map((target) => ({ target, latencies: [], totals: { ok: 0, bad: 0 } }));
  for (const side of sides) await drive(side.target, connections, WARM_UP, null);
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of sides) {
      const { ok, bad } = await drive(side.target, connections, DURATION, side.latencies);
      side.totals.ok += ok;
      side.totals.bad += bad;
    }
  }
  const [floorFigures, endpointFigures] = sides.map((side) => figures(side.target.name, side.latencies, side.totals));
  for (const f of [floorFigures, endpointFigures]) {
    console.log(`${String(connections).padStart(2)} conn  ${f.name.padEnd(34)} p50 ${ms(f.p50)} ms  p99 ${ms(f.p99)} ms  ${Math.round(f.rps)} req/s  (${f.ok} ok, ${f.bad} failed)`);
  }
  return { floor: floorFigures, endpoint: endpointFigures };
}

const ms = (value) => value.toFixed(2);

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
    await new Promise((resolve) => spawn("node", ["bench/probe.mjs", JSON.stringify({ ...data, users: undefined, db: undefined, url: stack.url, floorUrl: stack.floorUrl, jsUrl: stack.jsUrl, altUrl: stack.altUrl })], { cwd: ROOT, stdio: "inherit" }).on("exit", resolve));
    process.exitCode = 0;
    throw new Error("probe finished");
  }
  const me = { headers: { cookie: data.cookie } };
  const invoice = { kind: "invoice", account: data.account, secret: TEST_SECRETS.STRIPE_WEBHOOK_SECRET };
  const floors = {
    nothing: { name: "nothing", request: { url: `${stack.floorUrl}/nothing` } },
    query: { name: "one D1 query", request: { url: `${stack.floorUrl}/d1-query`, headers: { "x-token-hash": data.tokenHash } } },
    batch: { name: "read the event, one D1 batch (4 rows)", request: { url: `${stack.floorUrl}/d1-batch`, body: { ...invoice, floorHeaders: true } } },
    r2: { name: "one R2 read (1 MiB)", request: { url: `${stack.floorUrl}/r2-read`, headers: { "x-key": data.imageKey } } },
  };
  const targets = [
    { name: "GET /healthz", floor: floors.nothing, budgeted: false, request: { url: `${stack.url}/healthz` } },
    { name: "GET /api/me", floor: floors.query, budgeted: true, request: { url: `${stack.url}/api/me`, ...me } },
    { name: "POST /webhooks/stripe", floor: floors.batch, budgeted: true, request: { url: `${stack.url}/webhooks/stripe`, body: invoice } },
    { name: "GET /images/{id} (1 MiB)", floor: floors.r2, budgeted: true, request: { url: `${stack.url}/images/${data.imageId}`, ...me } },
    // Admission only: the submit runs after the 202 (waitUntil); the stand-in's task stays processing, so no
    // callback or result download runs beside the measurement (the queue's status polls do).
    { name: "POST /api/generations", floor: floors.batch, budgeted: true, prepare: clearGenerations(data.db), request: {
      url: `${stack.url}/api/generations`, body: { kind: "generation", origin: stack.url, cookies: data.users.map((u) => u.cookie), prompt: BENCH_PROMPT },
    } },
  ].filter((target) => !ONLY || ONLY.test(target.name));
  // Our webhook against the plain JS Worker with the official stripe SDK, case by case, interleaved like a floor.
  const secret = TEST_SECRETS.STRIPE_WEBHOOK_SECRET;
  const replayed = checkoutEvent(data.account, "replayed");
  for (const base of [stack.url, stack.jsUrl]) {
    const first = await fetch(`${base}/webhooks/stripe`, { method: "POST", ...signed(replayed, secret) });
    if (first.status !== 200) throw new Error(`the replayed event's first delivery to ${base}: ${first.status}`);
  }
  const cases = [
    ["new grant", { kind: "checkout", account: data.account, secret }],
    ["replay", { kind: "replay", event: replayed, secret }],
    ["ignored event type", { kind: "ignored", account: data.account, secret }],
    ["do-nothing (unsigned, 400)", { kind: "unsigned" }, 400],
  ];
  const versusJs = cases.map(([name, body, expect]) => ({
    name: `POST /webhooks/stripe: ${name}`,
    ours: { name: `ours: ${name}`, request: { url: `${stack.url}/webhooks/stripe`, body, expect } },
    js: { name: `JS + stripe SDK: ${name}`, request: { url: `${stack.jsUrl}/webhooks/stripe`, body, expect } },
  }));
  // What no Rust Worker can beat, against the same JS cases: the Rust floor Worker (workers-rs entry, no checks, no
  // parsing) answering at once, and reading the event then writing the four rows in one batch. Not budgeted: they
  // show how much of the 0.9x budget the wasm entry and the batch leave to our own code.
  const jsCase = (name) => versusJs.find((c) => c.name.endsWith(name)).js;
  versusJs.push(
    { name: "POST /webhooks/stripe: floor answering at once, against the JS do-nothing", bound: true, ours: floors.nothing, js: jsCase("do-nothing (unsigned, 400)") },
    { name: "POST /webhooks/stripe: floor reading the event and one D1 batch (4 rows), against the JS new grant", bound: true, ours: floors.batch, js: jsCase("new grant") },
    // And what no Worker in any language can beat: the JS Worker itself minus the signature check, and answering
    // at once. If these are over 0.9x, the budget asks a verifying Worker to be faster than one that skips the check.
    { name: "POST /webhooks/stripe: JS granting WITHOUT verifying the signature, against the JS new grant", bound: true, ours: { ...jsCase("new grant"), name: "JS unverified: new grant", request: { ...jsCase("new grant").request, url: `${stack.jsUrl}/bound/unverified` } }, js: jsCase("new grant") },
    { name: "POST /webhooks/stripe: JS answering 400 at once, against the JS do-nothing", bound: true, ours: { ...jsCase("do-nothing (unsigned, 400)"), name: "JS refusing at once", request: { ...jsCase("do-nothing (unsigned, 400)").request, url: `${stack.jsUrl}/bound/refuse` } }, js: jsCase("do-nothing (unsigned, 400)") },
  );
  const selected = versusJs.filter((c) => !ONLY || ONLY.test(c.name));
  // Warm the whole runtime before any figure is kept: every Worker, every storage isolate, JIT tiers and heaps
  // sized, so that whichever endpoint is measured first does not pay for everyone's start.
  for (const target of targets) for (const side of [target.floor, target]) await drive(side, CONNECTIONS, SETTLE, null);
  for (const c of selected) for (const side of [c.js, c.ours]) await drive(side, CONNECTIONS, SETTLE, null);
  const modes = [];
  for (const mode of MODES) {
    const rows = [];
    for (const target of targets) rows.push({ target, ...(await measurePair(target, target.floor, mode.connections)) });
    const versus = [];
    for (const c of selected) versus.push({ c, ...(await measurePair(c.ours, c.js, mode.connections)) });
    modes.push({ mode, rows, versus });
  }
  // One request, alone, to read how many D1 round trips /api/me made from its log line.
  capture.on = true;
  const probe = await fetch(`${stack.url}/api/me`, { headers: { cookie: data.cookie, "x-request-id": "bench-round-trips" } });
  await probe.arrayBuffer();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const meRoundTrips = probeLines.map((line) => JSON.parse(line)).find((l) => l.msg === "request")?.d1_round_trips;
  report = { modes, startToFirstResponseMs: stack.startToFirstResponseMs, bundleGzipKiB: bundleGzipKiB(), meRoundTrips };
} finally {
  await stack.mf.dispose();
  await stack.fakes.close();
  if (STORAGE) fs.rmSync(STORAGE, { recursive: true, force: true });
}

if (ONLY || process.argv.includes("--steady")) process.exit(0); // a partial run is for exploring, not for the record

// ---- Budgets ----
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const problems = [];
for (const { mode, rows } of report.modes) {
  for (const { target, endpoint, floor } of rows) {
    const where = `${target.name} (${mode.name})`;
    if (endpoint.bad > 0 || floor.bad > 0) problems.push(`${where}: ${endpoint.bad + floor.bad} failed requests`);
    if (!mode.checksBudgets) continue;
    if (target.budgeted && endpoint.p50 > 1.5 * floor.p50) problems.push(`${where}: p50 ${ms(endpoint.p50)} ms is over 1.5x its floor's ${ms(floor.p50)} ms`);
    if (endpoint.p99 > 5 * endpoint.p50) problems.push(`${where}: p99 ${ms(endpoint.p99)} ms is over 5x its p50 ${ms(endpoint.p50)} ms`);
  }
}
for (const { mode, versus } of report.modes) {
  for (const { c, endpoint: ours, floor: js } of versus) {
    const where = `${c.name} (${mode.name})`;
    if (ours.bad > 0 || js.bad > 0) problems.push(`${where}: ${ours.bad + js.bad} failed requests`);
    if (mode.checksBudgets && !c.bound && ours.p50 > JS_BUDGET * js.p50) problems.push(`${where}: p50 ${ms(ours.p50)} ms is over ${JS_BUDGET}x the JS Worker's ${ms(js.p50)} ms (${ratio(ours.p50, js.p50)})`);
  }
}
if (report.bundleGzipKiB >= 1024) problems.push(`bundle ${report.bundleGzipKiB} KiB gzip is not under 1 MiB`);
if (report.meRoundTrips !== 1) problems.push(`GET /api/me made ${report.meRoundTrips} D1 round trips, not 1`);

// ---- Report ----
const versusTable = ({ mode, versus }) => versus.length ? [
  `**${mode.name}: our Stripe webhook against a plain JS Worker** (bench/js-webhook: the official \`stripe\` SDK's \`constructEventAsync\`, a pack granted in one D1 batch; alternated round by round${mode.checksBudgets ? `; budget: ours at most ${JS_BUDGET}x the JS Worker's p50` : "; recorded, not budgeted"})`,
  "",
  "| Case | ours p50 ms | ours p99 ms | ours req/s | JS p50 ms | JS p99 ms | JS req/s | ours / JS p50 |",
  "|---|---|---|---|---|---|---|---|",
  ...versus.map(({ c, endpoint: o, floor: j }) =>
    `| ${c.name.replace("POST /webhooks/stripe: ", "")} | ${ms(o.p50)} | ${ms(o.p99)} | ${Math.round(o.rps)} | ${ms(j.p50)} | ${ms(j.p99)} | ${Math.round(j.rps)} | ${ratio(o.p50, j.p50)}${c.bound ? " (a floor, no budget)" : ""} |`),
  "",
] : [];
const table = ({ mode, rows }) => [
  `**${mode.name}** (${mode.connections} connection${mode.connections > 1 ? "s" : ""}${mode.checksBudgets ? "; the budgets are checked here" : "; recorded, not budgeted"})`,
  "",
  "| Endpoint | p50 ms | p99 ms | p99 / p50 | req/s | Floor | Floor p50 ms | Floor p99 ms | Floor req/s | p50 / floor | floor req/s / req/s |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
  ...rows.map(({ target, endpoint: e, floor: f }) =>
    `| ${target.name} | ${ms(e.p50)} | ${ms(e.p99)} | ${ratio(e.p99, e.p50)} | ${Math.round(e.rps)} | ${f.name} | ${ms(f.p50)} | ${ms(f.p99)} | ${Math.round(f.rps)} | ${ratio(e.p50, f.p50)}${target.budgeted ? "" : " (no budget)"} | ${ratio(f.rps, e.rps)} |`),
  "",
];
const section = [
  `### ${LABEL} — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
  "",
  `autocannon in its own process; each endpoint and its floor alternate for ${ROUNDS} rounds of ${DURATION} s after ${WARM_UP} s of warm-up each; release build; one workerd (Miniflare) with local D1 and R2 in tmpfs; the stand-ins on loopback; every Worker on a direct socket behind the same static-assets router.`,
  "",
  ...report.modes.flatMap((m) => [...table(m), ...versusTable(m)]),
  `- gzip bundle: ${report.bundleGzipKiB} KiB (budget: under 1024 KiB)`,
  `- D1 round trips for \`GET /api/me\` (from its log line): ${report.meRoundTrips} (budget: 1)`,
  `- start to first response: ${Math.round(report.startToFirstResponseMs)} ms (Miniflare start, workerd boot, first \`GET /healthz\`)`,
  `- budgets: ${problems.length ? problems.map((p) => `BROKEN — ${p}`).join("; ") : "all held"}`,
  "",
].join("\n");
const file = path.join(ROOT, "BENCHMARKS.md");
const header = fs.readFileSync(path.join(ROOT, "bench/METHOD.md"), "utf8");
// Everything from the first run heading on is history; the method text above it is always the current one.
const history = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
const previous = history.includes("\n### ") ? history.slice(history.indexOf("\n### ") + 1) : "";
fs.writeFileSync(file, header + section + "\n" + previous);
console.log(section);
if (problems.length) {
  console.error(`budgets broken:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
