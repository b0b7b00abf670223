// The invariant checker against the real Worker: a world driven through the ordinary flows passes all seven, and
// each invariant flags the breakage it exists for (made by hand in D1, R2, the delivery record or the logs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../tests/support/worker.mjs";
import { newPerson } from "../tests/support/people.mjs";
import { generate, settled } from "../tests/support/generation-flow.mjs";
import * as inv from "./invariants.mjs";

const worker = useWorker({ before, after }, { apipodImages: "small" });

const world = { prompts: new Map(), secrets: new Set(), emails: new Set(), deleted: [] };
const scheduler = { events: new Map() };
const snapshot = async (extra = {}) => ({
  db: worker.db, bucket: worker.bucket, objects: await inv.listObjects(worker.bucket), stripe: worker.fakes.stripe, scheduler,
  logs: [...worker.logs], world, now: Date.now(), warped: true, probe: async () => 401, ...extra,
});
const whats = (violations) => violations.map((v) => v.what);

let person;
let generation;

test("a world driven through the ordinary flows breaks no invariant", async () => {
  person = await newPerson(worker, { label: "checked", pack: true });
  world.emails.add(person.email);
  const { body } = await generate(worker, person.session, { prompt: "A checked lighthouse", model: "nano-banana-2", aspect_ratio: "1:1" });
  generation = await settled(worker, person.session, body.id);
  assert.equal(generation.status, "succeeded");
  for (const event of worker.fakes.stripe.state.sentEvents) scheduler.events.set(event.id, { event, attempts: [{ status: 200 }], lastStatus: 200 });
  // Renditions are made after the success; wait for the cron-free path to store them.
  for (let i = 0; i < 40 && (await worker.db.prepare("SELECT COUNT(*) AS n FROM generation_images WHERE preview_key IS NULL").first("n")); i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await inv.checkAll(await snapshot()), []);
});

test("1: a balance that drifts from its ledger", async () => {
  await worker.db.prepare("UPDATE accounts SET credits = credits + 5 WHERE id = ?").bind(person.id).run();
  assert.deepEqual(whats(await inv.balancesMatchLedger(await snapshot())), ["balance differs from the sum of its ledger"]);
  await worker.db.prepare("UPDATE accounts SET credits = credits - 5 WHERE id = ?").bind(person.id).run();
});

test("1: a debt that no billing problem shows, and an entry whose balance breaks the ledger's running sum", async () => {
  const { credits } = await worker.db.prepare("SELECT credits FROM accounts WHERE id = ?").bind(person.id).first();
  const now = Date.now();
  await worker.db.batch([
    worker.db.prepare("INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) VALUES ('led_sim_debt', ?1, 'reclaim', 'sim_debt', ?2, 0, 5, 'x', ?3)").bind(person.id, -(credits + 5), now),
    worker.db.prepare("UPDATE accounts SET credits = 0, credit_debt = 5 WHERE id = ?").bind(person.id),
  ]);
  assert.deepEqual(whats(await inv.balancesMatchLedger(await snapshot())), ["a debt that no open billing problem shows"]);
  await worker.db.prepare("INSERT INTO billing_problems (event_id, event_type, reason, facts, first_seen_at, last_seen_at) VALUES ('evt_sim:debt', 'charge.refunded', 'account_in_debt', json_object('account_id', ?1, 'debt', 5), ?2, ?2)").bind(person.id, now).run();
  assert.deepEqual(await inv.balancesMatchLedger(await snapshot()), [], "a recorded debt the operator sees");
  await worker.db.prepare("UPDATE credit_ledger SET debt_after = 4 WHERE id = 'led_sim_debt'").run();
  assert.deepEqual(whats(await inv.balancesMatchLedger(await snapshot())), ["a ledger entry's balance differs from the sum of the ledger up to it"]);
  await worker.db.batch([
    worker.db.prepare("DELETE FROM credit_ledger WHERE id = 'led_sim_debt'"),
    worker.db.prepare("DELETE FROM billing_problems WHERE event_id = 'evt_sim:debt'"),
    worker.db.prepare("UPDATE accounts SET credits = ?2, credit_debt = 0 WHERE id = ?1").bind(person.id, credits),
  ]);
  assert.deepEqual(await inv.balancesMatchLedger(await snapshot()), []);
});

test("2: a paid pack whose credits are missing", async () => {
  const grant = await worker.db.prepare("SELECT id, amount FROM credit_ledger WHERE account_id = ? AND kind = 'pack_purchase'").bind(person.id).first();
  await worker.db.prepare("UPDATE credit_ledger SET kind = 'admin_adjustment' WHERE id = ?").bind(grant.id).run();
  const found = whats(await inv.creditsMatchPayments(await snapshot()));
  assert.ok(found.includes("a paid Stripe object granted no credits"), found.join("; "));
  assert.ok(found.includes("credits left from payments differ from what Stripe's money left standing"));
  await worker.db.prepare("UPDATE credit_ledger SET kind = 'pack_purchase' WHERE id = ?").bind(grant.id).run();
});

test("3: a failed generation without its refund, and one unsettled past its deadline", async () => {
  await worker.db.prepare("UPDATE generations SET status = 'failed' WHERE id = ?").bind(generation.id).run();
  assert.ok(whats(await inv.generationsSettled(await snapshot())).includes("failed generation not refunded exactly once"));
  await worker.db.prepare("UPDATE generations SET status = 'running', deadline_at = 1 WHERE id = ?").bind(generation.id).run();
  assert.deepEqual(whats(await inv.generationsSettled(await snapshot())), ["generation unsettled past its deadline"]);
  await worker.db.prepare("UPDATE generations SET status = 'succeeded' WHERE id = ?").bind(generation.id).run();
});

test("4: a row whose object is gone, and an object no row names", async () => {
  const image = await worker.db.prepare("SELECT id, preview_key FROM generation_images WHERE generation_id = ?").bind(generation.id).first();
  await worker.db.prepare("UPDATE generation_images SET preview_key = 'generations/gone/gone/gone' WHERE id = ?").bind(image.id).run();
  assert.deepEqual(whats(await inv.storageMatchesRows(await snapshot())).sort(), ["R2 object without a row", "row without its R2 object"]);
  await worker.db.prepare("UPDATE generation_images SET preview_key = ? WHERE id = ?").bind(image.preview_key, image.id).run();
});

test("5: a deleted account that keeps a session and an upload", async () => {
  const other = await newPerson(worker, { label: "leaver" });
  const response = await worker.fetch("/api/me", { method: "DELETE", headers: { cookie: `gptimg_session=${other.session}`, origin: worker.url, "content-type": "application/json" }, body: JSON.stringify({ confirm: "DELETE" }) });
  assert.equal(response.status, 204);
  assert.deepEqual(await inv.deletedAccountsGone(await snapshot()), []);
  await worker.db.prepare("INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at) VALUES ('ses_left', 'hash_left', ?, 0, 9e12)").bind(other.id).run();
  await worker.db.prepare("INSERT INTO uploads (id, account_id, r2_key, content_type, size_bytes, sha256, width, height, created_at) VALUES ('upl_left', ?1, 'uploads/' || ?1 || '/upl_left', 'image/png', 1, 'x', 1, 1, 0)").bind(other.id).run();
  const found = whats(await inv.deletedAccountsGone(await snapshot()));
  assert.deepEqual(found.sort(), ["rows left in sessions", "rows left in uploads"]);
  await worker.db.batch([worker.db.prepare("DELETE FROM sessions WHERE id = 'ses_left'"), worker.db.prepare("DELETE FROM uploads WHERE id = 'upl_left'")]);
});

test("6: an event acknowledged but never recorded, and one refused but not listed", async () => {
  scheduler.events.set("evt_sim_lost", { event: { id: "evt_sim_lost", type: "invoice.paid" }, attempts: [{ status: 200 }], lastStatus: 200 });
  scheduler.events.set("evt_sim_refused", { event: { id: "evt_sim_refused", type: "charge.refunded" }, attempts: [{ status: 500 }], lastStatus: 500 });
  assert.deepEqual(whats(await inv.eventsAccounted(await snapshot())), ["event acknowledged but not recorded", "event refused but not listed as a billing problem"]);
  scheduler.events.delete("evt_sim_lost");
  scheduler.events.delete("evt_sim_refused");
});

test("7: a log line with an email, a prompt nonce or a secret", async () => {
  world.prompts.set("zq0n1v", { text: "a zq0n1v", accountId: person.id });
  const logs = [`{"msg":"x","email":"${person.email}"}`, '{"msg":"prompt zq0n1v"}', '{"key":"sk_test_local_0123456789"}', '{"msg":"clean"}'];
  assert.deepEqual(whats(await inv.logsClean(await snapshot({ logs }))), ["a log line carries an email", "a log line carries a prompt", "a log line carries a secret (STRIPE_SECRET_KEY)"]);
  world.prompts.delete("zq0n1v");
});
