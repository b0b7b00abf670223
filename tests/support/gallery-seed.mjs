// Finished generations written straight into D1 for paging and scale tests (thousands, which the API's rate limit
// would take hours to make), shaped as the Worker writes them: one image row each. Deterministic per index `i`:
// model by i % 3, "cat" in the prompt when i % 2 = 0 (upper case when i % 4 = 0), favourite when i % 5 = 0, and every
// 10 rows share a created_at so ties are broken by id.
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./worker.mjs";

export const SEED_MODELS = ["seedream-v4.5", "nano-banana-2", "nano-banana-pro"];

/** What row `i` of a seed is, so tests can compute the expected pages without SQL. */
export function seedRow(prefix, i, t0) {
  return {
    id: `gen_${prefix}${String(i).padStart(26 - prefix.length, "0")}`,
    model: SEED_MODELS[i % 3],
    prompt: i % 4 === 0 ? `A CAT number ${i}` : i % 2 === 0 ? `a cat number ${i}` : `a dog number ${i}`,
    favourite: i % 5 === 0,
    created_at: t0 + Math.floor(i / 10),
  };
}

/** Inserts `count` finished generations (and their image rows) for `accountId`, ids prefixed `prefix` (a-z). */
export async function seedGenerations(db, accountId, count, { prefix = "s", t0 = 1_780_000_000_000 } = {}) {
  const pad = 26 - prefix.length;
  await db.batch([
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
INSERT INTO generations (id, account_id, prompt, model_id, apipod_model, aspect_ratio, cost, status, deadline_at, created_at, updated_at, finished_at, favourite)
SELECT printf('gen_%s%0${pad}d', ?3, i), ?1,
  CASE WHEN i % 4 = 0 THEN 'A CAT number ' || i WHEN i % 2 = 0 THEN 'a cat number ' || i ELSE 'a dog number ' || i END,
  json_extract(?4, '$[' || (i % 3) || ']'), 'x', '1:1', 2, 'succeeded', ?5 + 600000, ?5 + i / 10, ?5 + i / 10, ?5 + i / 10, i % 5 = 0 FROM n`)
      .bind(accountId, count, prefix, JSON.stringify(SEED_MODELS), t0),
    db.prepare(`INSERT INTO generation_images (id, generation_id, account_id, position, r2_key, content_type, size_bytes, width, height, etag, created_at)
SELECT 'img_' || substr(id, 5), id, account_id, 0, 'generations/' || account_id || '/' || id || '/0.png', 'image/png', 1000, 256, 256, 'e', created_at
FROM generations WHERE account_id = ?1 AND id LIKE 'gen_' || ?2 || '%'`).bind(accountId, prefix),
  ]);
}

/** The page queries exactly as the Worker runs them (after its SELECT list), for EXPLAIN QUERY PLAN. */
export function pageQueries() {
  const tail = (name) => fs.readFileSync(path.join(ROOT, "src/store/sql/gallery", `page_${name}.sql`), "utf8");
  // The Worker's SELECT list reads each row's images with this correlated subquery; the plan must cover it too.
  const head = "SELECT g.id, (SELECT json_group_array(i.id) FROM (SELECT * FROM generation_images WHERE generation_id = g.id ORDER BY position) i) FROM generations g ";
  return { generations_by_account: head + tail("by_account"), generations_by_account_model: head + tail("by_model"), generations_favourites: head + tail("favourites") };
}

/** EXPLAIN QUERY PLAN's detail lines for `sql` with these binds. */
export async function queryPlan(db, sql, binds) {
  const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...binds).all();
  return results.map((row) => row.detail);
}
