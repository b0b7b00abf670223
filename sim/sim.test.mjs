// The simulator's determinism: a seed always draws the same plan and the same Stripe delivery schedule, and the
// invariants' money arithmetic agrees with the domain's rule. Runs without a Worker (`node --test sim/`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Prng } from "./prng.mjs";
import { planRun, describePlan, OPERATIONS } from "./plan.mjs";
import { StripeScheduler, planDelivery } from "./stripe-scheduler.mjs";
import { reclaimTarget, netCredits } from "./invariants.mjs";
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

test("a gated fault kind is never planned", () => {
  const rng = new Prng(1, "stripe");
  for (let i = 0; i < 200; i++) assert.equal(planDelivery(rng, 0, (kind) => kind === "late").kind === "duplicate", false);
  for (const hole of Object.keys(KNOWN_HOLES)) {
    assert.equal(allowed(hole), false);
    assert.equal(allowed(hole, { allFaults: true }), true);
  }
  assert.ok("normal" in apipodModes() && "fail" in apipodModes());
  assert.ok(Object.keys(apipodModes()).every((m) => m === "normal" || !m.includes(" ")));
});

test("the money arithmetic of invariant 2 follows the domain's reclaim rule", () => {
  assert.equal(reclaimTarget(100, 900, 300), 34, "the refunded share, rounded up");
  assert.equal(reclaimTarget(100, 900, 900), 100);
  assert.equal(reclaimTarget(100, 900, 0), 0);
  const charge = { amount: 900, amountRefunded: 300 };
  assert.equal(netCredits({ credits: 100, charge, dispute: null }), 66);
  assert.equal(netCredits({ credits: 100, charge, dispute: { status: "needs_response" } }), 0);
  assert.equal(netCredits({ credits: 100, charge, dispute: { status: "lost" } }), 0);
  assert.equal(netCredits({ credits: 100, charge, dispute: { status: "won" } }), 66);
});
