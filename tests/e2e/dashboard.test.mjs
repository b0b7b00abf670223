// End-to-end: the operator dashboard. A known data set is written straight into D1 (payments, ledger rows,
// generations with outcomes, completion times, failure codes and models over several days, billing problems,
// Stripe events, unfinished deletions); every number the Worker returns is compared with what this file computes
// from those same rows in JavaScript (not with the Worker's SQL). Also: CSV equals JSON, admins only, bad input,
// one D1 batch per dashboard, and the query plans read the covering indexes of migration 0014.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useWorker, ROOT } from "../support/worker.mjs";
import { signIn, asUser } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { waitFor } from "../support/generation-flow.mjs";
import { expectedDashboard, seedDashboard, DAY } from "../support/dashboard-seed.mjs";

let admin;
let data;
const worker = useWorker({ before, after }, {}, async (handle) => {
  admin = (await signIn(handle, { email: "admin@gptimg.test", name: "The Admin" })).session;
  data = await seedDashboard(handle.db, Date.now());
});

const get = (session, p, extra = {}) => worker.fetch(p, { headers: asUser(worker, session, extra) });

/** A CSV body's rows as arrays of cells (the seeded values hold no commas or quotes). */
const parseCsv = (text) => text.trimEnd().split("\r\n").map((line) => line.split(","));

describe("the dashboard's numbers", () => {
  for (const days of [1, 7, 30, 90]) {
    test(`days=${days}: every series equals what the seeded rows summarise`, async () => {
      const response = await get(admin, `/api/admin/dashboard?days=${days}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("cache-control"), "private, no-store");
      const body = await response.json();
      const expected = expectedDashboard(data, days, Date.now());
      assert.ok(Math.abs(body.generated_at - Date.now()) < 60_000);
      delete body.generated_at;
      assert.deepEqual(body, expected);
    });
  }

  test("the data set exercises every series (so the equality above means something)", async () => {
    const body = await (await get(admin, "/api/admin/dashboard?days=90")).json();
    assert.equal(body.generations.length, 90);
    assert.deepEqual([...new Set(body.revenue.map((r) => r.currency))], ["eur", "usd"]);
    assert.ok(body.revenue.some((r) => r.reversed_cents > 0 && r.net_cents < r.gross_cents));
    assert.ok(body.credits.some((c) => c.sold > 0 && c.spent > 0 && c.refunded > 0));
    assert.ok(body.generations.some((g) => g.succeeded && g.refunded && g.failed && g.in_progress));
    assert.ok(body.models.length >= 3 && body.models.every((m) => m.generations > 0));
    assert.ok(body.models.some((m) => m.p95_seconds > m.p50_seconds && m.failure_rate_per_mille > 0 && m.failure_rate_per_mille < 1000));
    assert.ok(body.failure_codes.length >= 3);
    assert.deepEqual(body.attention.map((a) => a.source), ["billing_problem", "billing_problem", "stripe_event", "stripe_event"]);
    assert.deepEqual(body.deletions.map((d) => [d.kind, d.count]), [["deletion_pending", 3], ["deletion_stuck", 2], ["objects_pending_deletion", 3]]);
    // Rows older than the window and newer than today are left out.
    const thirty = await (await get(admin, "/api/admin/dashboard?days=30")).json();
    assert.ok(thirty.models.reduce((n, m) => n + m.generations, 0) < body.models.reduce((n, m) => n + m.generations, 0));
    assert.equal((await (await get(admin, "/api/admin/dashboard")).json()).days, 30);
  });

  test("each series' CSV download has a header row and exactly the JSON's rows", async () => {
    const body = await (await get(admin, "/api/admin/dashboard?days=30")).json();
    for (const series of ["revenue", "credits", "generations", "models", "failure_codes", "attention", "deletions"]) {
      const response = await get(admin, `/api/admin/dashboard/${series}.csv?days=30`);
      assert.equal(response.status, 200, series);
      assert.equal(response.headers.get("content-type"), "text/csv; charset=utf-8");
      assert.equal(response.headers.get("content-disposition"), `attachment; filename="gptimg-${series}-${body.from}-to-${body.to}.csv"`);
      const [header, ...rows] = parseCsv(await response.text());
      const json = body[series];
      assert.ok(json.length > 0, `${series} has rows`);
      assert.deepEqual(header, Object.keys(json[0]), series);
      assert.deepEqual(rows, json.map((row) => Object.values(row).map((v) => (v === null ? "" : String(v)))), series);
    }
  });
});

describe("who may ask, and how", () => {
  test("non-admins and strangers get 404 route_not_found for the dashboard and its CSVs", async () => {
    const user = await newPerson(worker, { label: "curious" });
    for (const p of ["/api/admin/dashboard", "/api/admin/dashboard?days=7", "/api/admin/dashboard/revenue.csv", "/admin"]) {
      const asUserResponse = await get(user.session, p);
      assert.equal(asUserResponse.status, 404, p);
      const anonymous = await worker.fetch(p);
      assert.equal(anonymous.status, 404, p);
      if (p.startsWith("/api")) assert.equal((await asUserResponse.json()).error.code, "route_not_found");
    }
  });

  test("days outside 1–90 or not a whole number are 400 invalid_days", async () => {
    for (const days of ["0", "91", "-3", "1.5", "abc", "", "%2B5"]) {
      for (const p of [`/api/admin/dashboard?days=${days}`, `/api/admin/dashboard/credits.csv?days=${days}`]) {
        const response = await get(admin, p);
        assert.equal(response.status, 400, p);
        assert.equal((await response.json()).error.code, "invalid_days", p);
      }
    }
  });

  test("an unknown series is 404 series_not_found; other methods are 405", async () => {
    for (const name of ["nope.csv", "revenue", "revenue.json", "REVENUE.csv"]) {
      const response = await get(admin, `/api/admin/dashboard/${name}`);
      assert.equal(response.status, 404, name);
      assert.equal((await response.json()).error.code, "series_not_found", name);
    }
    const post = await worker.fetch("/api/admin/dashboard", { method: "POST", headers: asUser(worker, admin, { "content-type": "application/json" }), body: "{}" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET");
  });

  test("the whole dashboard is one D1 batch after the session lookup", async () => {
    await get(admin, "/api/admin/dashboard?days=90", { "x-request-id": "dash-trips" });
    await get(admin, "/api/admin/audit", { "x-request-id": "audit-trips" });
    const line = (id) => waitFor(() => worker.jsonLogs().find((l) => l.request_id === id && l.msg === "request"), 3000, id);
    const [dash, audit] = [await line("dash-trips"), await line("audit-trips")];
    assert.equal(dash.d1_round_trips, audit.d1_round_trips, "as many as a one-query admin endpoint");
    assert.equal(dash.d1_round_trips, 2, "the session, then the batch");
  });
});

describe("query plans", () => {
  const sql = (name) => fs.readFileSync(path.join(ROOT, "src/store/sql/dashboard", `${name}.sql`), "utf8");
  const plan = async (name, binds) => {
    const { results } = await worker.db.prepare(`EXPLAIN QUERY PLAN ${sql(name)}`).bind(...binds).all();
    return results.map((r) => r.detail);
  };
  const days = () => [Math.floor(Date.now() / DAY) - 89, Math.floor(Date.now() / DAY)];
  // A range of UTC days (the indexed expression created_at / 86400000) of one of migration 0014's indexes.
  const range = (table, index, prefix = "") => new RegExp(`^SEARCH ${table} USING (COVERING )?INDEX ${index} \\(${prefix}<expr>>\\? AND <expr><\\?\\)$`);

  test("every windowed query is a range of days in its own index, never a table scan; the window's rows are never sorted", async () => {
    await worker.db.prepare("ANALYZE").run();
    const expectations = {
      revenue: [range("payments", "payments_by_day")],
      ledger: [range("credit_ledger", "credit_ledger_by_kind_day", "kind=\\? AND ")],
      statuses: [
        range("generations", "generations_by_day_model"),
        range("g", "generations_failed_by_day"),
        // The refund lookup: credit_ledger's UNIQUE (kind, source_id).
        /^SEARCH l USING COVERING INDEX sqlite_autoindex_credit_ledger_\d \(kind=\? AND source_id=\?\)$/,
      ],
      models: [range("generations", "generations_by_day_model")],
      failure_codes: [range("generations", "generations_failed_by_day")],
    };
    for (const [name, patterns] of Object.entries(expectations)) {
      const detail = await plan(name, days());
      for (const pattern of patterns) assert.ok(detail.some((l) => pattern.test(l)), `${name}: ${pattern}\n${detail.join("\n")}`);
      assert.ok(!detail.some((l) => /^SCAN (generations|g|credit_ledger|payments)\b/.test(l)), `${name}: ${detail.join("\n")}`);
      // The window's rows are grouped in index order; only the small grouped rows (a subquery's) may be sorted.
      if (name === "ledger") assert.ok(!detail.some((l) => l.includes("TEMP B-TREE")), `${name} sorts: ${detail.join("\n")}`);
      if (["statuses", "models"].includes(name)) assert.ok(detail.includes("CO-ROUTINE (subquery-1)") || detail.some((l) => /^CO-ROUTINE/.test(l)), `${name}: ${detail.join("\n")}`);
    }
    const attention = await plan("attention", []);
    assert.ok(attention.some((l) => l.includes("stripe_events USING COVERING INDEX stripe_events_needing_attention")), attention.join("\n"));
    const deletions = await plan("deletions", []);
    assert.ok(deletions.some((l) => l.includes("accounts USING INDEX accounts_pending_deletion")), deletions.join("\n"));
  });
});
