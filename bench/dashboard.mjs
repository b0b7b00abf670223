// The operator dashboard at a million generations (issue 17). Seeds, ONCE, a file-backed local D1 (default
// target/bench-dashboard-d1; BENCH_D1_DIR to move it, BENCH_RESEED=1 to start over) with 1,000,000 generations
// spread evenly over the last 365 days across 1,000 accounts and 4 models (~8 % failed with one of 5 codes, ~90 %
// of those refunded, the last 10 minutes still running), one debit ledger row per generation plus the refunds,
// and one paid pack per 50 generations (payment + ledger row, two currencies). Then, through the release Worker
// in workerd: checks every windowed query's EXPLAIN QUERY PLAN (covering index range, no table scan), times each
// query alone through the D1 binding, and times the real `GET /api/admin/dashboard?days=30|90` (session lookup +
// one batch + JSON), median and p95 of REPS requests after a warm-up. Prints Markdown for BENCHMARKS.md.
// Usage: bash scripts/build.sh && node bench/dashboard.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { ROOT, freePort, applyMigrations } from "../tests/support/worker.mjs";
import { startFakes } from "../tests/support/fakes/server.mjs";
import { localVars, TEST_SECRETS } from "../tests/support/env.mjs";
import { signIn, asUser } from "../tests/support/google-flow.mjs";

const GENERATIONS = Number(process.env.BENCH_GENERATIONS ?? 1_000_000);
const ACCOUNTS = 1_000;
const PER_PAYMENT = 50;
const CHUNK = 50_000;
const REPS = Number(process.env.REPS ?? 30);
const DAY = 86_400_000;
const DIR = path.resolve(ROOT, process.env.BENCH_D1_DIR ?? "target/bench-dashboard-d1");
const QUERIES = ["revenue", "ledger", "statuses", "models", "failure_codes", "attention", "deletions"];

if (process.env.BENCH_RESEED === "1") fs.rmSync(DIR, { recursive: true, force: true });
const fresh = !fs.existsSync(DIR);

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
const fakes = await startFakes({ secrets: TEST_SECRETS, plans: workerOptions.bindings.PLANS, appUrl: () => url, apipodImages: "small" });
const mf = new Miniflare({
  ...workerOptions,
  name: "gptimg",
  bindings: { ...workerOptions.bindings, ...localVars({ appUrl: url, fakesUrl: fakes.url }), ...TEST_SECRETS },
  modules: true,
  scriptPath: path.join(ROOT, "build/index.js"),
  modulesRoot: path.join(ROOT, "build"),
  host: "127.0.0.1",
  port,
  d1Persist: DIR,
  r2Persist: false,
  handleRuntimeStdio: (stdout, stderr) => { stdout.resume(); stderr.resume(); },
});
const worker = { url, fakes, fetch: (p, init) => fetch(url + p, { redirect: "manual", ...init }) };

/** Runs `sql` for i in [from, to) as one statement per chunk (a recursive CTE makes the rows inside SQLite). */
async function insertRange(db, total, sql) {
  for (let from = 0; from < total; from += CHUNK) {
    const to = Math.min(total, from + CHUNK);
    await db.prepare(`WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2) ${sql}`).bind(from, to).run();
  }
}

async function seed(db, now) {
  const start = now - 365 * DAY;
  const step = Math.floor((365 * DAY) / GENERATIONS);
  await insertRange(db, ACCOUNTS, `INSERT INTO accounts (id, google_sub, email, name, credits, created_at, updated_at, last_sign_in_at)
    SELECT printf('acc_bench%021d', i), 'bench-' || i, 'bench' || i || '@bench.test', 'Bench ' || i, 1000, ${start}, ${start}, ${start} FROM n`);
  // h: a scrambled 0..999 per generation, choosing its fate.
  await insertRange(db, GENERATIONS, `INSERT INTO generations (id, account_id, prompt, model_id, apipod_model, aspect_ratio, cost, status,
      failure_code, failure_message, deadline_at, created_at, updated_at, finished_at)
    SELECT id, account_id, 'a benchmark prompt number ' || i, model, model, '1:1', cost,
      CASE WHEN created_at > ${now} - 600000 THEN 'running' WHEN h < 80 THEN 'failed' ELSE 'succeeded' END,
      CASE WHEN created_at <= ${now} - 600000 AND h < 80 THEN 'code_' || (h % 5) END,
      CASE WHEN created_at <= ${now} - 600000 AND h < 80 THEN 'failed' END,
      created_at + 600000, created_at, created_at,
      CASE WHEN created_at <= ${now} - 600000 THEN created_at + 4000 + (h * 997) % 120000 END
    FROM (SELECT i, printf('gen_bench%021d', i) AS id, printf('acc_bench%021d', i % ${ACCOUNTS}) AS account_id,
      ${start} + i * ${step} AS created_at, (i * 7919 + (i / 1000) * 104729) % 1000 AS h,
      CASE i % 4 WHEN 0 THEN 'gpt-image-1' WHEN 1 THEN 'nano-banana-2' WHEN 2 THEN 'seedream-v4.5' ELSE 'flux-kontext' END AS model,
      1 + i % 4 AS cost FROM n)`);
  await insertRange(db, GENERATIONS, `INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at)
    SELECT printf('led_bd%020d', i), printf('acc_bench%021d', i % ${ACCOUNTS}), 'generation_debit', printf('gen_bench%021d', i),
      -(1 + i % 4), 1000, 'Image generation', ${start} + i * ${step} FROM n`);
  await db.prepare(`INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at)
    SELECT 'led_br' || substr(id, 10), account_id, 'generation_refund', id, cost, 1000, 'Refund', finished_at FROM generations
    WHERE status = 'failed' AND (created_at / 1000) % 10 != 0`).run();
  const payments = Math.floor(GENERATIONS / PER_PAYMENT);
  const paidAt = `${start} + i * ${step * PER_PAYMENT}`;
  await insertRange(db, payments, `INSERT INTO payments (id, account_id, plan_id, kind, cause_id, amount_cents, currency, credits_granted,
      amount_reversed_cents, status, created_at, updated_at)
    SELECT printf('pay_bench%017d', i), printf('acc_bench%021d', i % ${ACCOUNTS}), 'pack_100', 'pack', printf('cs_bench%017d', i), 900,
      CASE WHEN i % 3 = 0 THEN 'eur' ELSE 'usd' END, 100, CASE WHEN i % 40 = 0 THEN 900 ELSE 0 END,
      CASE WHEN i % 40 = 0 THEN 'refunded' WHEN i % 97 = 0 THEN 'failed' ELSE 'paid' END, ${paidAt}, ${paidAt} FROM n`);
  await insertRange(db, payments, `INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at)
    SELECT printf('led_bp%020d', i), printf('acc_bench%021d', i % ${ACCOUNTS}), 'pack_purchase', printf('cs_bench%017d', i), 100, 1000,
      'Bought 100 credits', ${paidAt} FROM n WHERE i % 97 != 0`);
  await db.prepare("ANALYZE").run();
}

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return `${at(0.5).toFixed(1)} / ${at(0.95).toFixed(1)}`;
};

try {
  await mf.ready;
  const db = await mf.getD1Database("DB");
  const now = Date.now();
  let seededMs = null;
  if (fresh) {
    await applyMigrations(db);
    const began = performance.now();
    await seed(db, now);
    seededMs = performance.now() - began;
  }
  const count = async (sql) => (await db.prepare(sql).first()).n;
  const generations = await count("SELECT count(*) AS n FROM generations WHERE id LIKE 'gen_bench%'");
  assert.equal(generations, GENERATIONS, `${DIR} holds a partial seed: run again with BENCH_RESEED=1`);
  const ledgerRows = await count("SELECT count(*) AS n FROM credit_ledger");
  const paymentRows = await count("SELECT count(*) AS n FROM payments");

  const admin = (await signIn(worker, { email: "admin@gptimg.test", name: "Bench Admin" })).session;
  const sql = (name) => fs.readFileSync(path.join(ROOT, "src/store/sql/dashboard", `${name}.sql`), "utf8");
  const binds = (name, days) => {
    const today = Math.floor(Date.now() / DAY);
    return ["attention", "deletions"].includes(name) ? [] : [today - days + 1, today];
  };
  const plans = [];
  for (const name of QUERIES) {
    const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql(name)}`).bind(...binds(name, 90)).all();
    const detail = results.map((r) => r.detail);
    assert.ok(!detail.some((l) => /^SCAN (generations|g|credit_ledger|payments)\b/.test(l)), `${name}: ${detail.join(" / ")}`);
    plans.push(`- ${name}: ${detail.join(" / ")}`);
  }

  const rows = [];
  for (const days of [30, 90]) {
    const perQuery = [];
    for (const name of QUERIES) {
      const samples = [];
      for (let i = 0; i < 3; i++) await db.prepare(sql(name)).bind(...binds(name, days)).all();
      for (let i = 0; i < REPS; i++) {
        const began = performance.now();
        await db.prepare(sql(name)).bind(...binds(name, days)).all();
        samples.push(performance.now() - began);
      }
      perQuery.push(`${name} ${stats(samples)}`);
    }
    const samples = [];
    let body;
    for (let i = 0; i < REPS + 3; i++) {
      const began = performance.now();
      const response = await worker.fetch(`/api/admin/dashboard?days=${days}`, { headers: asUser(worker, admin) });
      body = await response.json();
      const ms = performance.now() - began;
      assert.equal(response.status, 200, JSON.stringify(body));
      if (i >= 3) samples.push(ms);
    }
    const inWindow = body.generations.reduce((n, g) => n + g.total, 0);
    rows.push(`| ${days} | ${inWindow.toLocaleString("en")} | ${stats(samples)} | ${perQuery.join("; ")} |`);
  }
  console.log(`Seeded ${GENERATIONS.toLocaleString("en")} generations over 365 days (${ACCOUNTS} accounts, 4 models), ${ledgerRows.toLocaleString("en")} ledger rows, ${paymentRows.toLocaleString("en")} payments; ANALYZE run; ${seededMs === null ? "re-used the seeded database" : `seeding took ${(seededMs / 1000).toFixed(0)} s`}; ${REPS} timed requests per cell after 3 warm-ups.\n`);
  console.log("| days | generations in window | whole dashboard via the Worker, ms p50 / p95 | each query alone via the D1 binding, ms p50 / p95 |");
  console.log("|---|---|---|---|");
  for (const row of rows) console.log(row);
  console.log("\nPlans (days=90):");
  for (const line of plans) console.log(line);
} finally {
  await mf.dispose();
  await fakes.close();
}
