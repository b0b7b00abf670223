// Every migration applied to a database that holds data, as production's does: for each migration N, a D1
// database with migrations 1..N-1 gets realistic rows in every table it has, then N is applied, and every row must
// still be there with its values, the foreign keys must hold, and the constraints must still refuse bad rows.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { applyMigrations, migrationFiles } from "../support/worker.mjs";
import { ROWS, MUST_REFUSE } from "../support/migration-rows.mjs";

const FILES = migrationFiles();

async function freshDatabase() {
  const mf = new Miniflare({ modules: true, script: "export default { fetch: () => new Response('') };", d1Databases: ["DB"], d1Persist: false });
  return { mf, db: await mf.getD1Database("DB") };
}

const all = async (db, sql, ...params) => (await db.prepare(sql).bind(...params).all()).results;

async function tables(db) {
  const rows = await all(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name");
  return rows.map((row) => row.name);
}

/** Column name -> { notnull, dflt_value, pk } for one table. */
async function columns(db, table) {
  return Object.fromEntries((await all(db, `PRAGMA table_info(${table})`)).map((c) => [c.name, c]));
}

/** Inserts `row`, keeping only the columns `table` has; a required column the row lacks fails the test. */
async function insert(db, table, row) {
  const schema = await columns(db, table);
  for (const [name, column] of Object.entries(schema)) {
    const required = column.notnull && column.dflt_value === null && !(column.pk && column.type === "INTEGER");
    assert.ok(!required || name in row, `tests/support/migration-rows.mjs: ${table}.${name} has no value`);
  }
  const names = Object.keys(row).filter((name) => name in schema);
  await db.prepare(`INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`)
    .bind(...names.map((name) => row[name])).run();
}

/** Every table's rows, in a stable order. */
async function snapshot(db) {
  const copy = {};
  for (const table of await tables(db)) copy[table] = await all(db, `SELECT * FROM ${table} ORDER BY rowid`);
  return copy;
}

/** What one migration must newly allow, beyond keeping what was there. */
const ALLOWS = {
  "0006_payment_status_order_and_limits.sql": async (db) => {
    await insert(db, "payments", { ...ROWS.payments[1], id: "pay_won", cause_id: "in_won", status: "dispute_won" });
    assert.equal((await all(db, "SELECT status FROM payments WHERE id = 'pay_won'"))[0].status, "dispute_won");
  },
  // Not in MUST_REFUSE: older schemas have no favourite column, so there the value is dropped, not refused.
  "0010_gallery_favourites.sql": async (db) => {
    const fresh = { ...ROWS.generations[1], id: "gen_fav", share_token: null };
    await assert.rejects(insert(db, "generations", { ...fresh, favourite: 2 }), /constraint/i);
    await insert(db, "generations", { ...fresh, favourite: 1 });
    assert.equal((await all(db, "SELECT favourite FROM generations WHERE id = 'gen_fav'"))[0].favourite, 1);
  },
  // Indexes only: the operator dashboard's covering indexes exist (their plans: tests/e2e/dashboard.test.mjs).
  "0014_dashboard_indexes.sql": async (db) => {
    const names = (await all(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('generations_by_day_model', 'generations_failed_by_day', 'credit_ledger_by_kind_day', 'payments_by_day', 'stripe_events_needing_attention') ORDER BY name")).map((r) => r.name);
    assert.deepEqual(names, ["credit_ledger_by_kind_day", "generations_by_day_model", "generations_failed_by_day", "payments_by_day", "stripe_events_needing_attention"]);
  },
};

test("every table the migrations create has realistic rows to migrate", async () => {
  const { mf, db } = await freshDatabase();
  try {
    await applyMigrations(db, FILES);
    assert.deepEqual(await tables(db), Object.keys(ROWS).sort());
  } finally {
    await mf.dispose();
  }
});

for (const [index, file] of FILES.entries()) {
  if (index === 0) continue;
  describe(`migration ${file} on a database holding data`, () => {
    let mf;
    let db;
    let before_;
    before(async () => {
      ({ mf, db } = await freshDatabase());
      await applyMigrations(db, FILES.slice(0, index));
      const present = await tables(db);
      for (const table of present) assert.ok(table in ROWS, `tests/support/migration-rows.mjs has no rows for ${table}`);
      // In ROWS order, which satisfies the foreign keys.
      for (const table of Object.keys(ROWS).filter((name) => present.includes(name))) {
        for (const row of ROWS[table]) await insert(db, table, row);
      }
      before_ = await snapshot(db);
      await applyMigrations(db, [file]);
    });
    after(async () => mf?.dispose());

    test("every row survives with its values", async () => {
      const after_ = await snapshot(db);
      for (const [table, rows] of Object.entries(before_)) {
        assert.ok(table in after_, `${table} is gone`);
        assert.equal(after_[table].length, rows.length, `${table} row count`);
        rows.forEach((row, i) => {
          const kept = Object.fromEntries(Object.keys(row).map((name) => [name, after_[table][i][name]]));
          assert.deepEqual(kept, row, `${table} row ${i}`);
        });
        assert.ok(rows.length >= 1, `${table} was tested with data`);
      }
    });

    test("foreign keys hold and the database is intact", async () => {
      assert.deepEqual(await all(db, "PRAGMA foreign_key_check"), []);
      assert.equal(await all(db, "PRAGMA foreign_keys").then((rows) => rows[0].foreign_keys), 1, "D1 enforces foreign keys");
      // D1 refuses integrity_check; quick_check covers the same except index-to-table consistency.
      assert.deepEqual(await all(db, "PRAGMA quick_check"), [{ quick_check: "ok" }]);
    });

    test("tables the migration creates take realistic rows", async () => {
      const present = await tables(db);
      for (const table of Object.keys(ROWS).filter((name) => present.includes(name) && !(name in before_))) {
        for (const row of ROWS[table]) await insert(db, table, row);
        assert.equal((await all(db, `SELECT count(*) AS n FROM ${table}`))[0].n, ROWS[table].length, table);
      }
    });

    test("constraints still refuse bad rows", async () => {
      const present = await tables(db);
      for (const [table, changes] of Object.entries(MUST_REFUSE)) {
        if (!present.includes(table)) continue;
        for (const change of changes) {
          await assert.rejects(insert(db, table, { ...ROWS[table][0], ...change }), /constraint/i, `${table} accepted ${JSON.stringify(change)}`);
        }
      }
      await ALLOWS[file]?.(db);
    });
  });
}
