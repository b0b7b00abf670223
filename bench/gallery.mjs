// The gallery at thousands of items (issue 16): seeds 5,000 finished generations for one account and 20,000 for
// four others in local D1, checks with EXPLAIN QUERY PLAN that every filter's page query walks its own index (no
// table scan, no temporary b-tree for ORDER BY), then times GET /api/generations pages through the release Worker:
// the first page and a deep one (a cursor ~80 % of the way down) per filter, median and p95 of REPS requests each.
// Usage: bash scripts/build.sh && node bench/gallery.mjs   (prints a Markdown table for BENCHMARKS.md)
import assert from "node:assert/strict";
import { startWorker } from "../tests/support/worker.mjs";
import { asUser } from "../tests/support/google-flow.mjs";
import { newPerson } from "../tests/support/people.mjs";
import { seedGenerations, pageQueries, queryPlan, SEED_MODELS } from "../tests/support/gallery-seed.mjs";

const MINE = 5_000;
const OTHERS = [5_000, 5_000, 5_000, 5_000];
const REPS = Number(process.env.REPS ?? 30);
const LIMIT = 24;

const worker = await startWorker({ apipodImages: "small" });
try {
  const me = await newPerson(worker, { label: "hoarder" });
  await seedGenerations(worker.db, me.id, MINE, { prefix: "m" });
  for (const [i, n] of OTHERS.entries()) {
    const other = await newPerson(worker, { label: `other${i}` });
    await seedGenerations(worker.db, other.id, n, { prefix: `o${"abcd"[i]}` });
  }
  // Statistics as a long-lived database has them; the plans must not change with them.
  await worker.db.prepare("ANALYZE").run();
  const total = (await worker.db.prepare("SELECT count(*) AS n FROM generations").first()).n;
  assert.equal(total, MINE + OTHERS.reduce((a, b) => a + b, 0));

  const plans = {};
  for (const [index, sql] of Object.entries(pageQueries())) {
    const plan = await queryPlan(worker.db, sql, [me.id, 2 ** 53, "~", LIMIT + 1, "cat", index.endsWith("model") ? SEED_MODELS[1] : null]);
    assert.ok(plan.some((l) => l.includes(`INDEX ${index} (account_id=?`)), plan.join(" | "));
    assert.ok(!plan.some((l) => /^SCAN (g|generations)\b/.test(l) || l.includes("TEMP B-TREE")), plan.join(" | "));
    plans[index] = plan.join(" / ");
  }

  const get = async (query) => {
    const started = performance.now();
    const response = await worker.fetch(`/api/generations?limit=${LIMIT}${query}`, { headers: asUser(worker, me.session) });
    const body = await response.json();
    const ms = performance.now() - started;
    assert.equal(response.status, 200, JSON.stringify(body));
    return { ms, body };
  };
  // The cursor ~80 % of the way through a filter's matches, reached by paging with the largest page.
  async function deepCursor(query) {
    const ids = [];
    let cursor = null;
    let cursors = [];
    do {
      const response = await worker.fetch(`/api/generations?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { headers: asUser(worker, me.session) });
      const page = await response.json();
      ids.push(...page.generations.map((g) => g.id));
      cursor = page.next_cursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    assert.equal(new Set(ids).size, ids.length, "no duplicates");
    return { matches: ids.length, cursor: cursors[Math.floor(cursors.length * 0.8)] ?? null };
  }
  const stats = (samples) => {
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { p50: at(0.5), p95: at(0.95) };
  };

  const filters = [
    ["everything", "", "generations_by_account"],
    ["search `q=cat` (half match)", "&q=cat", "generations_by_account"],
    ["search, no match (`q=zebra`, worst case)", "&q=zebra", "generations_by_account"],
    [`model (\`${SEED_MODELS[1]}\`)`, `&model=${SEED_MODELS[1]}`, "generations_by_account_model"],
    ["favourites", "&favourites=1", "generations_favourites"],
    ["all three", `&favourites=1&model=${SEED_MODELS[0]}&q=cat`, "generations_favourites"],
  ];
  const rows = [];
  for (const [name, query, index] of filters) {
    const { matches, cursor } = await deepCursor(query);
    for (let i = 0; i < 5; i++) await get(query); // warm
    const firstMs = [];
    const deepMs = [];
    for (let i = 0; i < REPS; i++) {
      firstMs.push((await get(query)).ms);
      if (cursor) deepMs.push((await get(`${query}&cursor=${encodeURIComponent(cursor)}`)).ms);
    }
    const first = stats(firstMs);
    const deep = cursor ? stats(deepMs) : null;
    rows.push(`| ${name} | \`${index}\` | ${matches} | ${first.p50.toFixed(2)} / ${first.p95.toFixed(2)} | ${deep ? `${deep.p50.toFixed(2)} / ${deep.p95.toFixed(2)}` : "—"} |`);
  }
  console.log(`Seeded: ${MINE} generations (each with an image row) for the measured account, ${total - MINE} for ${OTHERS.length} others; ANALYZE run; page size ${LIMIT}; ${REPS} requests per cell.\n`);
  console.log("| filter | index (EXPLAIN QUERY PLAN) | matches | first page ms p50 / p95 | deep page (80 %) ms p50 / p95 |");
  console.log("|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  console.log("\nPlans:");
  for (const [index, plan] of Object.entries(plans)) console.log(`- ${index}: ${plan}`);
} finally {
  await worker.stop();
}
