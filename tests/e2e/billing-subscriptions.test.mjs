// End-to-end: subscriptions at the pinned Stripe version — Stripe-Version on every call, invoice_payment.paid
// linking a payment to its invoice in any order, refunds and disputes reclaiming, plans found through metadata, and
// paid events that cannot be applied refused (409), shown to admins, and granted once after the fix.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker, late } from "../support/worker.mjs";
import { signIn, asUser } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { buy, balance } from "../support/billing-flow.mjs";
import { shapeDrift } from "../support/stripe-shapes.mjs";
import { API_VERSION } from "../support/fakes/stripe-objects.mjs";

let admin;
const worker = useWorker({ before, after }, {}, async (started) => {
  admin = (await signIn(started, { email: "admin@gptimg.test", name: "The Admin" })).session;
});
const stripe = late(() => worker.fakes.stripe);

const newUser = () => newPerson(worker, { label: "subscriber" });

const row = (sql, ...params) => worker.db.prepare(sql).bind(...params).first();
const payment = (invoiceId) => row("SELECT status, credits_granted, credits_reclaimed, stripe_payment_intent_id FROM payments WHERE cause_id = ?", invoiceId);
const ledger = async (accountId) => (await worker.db.prepare("SELECT kind, amount FROM credit_ledger WHERE account_id = ? ORDER BY created_at, id").bind(accountId).all()).results;

/** A subscriber with one paid period (410 credits: 10 at sign-up + 400), and the subscription's id. */
async function subscriber() {
  const user = await newUser();
  const session = await buy(worker, user.session, "pro_monthly");
  assert.equal(await balance(worker, user.session), 410);
  return { ...user, subscription: session.subscription };
}

async function problems(status = "open") {
  const response = await worker.fetch(`/api/admin/billing/problems?status=${status}`, { headers: asUser(worker, admin) });
  assert.equal(response.status, 200);
  return (await response.json()).problems;
}

describe("the pinned API version", () => {
  test("checkout, the billing portal and a subscription cancel all send Stripe-Version", async () => {
    const user = await subscriber();
    const before = stripe.state.apiRequests.length;
    const portal = await worker.fetch("/api/billing/portal", { method: "POST", headers: asUser(worker, user.session) });
    assert.equal(portal.status, 200);
    const deleted = await worker.fetch("/api/me", { method: "DELETE", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: '{"confirm":"DELETE"}' });
    assert.equal(deleted.status, 204);
    const calls = stripe.state.apiRequests.slice(before).map((r) => `${r.method} ${r.path.replace(/sub_\w+/, "sub_x")} ${r.stripeVersion}`);
    assert.deepEqual(calls, [`POST /v1/billing_portal/sessions ${API_VERSION}`, `DELETE /v1/subscriptions/sub_x ${API_VERSION}`]);
    const checkout = stripe.state.checkoutRequests.at(-1);
    assert.equal(checkout.stripeVersion, API_VERSION);
    assert.ok(stripe.state.apiRequests.every((r) => r.stripeVersion === API_VERSION), "no call without it");
  });
});

describe("subscription payments are linked to their invoices in any order", () => {
  for (const order of ["invoice.paid first", "invoice_payment.paid first"]) {
    test(`${order}: a renewal grants once, and refunding its payment intent takes back the unspent share once`, async () => {
      const user = await subscriber();
      const sub = stripe.state.subscriptions.get(user.subscription);
      sub.periodStart = sub.periodEnd;
      sub.periodEnd += 30 * 86400;
      const paid = stripe.paidInvoice(sub, "subscription_cycle");
      const invoiceEvent = stripe.buildEvent("invoice.paid", paid.invoice);
      const linkEvent = stripe.buildEvent("invoice_payment.paid", paid.invoicePayment);
      const events = order === "invoice.paid first" ? [invoiceEvent, linkEvent] : [linkEvent, invoiceEvent];
      const outcomes = [];
      for (const event of events) {
        const [result] = await stripe.deliver(event);
        assert.equal(result.status, 200);
        outcomes.push(result.body.outcome);
      }
      assert.deepEqual(outcomes.sort(), ["credits_granted", "payment_linked"]);
      assert.equal(await balance(worker, user.session), 810);
      assert.deepEqual(await payment(paid.invoice.id), { status: "paid", credits_granted: 400, credits_reclaimed: 0, stripe_payment_intent_id: paid.paymentIntent });

      // 300 of the 810 credits are spent; half the renewal is refunded: 200 of its 400 credits come back out.
      await worker.db.prepare("UPDATE accounts SET credits = 510 WHERE id = ?").bind(user.id).run();
      const [refund] = await stripe.refund(paid.paymentIntent, 950);
      assert.equal(refund.status, 200);
      assert.equal(refund.body.outcome, "credits_reclaimed");
      await stripe.deliver(stripe.state.sentEvents.at(-1), { times: 2 });
      assert.equal(await balance(worker, user.session), 310);
      assert.deepEqual(await payment(paid.invoice.id), { status: "partially_refunded", credits_granted: 400, credits_reclaimed: 200, stripe_payment_intent_id: paid.paymentIntent });
      assert.deepEqual((await ledger(user.id)).map((e) => `${e.kind} ${e.amount}`), ["signup_grant 10", "subscription_credits 400", "subscription_credits 400", "reclaim -200"]);
    });
  }

  test("a dispute of a subscription payment takes back what is unspent of it", async () => {
    const user = await subscriber();
    const { paymentIntent, invoice, results } = await stripe.renew(user.subscription);
    assert.deepEqual(results.map((r) => r.body.outcome), ["credits_granted", "payment_linked"]);
    const [dispute] = await stripe.dispute(paymentIntent);
    assert.equal(dispute.body.outcome, "credits_reclaimed");
    assert.equal(await balance(worker, user.session), 410);
    assert.deepEqual(await payment(invoice.id), { status: "disputed", credits_granted: 400, credits_reclaimed: 400, stripe_payment_intent_id: paymentIntent });
  });

  test("a refund that arrives before its payment is known is refused, listed, and applied once by the retry after", async () => {
    const user = await subscriber();
    const { paymentIntent, invoicePayment, invoice } = await stripe.renew(user.subscription, { link: false });
    assert.equal(await balance(worker, user.session), 810);
    const [early] = await stripe.refund(paymentIntent);
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, "billing_needs_attention");
    assert.equal(early.body.error.details.reason, "unknown_payment");
    const refundEvent = stripe.state.sentEvents.at(-1);
    const listed = (await problems()).find((p) => p.event_id === refundEvent.id);
    assert.equal(listed.reason, "unknown_payment");
    assert.equal(listed.facts.payment_intent, paymentIntent);
    assert.match(listed.advice, /resolves itself/);
    assert.equal(await balance(worker, user.session), 810, "nothing taken yet");

    await stripe.deliver(stripe.buildEvent("invoice_payment.paid", invoicePayment));
    const [retry] = await stripe.deliver(refundEvent); // Stripe's retry
    assert.equal(retry.status, 200);
    assert.equal(retry.body.outcome, "credits_reclaimed");
    const [again] = await stripe.deliver(refundEvent);
    assert.equal(again.status, 200);
    assert.equal(await balance(worker, user.session), 410);
    assert.equal((await payment(invoice.id)).status, "refunded");
    assert.ok(!(await problems()).some((p) => p.event_id === refundEvent.id), "no longer open");
    const resolved = await row("SELECT resolution, deliveries FROM billing_problems WHERE event_id = ?", refundEvent.id);
    assert.deepEqual(resolved, { resolution: "applied", deliveries: 1 });
    assert.equal((await row("SELECT outcome FROM stripe_events WHERE id = ?", refundEvent.id)).outcome, "credits_reclaimed");
  });
});

describe("plans and paid events that cannot be applied", () => {
  test("an invoice on a price no longer in PLANS grants the plan named in the subscription's metadata", async () => {
    const user = await subscriber();
    const sub = stripe.state.subscriptions.get(user.subscription);
    sub.price = { ...sub.price, id: "price_pro_monthly_2025", unit_amount: 1500 };
    const { invoice, results } = await stripe.renew(user.subscription);
    assert.equal(results[0].status, 200);
    assert.equal(results[0].body.outcome, "credits_granted");
    assert.equal(invoice.lines.data[0].pricing.price_details.price, "price_pro_monthly_2025");
    assert.equal(await balance(worker, user.session), 810);
    assert.deepEqual(await row("SELECT plan_id, amount_cents FROM payments WHERE cause_id = ?", invoice.id), { plan_id: "pro_monthly", amount_cents: 1500 });
  });

  test("a paid event for an account we do not know is refused and listed; an admin dismissal makes its retry 2xx", async () => {
    const user = await subscriber();
    const sub = stripe.state.subscriptions.get(user.subscription);
    const stranger = { ...sub, id: "sub_test_stranger", customer: "cus_test_stranger", metadata: { plan_id: "pro_monthly" } };
    const paid = stripe.paidInvoice(stranger, "subscription_create");
    const event = stripe.buildEvent("invoice.paid", paid.invoice);
    const [first] = await stripe.deliver(event);
    assert.equal(first.status, 409);
    assert.equal(first.body.error.details.reason, "unknown_account");
    const listed = (await problems()).find((p) => p.event_id === event.id);
    assert.deepEqual([listed.reason, listed.facts.customer, listed.facts.cause], ["unknown_account", "cus_test_stranger", paid.invoice.id]);

    const dismiss = (body, session = admin) => worker.fetch(`/api/admin/billing/problems/${event.id}/dismiss`, { method: "POST", headers: asUser(worker, session, { "content-type": "application/json" }), body: JSON.stringify(body) });
    assert.equal((await dismiss({ reason: "Refunded in Stripe." }, user.session)).status, 404, "admins only");
    const empty = await dismiss({ reason: "  " });
    assert.equal(empty.status, 422);
    assert.equal((await empty.json()).error.code, "reason_empty");
    assert.equal((await dismiss({ reason: "Refunded in Stripe." })).status, 200);
    assert.equal((await dismiss({ reason: "Twice." })).status, 404, "already dismissed");
    const [retry] = await stripe.deliver(event);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.outcome, "dismissed_by_admin");
    const audit = await row("SELECT action, details FROM audit_log WHERE target_id = ?", event.id);
    assert.deepEqual(audit, { action: "billing_problem_dismissed", details: '{"reason":"Refunded in Stripe."}' });
    assert.equal(await row("SELECT COUNT(*) AS n FROM credit_ledger WHERE source_id = ?", paid.invoice.id).then((r) => r.n), 0);
  });

  test("the stand-in sent only the pinned version's field names here", () => {
    assert.deepEqual(shapeDrift(stripe.state.sentEvents), []);
  });

  // Last: it restarts the Worker with a new PLANS.
  test("a paid invoice for a plan not in PLANS is refused and listed, and after PLANS is fixed the retry grants once", async () => {
    const user = await subscriber();
    const sub = stripe.state.subscriptions.get(user.subscription);
    Object.assign(sub, { price: { ...sub.price, id: "price_team_monthly", unit_amount: 4900 }, metadata: { ...sub.metadata, plan_id: "team_monthly" } });
    const { invoice, results: [refused] } = await stripe.renew(user.subscription);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "billing_needs_attention");
    const event = stripe.state.sentEvents.findLast((e) => e.type === "invoice.paid");
    await stripe.deliver(event); // Stripe retries before anyone notices
    assert.equal(await balance(worker, user.session), 410);
    const listed = (await problems()).find((p) => p.event_id === event.id);
    assert.deepEqual([listed.reason, listed.deliveries, listed.facts.price, listed.facts.plan_id, listed.facts.invoice, listed.facts.account_id],
      ["unknown_plan", 2, "price_team_monthly", "team_monthly", invoice.id, user.id]);
    assert.match(listed.advice, /PLANS/);
    assert.equal((await row("SELECT outcome FROM stripe_events WHERE id = ?", event.id)).outcome, "needs_attention");
    // Unlike an ordinary delivery, a refused one names the event an operator must look at in its log line.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const named = worker.jsonLogs().filter((l) => l.event?.stripe_event === event.id);
    assert.ok(named.length >= 2 && named.every((l) => l.status === 409 && l.event.outcome === "needs_attention"), JSON.stringify(named));

    const plans = JSON.parse((await worker.mf.getBindings()).PLANS);
    plans.push({ id: "team_monthly", kind: "subscription", name: "Team", credits: 2000, price_cents: 4900, currency: "usd", interval: "month", stripe_price_id: "price_team_monthly" });
    await worker.reconfigure({ PLANS: JSON.stringify(plans) });
    assert.equal(await balance(worker, user.session), 410, "the data survived the restart");

    const [retry] = await stripe.deliver(event);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.outcome, "credits_granted");
    const [replay] = await stripe.deliver(event);
    assert.equal(replay.status, 200);
    assert.equal(await balance(worker, user.session), 2410, "granted exactly once");
    assert.ok(!(await problems()).some((p) => p.event_id === event.id));
    const all = await problems("all");
    // Resolved by the grant, which counts no delivery: the refused one and the early retry.
    assert.deepEqual(all.filter((p) => p.event_id === event.id).map((p) => [p.resolution, Boolean(p.resolved_at), p.deliveries]), [["applied", true, 2]]);
    assert.deepEqual(await row("SELECT outcome, deliveries FROM stripe_events WHERE id = ?", event.id), { outcome: "credits_granted", deliveries: 4 });
  });
});
