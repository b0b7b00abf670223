// End-to-end: plans, Checkout, the Billing Portal, signed webhooks and the ledger, through the Stripe stand-in.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { useWorker, late } from "../support/worker.mjs";
import { asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { signPayload } from "../support/fakes/stripe.mjs";
import { TEST_SECRETS } from "../support/env.mjs";
import { buy, startCheckout, profile, balance, ledgerKinds } from "../support/billing-flow.mjs";
import { shapeDrift } from "../support/stripe-shapes.mjs";
import * as objects from "../support/fakes/stripe-objects.mjs";

const worker = useWorker({ before, after });
const stripe = late(() => worker.fakes.stripe);

const newUser = () => newPerson(worker, { label: "buyer" });

async function snapshot() {
  const tables = ["accounts", "credit_ledger", "payments", "subscriptions", "stripe_events"];
  const counts = {};
  for (const table of tables) counts[table] = await count(worker.db, table);
  counts.credits = await worker.db.prepare("SELECT SUM(credits) AS n FROM accounts").first("n");
  return counts;
}

describe("plans and checkout", () => {
  test("GET /api/plans lists every plan without Stripe price ids", async () => {
    const response = await worker.fetch("/api/plans");
    assert.equal(response.status, 200);
    const { plans } = await response.json();
    assert.deepEqual(plans.map((p) => p.id), ["pack_100", "pack_500", "pro_monthly"]);
    assert.ok(plans.every((p) => p.stripe_price_id === undefined && p.credits > 0 && p.price_cents > 0));
  });

  test("checkout sends Stripe the plan, the account, the return URLs and an idempotency key, and reuses the customer later", async () => {
    const user = await newUser();
    const before = stripe.state.checkoutRequests.length;
    const session = await buy(worker, user.session, "pack_100");
    const first = stripe.state.checkoutRequests[before];
    assert.equal(first.form.mode, "payment");
    assert.equal(first.form["line_items[0][price]"], "price_pack_100");
    assert.equal(first.form.client_reference_id, user.id);
    assert.equal(first.form["metadata[account_id]"], user.id);
    assert.equal(first.form["metadata[plan_id]"], "pack_100");
    assert.equal(first.form["payment_intent_data[metadata][account_id]"], user.id);
    assert.equal(first.form.customer_email, "buyer-1@gptimg.test");
    assert.match(first.form.success_url, /\/account\?checkout=success&session_id=\{CHECKOUT_SESSION_ID\}$/);
    assert.match(first.idempotencyKey, /^[0-9a-f]{32}$/);

    await startCheckout(worker, user.session, "pro_monthly");
    const second = stripe.state.checkoutRequests.at(-1);
    assert.equal(second.form.customer, session.customer, "the Stripe customer is reused");
    assert.equal(second.form.mode, "subscription");
    assert.equal(second.form["subscription_data[metadata][account_id]"], user.id);
  });

  test("the checkout call to Stripe carries the response's request id as x-request-id", async () => {
    const user = await newUser();
    const { response } = await startCheckout(worker, user.session, "pack_100");
    assert.equal(response.status, 200);
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId);
    assert.equal(stripe.state.checkoutRequests.at(-1).requestId, requestId);
  });

  test("a double click within a minute opens one checkout, not two", async () => {
    const user = await newUser();
    const [a, b] = await Promise.all([startCheckout(worker, user.session, "pack_500"), startCheckout(worker, user.session, "pack_500")]);
    assert.equal(a.body.id, b.body.id);
  });

  test("return_to /app brings the buyer back to the studio; anything else is 400 invalid_return_to and reaches no Stripe", async () => {
    const user = await newUser();
    const { response, body } = await startCheckout(worker, user.session, "pack_100", { return_to: "/app" });
    assert.equal(response.status, 200);
    const sent = stripe.state.checkoutRequests.at(-1).form;
    assert.equal(sent.success_url, `${worker.url}/app?checkout=success&session_id={CHECKOUT_SESSION_ID}`);
    assert.equal(sent.cancel_url, `${worker.url}/app?checkout=cancelled`);
    const pay = await fetch(`${body.url}/pay`, { method: "POST", redirect: "manual" });
    assert.equal(pay.status, 303);
    assert.equal(pay.headers.get("location"), `${worker.url}/app?checkout=success&session_id=${body.id}`);
    const requests = stripe.state.checkoutRequests.length;
    const before = await snapshot();
    for (const bad of ["https://evil.example/app", "//evil.example/app", "/admin", "/app?x=1", "", 7]) {
      const refused = await startCheckout(worker, user.session, "pack_100", { return_to: bad });
      assert.equal(refused.response.status, 400, JSON.stringify(bad));
      assert.equal(refused.body.error.code, bad === 7 ? refused.body.error.code : "invalid_return_to");
    }
    assert.equal(stripe.state.checkoutRequests.length, requests, "Stripe was not called");
    assert.deepEqual(await snapshot(), before);
  });

  test("unknown plans are 422, strangers 401, other origins 403, and nothing is recorded", async () => {
    const user = await newUser();
    const before = await snapshot();
    const unknown = await startCheckout(worker, user.session, "pack_999");
    assert.equal(unknown.response.status, 422);
    assert.equal(unknown.body.error.code, "unknown_plan");
    const anonymous = await worker.fetch("/api/billing/checkout", { method: "POST", headers: { "content-type": "application/json", origin: worker.url }, body: '{"plan":"pack_100"}' });
    assert.equal(anonymous.status, 401);
    const crossSite = await worker.fetch("/api/billing/checkout", { method: "POST", headers: asUser(worker, user.session, { origin: "https://evil.example", "content-type": "application/json" }), body: '{"plan":"pack_100"}' });
    assert.equal(crossSite.status, 403);
    const malformed = await worker.fetch("/api/billing/checkout", { method: "POST", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: '{"plan":' });
    assert.equal(malformed.status, 400);
    assert.deepEqual(await snapshot(), before);
  });

  test("a Stripe failure is a 502 with a clear message and records nothing", async () => {
    const user = await newUser();
    const before = await snapshot();
    for (const [failure, code] of [["error500", "stripe_unavailable"], ["reject", "stripe_rejected"]]) {
      stripe.state.failNext = failure;
      const { response, body } = await startCheckout(worker, user.session, "pack_100");
      assert.equal(response.status, 502);
      assert.equal(body.error.code, code);
      assert.ok(body.error.message.length > 10);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test("the billing portal needs a Stripe customer and then opens", async () => {
    const user = await newUser();
    const portal = () => worker.fetch("/api/billing/portal", { method: "POST", headers: asUser(worker, user.session) });
    const none = await portal();
    assert.equal(none.status, 409);
    assert.equal((await none.json()).error.code, "no_billing_account");
    await buy(worker, user.session, "pack_100");
    const opened = await portal();
    assert.equal(opened.status, 200);
    assert.match((await opened.json()).url, /\/stripe\/portal\/bps_/);
  });
});

describe("credit packs", () => {
  test("a pack bought through the stand-in raises the balance once and is in the payments history", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    assert.equal(await balance(worker, user.session), 110);
    assert.deepEqual(await ledgerKinds(worker, user.id), [{ kind: "signup_grant", amount: 10 }, { kind: "pack_purchase", amount: 100 }]);
    const payment = await worker.db.prepare("SELECT kind, plan_id, amount_cents, currency, status, credits_granted, stripe_payment_intent_id FROM payments WHERE account_id = ?").bind(user.id).first();
    assert.deepEqual(payment, { kind: "pack", plan_id: "pack_100", amount_cents: 900, currency: "usd", status: "paid", credits_granted: 100, stripe_payment_intent_id: session.payment_intent });
  });

  test("the same event delivered 5 times, then 5 times at once, grants once", async () => {
    const user = await newUser();
    await buy(worker, user.session, "pack_100");
    const event = stripe.state.sentEvents.at(-1);
    assert.equal(event.type, "checkout.session.completed");
    const sequential = await stripe.deliver(event, { times: 5 });
    const concurrent = await stripe.deliver(event, { times: 5, concurrent: true });
    assert.ok([...sequential, ...concurrent].every((r) => r.status === 200));
    assert.equal(await balance(worker, user.session), 110);
    assert.equal(await count(worker.db, "payments", "account_id = ?", user.id), 1);
    const recorded = await worker.db.prepare("SELECT outcome, deliveries FROM stripe_events WHERE id = ?").bind(event.id).first();
    assert.deepEqual(recorded, { outcome: "credits_granted", deliveries: 11 });
    // The stripe_events row is the record of every delivery: an ordinary one writes no log line of its own (the
    // platform records the request); a delivery the caller traces does, and shows it made one D1 round trip.
    const traced = await worker.fetch("/webhooks/stripe", { method: "POST", headers: { "content-type": "application/json", "x-request-id": "billing-replay-traced", "stripe-signature": signPayload(JSON.stringify(event), TEST_SECRETS.STRIPE_WEBHOOK_SECRET) }, body: JSON.stringify(event) });
    assert.equal(traced.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(worker.jsonLogs().filter((l) => l.event?.stripe_event === event.id), [], "no line per ordinary delivery");
    const line = worker.jsonLogs().find((l) => l.request_id === "billing-replay-traced");
    assert.deepEqual([line.msg, line.path, line.status, line.d1_round_trips], ["request", "/webhooks/stripe", 200, 1]);
  });

  test("a never-seen event delivered 5 times at once grants once", async () => {
    const user = await newUser();
    const { body } = await startCheckout(worker, user.session, "pack_100");
    const session = stripe.state.sessions.get(body.id);
    Object.assign(session, { status: "complete", payment_status: "paid", payment_intent: "pi_test_concurrent", customer: "cus_test_concurrent" });
    await stripe.deliver(stripe.buildEvent("checkout.session.completed", session), { times: 5, concurrent: true });
    assert.equal(await balance(worker, user.session), 110);
  });

  test("two different events for the same payment grant once", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    await stripe.deliver(stripe.buildEvent("checkout.session.async_payment_succeeded", session));
    assert.equal(await balance(worker, user.session), 110);
  });

  test("an asynchronous payment grants only when it succeeds, and a failed one is recorded without credits", async () => {
    const user = await newUser();
    const pending = await startCheckout(worker, user.session, "pack_100");
    await stripe.completeCheckout(pending.body.id, { paymentStatus: "unpaid" });
    assert.equal(await balance(worker, user.session), 10, "nothing until the money arrives");
    await stripe.asyncPayment(pending.body.id, true);
    assert.equal(await balance(worker, user.session), 110);

    const failing = await startCheckout(worker, user.session, "pack_500");
    await stripe.completeCheckout(failing.body.id, { paymentStatus: "unpaid" });
    await stripe.asyncPayment(failing.body.id, false);
    assert.equal(await balance(worker, user.session), 110);
    const failed = await worker.db.prepare("SELECT status, credits_granted FROM payments WHERE cause_id = ?").bind(failing.body.id).first();
    assert.deepEqual(failed, { status: "failed", credits_granted: 0 });
  });
});

describe("subscriptions", () => {
  test("created, renewed (credits once per invoice) and cancelled", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pro_monthly");
    let me = await profile(worker, user.session);
    assert.equal(me.credits, 410);
    assert.equal(me.subscription.status, "active");
    assert.equal(me.subscription.plan_id, "pro_monthly");
    assert.ok(me.subscription.current_period_end > Date.now());

    const { invoice, results } = await stripe.renew(session.subscription);
    assert.equal(results[0].body.outcome, "credits_granted");
    await stripe.deliver(stripe.buildEvent("invoice.paid", invoice), { times: 3 });
    assert.equal(await balance(worker, user.session), 810);
    assert.equal(await count(worker.db, "payments", "account_id = ? AND kind = 'subscription'", user.id), 2);

    await stripe.cancel(session.subscription);
    me = await profile(worker, user.session);
    assert.equal(me.subscription.status, "canceled");
    assert.equal(me.credits, 810, "cancelling keeps credits already paid for");
  });

  test("a second subscription while one is live is refused", async () => {
    const user = await newUser();
    await buy(worker, user.session, "pro_monthly");
    const again = await startCheckout(worker, user.session, "pro_monthly");
    assert.equal(again.response.status, 409);
    assert.equal(again.body.error.code, "already_subscribed");
  });

  test("events shuffled into every order reach the same final state", async () => {
    const permutations = (items) => items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    const base = Math.floor(Date.now() / 1000);
    let tried = 0;
    for (const order of permutations([0, 1, 2, 3])) {
      const user = await newUser();
      const metadata = { account_id: user.id, plan_id: "pro_monthly" };
      const price = stripe.prices.get("price_pro_monthly").price;
      const sub = { id: `sub_test_shuffle_${tried}`, itemId: `si_test_shuffle_${tried}`, customer: `cus_test_shuffle_${tried}`, price, metadata,
        created: base, periodStart: base, periodEnd: base + 86400, cancelAtPeriodEnd: false, canceledAt: null, latestInvoice: null };
      const state = (status, extra = {}) => objects.subscription({ ...sub, status, ...extra });
      const invoice = objects.invoice({ id: `in_test_shuffle_${tried}`, lineId: `il_test_shuffle_${tried}`, customer: sub.customer, subscription: sub.id,
        subscriptionItem: sub.itemId, subscriptionMetadata: metadata, price, status: "paid", created: base + 1, periodStart: base, periodEnd: base + 86400,
        billingReason: "subscription_create", attempts: 1 });
      const events = [
        stripe.buildEvent("customer.subscription.created", state("active"), base + 1),
        stripe.buildEvent("invoice.paid", invoice, base + 1),
        stripe.buildEvent("customer.subscription.updated", state("active", { cancelAtPeriodEnd: true }), base + 2),
        stripe.buildEvent("customer.subscription.deleted", state("canceled", { canceledAt: base + 3 }), base + 3),
      ];
      for (const index of order) assert.equal((await stripe.deliver(events[index]))[0].status, 200);
      const me = await profile(worker, user.session);
      assert.equal(me.credits, 410, `order ${order}`);
      const row = await worker.db.prepare("SELECT status, cancel_at_period_end, state_event_created FROM subscriptions WHERE id = ?").bind(sub.id).first();
      assert.deepEqual(row, { status: "canceled", cancel_at_period_end: 0, state_event_created: base + 3 }, `order ${order}`);
      tried++;
    }
    assert.equal(tried, 24);
  });
});

describe("refunds and disputes", () => {
  test("a full refund takes back the whole pack while it is unspent", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    const [result] = await stripe.refund(session.payment_intent);
    assert.equal(result.body.outcome, "credits_reclaimed");
    assert.equal(await balance(worker, user.session), 10);
    const payment = await worker.db.prepare("SELECT status, credits_reclaimed FROM payments WHERE cause_id = ?").bind(session.id).first();
    assert.deepEqual(payment, { status: "refunded", credits_reclaimed: 100 });
  });

  test("a refund after the credits were spent takes the whole pack back: what was spent is a recorded debt", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    // Stand in for spending 80 of the 110 credits.
    await worker.db.prepare("UPDATE accounts SET credits = 30 WHERE id = ?").bind(user.id).run();
    await stripe.refund(session.payment_intent);
    assert.equal(await balance(worker, user.session), -70);
    const reclaim = await worker.db.prepare("SELECT amount, balance_after, debt_after FROM credit_ledger WHERE account_id = ? AND kind = 'reclaim'").bind(user.id).first();
    assert.deepEqual(reclaim, { amount: -100, balance_after: 0, debt_after: 70 });
  });

  test("a partial refund takes back its share, a replay nothing, and a later dispute the rest", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    await stripe.refund(session.payment_intent, 450);
    assert.equal(await balance(worker, user.session), 60);
    await stripe.deliver(stripe.state.sentEvents.at(-1), { times: 2 });
    assert.equal(await balance(worker, user.session), 60);
    const [dispute] = await stripe.dispute(session.payment_intent);
    assert.equal(dispute.body.outcome, "credits_reclaimed");
    assert.equal(await balance(worker, user.session), 10);
    const payment = await worker.db.prepare("SELECT status, credits_reclaimed, amount_reversed_cents FROM payments WHERE cause_id = ?").bind(session.id).first();
    assert.deepEqual(payment, { status: "disputed", credits_reclaimed: 100, amount_reversed_cents: 900 });
  });

  test("a subscription invoice refund takes back that period's credits", async () => {
    const user = await newUser();
    await buy(worker, user.session, "pro_monthly");
    const paid = stripe.state.sentEvents.findLast((e) => e.type === "invoice_payment.paid").data.object;
    assert.equal(paid.payment.type, "payment_intent");
    const [refund] = await stripe.refund(paid.payment.payment_intent);
    assert.equal(refund.body.outcome, "credits_reclaimed");
    assert.equal(await balance(worker, user.session), 10);
  });
});

describe("webhook verification", () => {
  async function post(body, headers) {
    return worker.fetch("/webhooks/stripe", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  }

  /** A new user's pack checkout and the (unsigned) `checkout.session.completed` event that pays it. */
  async function paidCheckout(paymentIntent) {
    const user = await newUser();
    const { body } = await startCheckout(worker, user.session, "pack_100");
    const session = { ...stripe.state.sessions.get(body.id), status: "complete", payment_status: "paid", payment_intent: paymentIntent };
    return { user, payload: JSON.stringify(stripe.buildEvent("checkout.session.completed", session)) };
  }

  test("missing header, bad signature, stale timestamp and malformed JSON are 400 and change nothing", async () => {
    const { payload } = await paidCheckout("pi_test_never");
    const now = Math.floor(Date.now() / 1000);
    const before = await snapshot();
    const cases = [
      [{}, "missing_signature"],
      [{ "stripe-signature": "nonsense" }, "malformed_signature"],
      [{ "stripe-signature": signPayload(payload, "whsec_wrong_secret_000") }, "invalid_signature"],
      // Well past the 300 s tolerance: workerd's clock only advances at I/O, so exact-boundary checks live in domain/.
      [{ "stripe-signature": signPayload(payload, TEST_SECRETS.STRIPE_WEBHOOK_SECRET, now - 360) }, "stale_signature"],
      [{ "stripe-signature": signPayload(payload, TEST_SECRETS.STRIPE_WEBHOOK_SECRET, now + 360) }, "stale_signature"],
    ];
    for (const [headers, code] of cases) {
      const response = await post(payload, headers);
      assert.equal(response.status, 400, code);
      assert.equal((await response.json()).error.code, code);
    }
    const tampered = payload.replace('"pack_100"', '"pack_500"');
    const tamperedResponse = await post(tampered, { "stripe-signature": signPayload(payload, TEST_SECRETS.STRIPE_WEBHOOK_SECRET) });
    assert.equal(tamperedResponse.status, 400);
    for (const garbage of ["{not json", '{"id":"evt_x"}', "[]"]) {
      const response = await post(garbage, { "stripe-signature": signPayload(garbage, TEST_SECRETS.STRIPE_WEBHOOK_SECRET) });
      assert.equal(response.status, 400, garbage);
      assert.equal((await response.json()).error.code, "malformed_event");
    }
    assert.deepEqual(await snapshot(), before);
  });

  test("during secret rotation a header with two v1 signatures is accepted", async () => {
    const { user, payload } = await paidCheckout("pi_test_rotation");
    const t = Math.floor(Date.now() / 1000);
    const oldSig = signPayload(payload, "whsec_previous_secret_x", t).split("v1=")[1];
    const newSig = signPayload(payload, TEST_SECRETS.STRIPE_WEBHOOK_SECRET, t).split("v1=")[1];
    const response = await post(payload, { "stripe-signature": `t=${t},v1=${oldSig},v1=${newSig}` });
    assert.equal(response.status, 200);
    assert.equal(await balance(worker, user.session), 110);
  });

  test("an event type we never act on is 200 and writes nothing at all, not even its record", async () => {
    const before = await snapshot();
    const event = stripe.buildEvent("customer.tax_id.created", { id: "txi_1" });
    const [result, replay] = await stripe.deliver(event, { times: 2 });
    assert.deepEqual([result.status, replay.status], [200, 200]);
    assert.equal(result.body.outcome, "ignored_event_type");
    assert.deepEqual(await snapshot(), before);
    assert.equal(await count(worker.db, "stripe_events", "id = ?", event.id), 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(!worker.jsonLogs().some((l) => l.event?.stripe_event === event.id), "and no log line: the platform records the request");
  });
});

describe("the stand-in itself", () => {
  test("every event it sent in this file has the field names of the pinned version's samples", () => {
    assert.ok(stripe.state.sentEvents.length > 50);
    assert.deepEqual(shapeDrift(stripe.state.sentEvents), []);
  });
});

describe("the credit ledger", () => {
  test("lists newest first with cursor paging, only the caller's entries", async () => {
    const user = await newUser();
    await buy(worker, user.session, "pack_100");
    await buy(worker, user.session, "pack_500");
    const page = async (query) => (await worker.fetch(`/api/credits/ledger${query}`, { headers: asUser(worker, user.session) })).json();
    const all = await page("");
    assert.deepEqual(all.entries.map((e) => [e.kind, e.amount, e.balance_after]), [["pack_purchase", 500, 610], ["pack_purchase", 100, 110], ["signup_grant", 10, 10]]);
    assert.equal(all.entries[0].description, "Bought 500 credits");
    assert.equal(all.next_cursor, null);
    const first = await page("?limit=2");
    assert.equal(first.entries.length, 2);
    const second = await page(`?limit=2&cursor=${first.next_cursor}`);
    assert.deepEqual(second.entries.map((e) => e.kind), ["signup_grant"]);
    assert.equal(second.next_cursor, null);

    const stranger = await newUser();
    const theirs = await (await worker.fetch("/api/credits/ledger", { headers: asUser(worker, stranger.session) })).json();
    assert.deepEqual(theirs.entries.map((e) => e.kind), ["signup_grant"]);
  });

  test("a bad cursor or limit is a 400, and strangers get 401", async () => {
    const user = await newUser();
    for (const query of ["?cursor=!!!", "?limit=0", "?limit=500"]) {
      const response = await worker.fetch(`/api/credits/ledger${query}`, { headers: asUser(worker, user.session) });
      assert.equal(response.status, 400, query);
    }
    assert.equal((await worker.fetch("/api/credits/ledger")).status, 401);
  });
});
