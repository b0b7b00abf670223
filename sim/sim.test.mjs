// The simulator's determinism: a seed always draws the same plan and the same Stripe delivery schedule, and the
// invariants' money arithmetic agrees with the domain's rule. Runs without a Worker (`node --test sim/`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Prng } from "./prng.mjs";
import { planRun, describePlan, OPERATIONS } from "./plan.mjs";
import { StripeScheduler, planDelivery } from "./stripe-scheduler.mjs";
import { reclaimTarget, netCredits, planChangeCredits, paysAPeriod } from "./invariants.mjs";
import { apipodModes, allowed, KNOWN_HOLES } from "./faults.mjs";

test("the PRNG is a pure function of its seed and stream label", () => {
  const draw = (seed, label) => { const r = new Prng(seed, label); return Array.from({ length: 8 }, () => r.nextU32()); };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  assert.notDeepEqual(draw(7, "plan"), draw(7, "stripe"), "named streams are independent");
  const r = new Prng(3);
  for (let i = 0; i < 1000; i++) {
    const x = r.int(5);
    assert.ok(Number.isInteger(x) && x >= 0 && x < 5);
  }
  assert.equal(new Prng(1).weighted({ never: 0, always: 1 }), "always");
});

test("a forked stream does not move its parent", () => {
  const a = new Prng(11);
  const b = new Prng(11);
  a.fork("x").nextU32();
  assert.equal(a.nextU32(), b.nextU32());
});

test("same seed, same operation sequence; another seed, another", () => {
  const plan = (seed) => describePlan(planRun(new Prng(seed).fork("plan"), { steps: 60, actors: 3 }));
  assert.deepEqual(plan(42), plan(42));
  assert.notDeepEqual(plan(42), plan(43));
  const groups = planRun(new Prng(5).fork("plan"), { steps: 60, actors: 3 });
  assert.equal(groups.flat().length, 60);
  assert.ok(groups.flat().every((op) => op.kind in OPERATIONS && op.actor >= 0 && op.actor < 3));
  assert.ok(groups.some((g) => g.length > 1), "some operations overlap");
});

test("the Stripe delivery schedule is a function of the seed and the arrivals", async () => {
  const arrivals = Array.from({ length: 30 }, (_, i) => ({ id: `evt_${i}`, type: "invoice.paid" }));
  const run = async (seed) => {
    const sent = [];
    const scheduler = new StripeScheduler({ rng: new Prng(seed, "stripe"), send: async (e) => { sent.push(e.id); return { status: e.id.endsWith("3") && sent.filter((s) => s === e.id).length === 1 ? 500 : 200 }; } });
    for (const [i, event] of arrivals.entries()) {
      scheduler.receive(event);
      if (i % 3 === 2) await scheduler.release();
    }
    await scheduler.flush({ rounds: 3 });
    return { sent, failing: scheduler.failing().map((r) => r.event.id) };
  };
  const first = await run(9);
  assert.deepEqual(await run(9), first);
  assert.notDeepEqual((await run(10)).sent, first.sent);
  for (const event of arrivals) assert.ok(first.sent.includes(event.id), `${event.id} delivered at least once`);
  assert.deepEqual(first.failing, [], "a refused delivery is retried until it is accepted");
  assert.ok(first.sent.length > arrivals.length, "some events are delivered more than once");
  assert.notDeepEqual(first.sent.slice(0, arrivals.length), arrivals.map((e) => e.id), "and some out of order");
});

test("a gated fault kind is never planned; no hole is gated today", () => {
  const rng = new Prng(1, "stripe");
  for (let i = 0; i < 200; i++) assert.equal(planDelivery(rng, 0, (kind) => kind === "late").kind === "duplicate", false);
  assert.deepEqual(KNOWN_HOLES, {}, "section 2's holes are closed: the CI set drives every fault kind");
  assert.equal(allowed("reversal_after_spend"), true);
  assert.ok(Object.values(OPERATIONS).every((op) => typeof op.run === "function" && !op.hole), "every operation is driven");
  assert.ok("normal" in apipodModes() && "fail" in apipodModes());
  assert.ok(Object.keys(apipodModes()).every((m) => m === "normal" || !m.includes(" ")));
});

const charge = (amount, amountRefunded = 0) => ({ amount, amountRefunded, paymentIntent: "pi" });

test("the money arithmetic of invariant 2 follows the domain's reclaim rule", () => {
  assert.equal(reclaimTarget(100, 900, 300), 34, "the refunded share, rounded up");
  assert.equal(reclaimTarget(100, 900, 900), 100);
  assert.equal(reclaimTarget(100, 900, 0), 0);
  const pack = { period: 100, change: 0, granted: 100, paymentAmount: 900 };
  const paid = (c, dispute = null) => netCredits({ ...pack, charges: [{ charge: c, dispute }] });
  assert.equal(paid(charge(900, 300)), 66);
  assert.equal(paid(charge(900, 300), { status: "needs_response", amount: 900 }), 0);
  assert.equal(paid(charge(900, 300), { status: "lost", amount: 900 }), 0);
  assert.equal(paid(charge(900, 300), { status: "won", amount: 900 }), 66);
  assert.equal(paid(charge(900, 900)), 0, "a full refund takes everything back, spent or not (a debt)");
  // An invoice paid by two payments (1000 + 900 of 1900) loses, for one refunded, only that payment's share.
  const split = { period: 400, change: 0, granted: 400, paymentAmount: 1900 };
  assert.equal(netCredits({ ...split, charges: [{ charge: charge(1000, 1000) }, { charge: charge(900) }] }), 400 - 211);
  assert.equal(netCredits({ ...split, charges: [{ charge: charge(1000, 1000) }, { charge: charge(900, 450) }] }), 400 - 211 - 95);
  assert.equal(netCredits({ ...split, charges: [{ charge: charge(1000, 1000) }, { charge: charge(900, 900) }] }), 0);
  assert.equal(netCredits({ ...split, charges: [{ charge: charge(1000), dispute: { status: "lost", amount: 1000 } }, { charge: charge(900) }] }), 400 - 211);
});

test("plan changes follow billing::plan_change_credits: at most the difference up, the unspent share back", () => {
  const pro = { credits: 400, price_cents: 1900 };
  const max = { credits: 1000, price_cents: 3800 };
  assert.equal(planChangeCredits([{ ...pro, amount: -950 }, { ...max, amount: 1900 }]), 300, "Pro to Max half-way");
  assert.equal(planChangeCredits([{ ...pro, amount: -1 }, { ...max, amount: 3800 }]), 600, "never more than the difference");
  assert.equal(planChangeCredits([{ ...max, amount: 3800 * 5 }]), 1000);
  assert.equal(planChangeCredits([{ ...pro, amount: -1425 }]), -300, "cancelled at once a quarter in");
  assert.equal(planChangeCredits([{ ...max, amount: -1900 }, { ...pro, amount: 950 }]), -300, "Max to Pro half-way");
  assert.equal(planChangeCredits([{ ...pro, amount: -19000 }]), -400, "never more than a period back");
  assert.equal(paysAPeriod("subscription_create") && paysAPeriod("subscription_cycle") && paysAPeriod(undefined), true);
  assert.equal(paysAPeriod("subscription_update"), false);
  // An upgrade's invoice grants its change (and is measured by it when refunded); a credit back grants nothing.
  const upgrade = { period: 0, change: 300, granted: 300, paymentAmount: 950 };
  assert.equal(netCredits({ ...upgrade, charges: [{ charge: charge(950, 475) }] }), 150);
  assert.equal(netCredits({ period: 0, change: -300, granted: 0, paymentAmount: 0, charges: [] }), -300);
});
