// What the simulator's long runs found, each replayed as the short flow its seed took, against the real Worker
// (`node --test sim/`), kept as regression tests once fixed. A bug still open is a `todo` test (it runs and
// reports without failing the run) until its fix makes it a plain one. See RELIABILITY.md.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useWorker } from "../tests/support/worker.mjs";
import { asUser } from "../tests/support/google-flow.mjs";
import { newPerson } from "../tests/support/people.mjs";
import { buy, balance } from "../tests/support/billing-flow.mjs";
import { generate } from "../tests/support/generation-flow.mjs";
import { warpClocks } from "./drain.mjs";
import * as inv from "./invariants.mjs";
import * as payments from "../tests/support/fakes/stripe-payments.mjs";

const worker = useWorker({ before, after }, { apipodImages: "small" });
const whats = (violations) => violations.map((v) => v.what);

test("seed 1: deleting an account in debt that got credits back from failed generations keeps its ledger true", async () => {
  const user = await newPerson(worker, { label: "indebted" });
  const pack = await buy(worker, user.session, "pack_100");
  assert.equal(await balance(worker, user.session), 110);
  // 12 credits go to generations that stay running at APIPod...
  const started = await generate(worker, user.session, { prompt: "A stalled lighthouse [apipod:stall]", model: "nano-banana-pro", aspect_ratio: "1:1", n: 3 });
  assert.equal(started.response.status, 202, JSON.stringify(started.body));
  assert.equal(await balance(worker, user.session), 98);
  // ...the pack is refunded in full: 98 taken back, 2 owed (credits 0, debt 2)...
  await worker.fakes.stripe.refund(pack.payment_intent);
  assert.equal(await balance(worker, user.session), -2);
  // ...the generations fail past their deadline and are refunded: credits 12 beside the debt of 2 (balance 10).
  await warpClocks(worker.db);
  for (let i = 0; i < 20 && await worker.db.prepare("SELECT COUNT(*) AS n FROM generations WHERE account_id = ? AND status IN ('queued', 'running')").bind(user.id).first("n"); i++) {
    await worker.runCron();
    await warpClocks(worker.db);
  }
  assert.deepEqual(await worker.db.prepare("SELECT credits, credit_debt FROM accounts WHERE id = ?").bind(user.id).first(), { credits: 12, credit_debt: 2 });
  assert.deepEqual(await inv.balancesMatchLedger({ db: worker.db }), []);
  const deleted = await worker.fetch("/api/me", { method: "DELETE", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: '{"confirm":"DELETE"}' });
  assert.equal(deleted.status, 204);
  // The forfeit entry must leave the ledger's running balance equal to the account's.
  const found = await inv.balancesMatchLedger({ db: worker.db });
  assert.deepEqual(whats(found), [], JSON.stringify(found.map((v) => v.evidence.entry ?? v.evidence)));
});

test("a partial refund delivered after a dispute of the same charge, the dispute then won: the refunded share stays taken", async () => {
  const user = await newPerson(worker, { label: "refunded-then-disputed" });
  const pack = await buy(worker, user.session, "pack_100");
  const stripe = worker.fakes.stripe;
  const charge = stripe.state.charges.get(pack.payment_intent);
  // 300 of 900 refunded; Stripe's charge.refunded is delivered late, after the dispute's creation.
  charge.amountRefunded = 300;
  const refunded = stripe.buildEvent("charge.refunded", payments.charge(charge));
  await stripe.dispute(pack.payment_intent);
  assert.equal(await balance(worker, user.session), 10, "the disputed pack's 100 credits taken back");
  const [late] = await stripe.deliver(refunded);
  assert.equal(late.status, 200);
  const dispute = [...stripe.state.disputes.values()].find((d) => d.payment_intent === pack.payment_intent);
  await stripe.closeDispute(dispute.id, "won");
  assert.equal(await balance(worker, user.session), 110 - 34, "the dispute's take given back, the refund's 34 kept");
});
