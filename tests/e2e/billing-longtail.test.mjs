// End-to-end: billing's long tail through the Stripe stand-in — a period's credits once per (subscription, period),
// plan changes and immediate cancellations by their proration lines, a customer balance paying a resubscription,
// invoices paid by several payments, refunds after the credits were spent (a recorded debt), disputes closed
// before they are created, events from the other mode than the key, and Stripe's rate limit at checkout.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useWorker, late } from "../support/worker.mjs";
import { signIn, asUser } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { buy, balance, startCheckout } from "../support/billing-flow.mjs";
import { generate } from "../support/generation-flow.mjs";
import * as payments from "../support/fakes/stripe-payments.mjs";

// The catalogue plus a bigger monthly plan to change to.
const PLANS = JSON.stringify([
  ...JSON.parse(readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8").match(/PLANS = '''([\s\S]*?)'''/)[1]),
  { id: "max_monthly", kind: "subscription", name: "Max monthly", credits: 1000, price_cents: 3800, currency: "usd", interval: "month", stripe_price_id: "price_max_monthly" },
]);

let admin;
const worker = useWorker({ before, after }, { bindings: { PLANS } }, async (started) => {
  admin = (await signIn(started, { email: "admin@gptimg.test", name: "The Admin" })).session;
});
const stripe = late(() => worker.fakes.stripe);

const row = (sql, ...params) => worker.db.prepare(sql).bind(...params).first();
const ledger = async (accountId) => (await worker.db.prepare("SELECT kind, amount FROM credit_ledger WHERE account_id = ? ORDER BY created_at, id").bind(accountId).all()).results;

/** A subscriber with one paid Pro period (410 credits: 10 at sign-up + 400). */
async function subscriber() {
  const user = await newPerson(worker, { label: "subscriber" });
  const session = await buy(worker, user.session, "pro_monthly");
  assert.equal(await balance(worker, user.session), 410);
  return { ...user, subscription: session.subscription, customer: session.customer };
}

async function problems() {
  const response = await worker.fetch("/api/admin/billing/problems?status=open", { headers: asUser(worker, admin) });
  assert.equal(response.status, 200);
  return (await response.json()).problems;
}

describe("a period's credits, once per subscription and period", () => {
  test("an upgrade mid-period grants the rest of the period's difference, once — never a whole period again", async () => {
    const user = await subscriber();
    // Half-way: 950 of Pro's 1900 credited back (-200 credits), 1900 of Max's 3800 charged (+500): +300.
    const change = await stripe.changePlan(user.subscription, "price_max_monthly");
    assert.ok(change.results.every((r) => r.status === 200), JSON.stringify(change.results));
    assert.equal(change.invoice.billing_reason, "subscription_update");
    assert.equal(await balance(worker, user.session), 710);
    assert.deepEqual((await ledger(user.id)).map((e) => e.kind).slice(-2), ["subscription_credits", "plan_change"]);
    // Replays of the proration invoice change nothing; the subscription follows the new plan.
    await stripe.deliver(stripe.state.sentEvents.findLast((e) => e.type === "invoice.paid"), { times: 2 });
    assert.equal(await balance(worker, user.session), 710);
    assert.equal((await row("SELECT plan_id FROM subscriptions WHERE id = ?", user.subscription)).plan_id, "max_monthly");
    // The next period is Max's whole period.
    await stripe.renew(user.subscription);
    assert.equal(await balance(worker, user.session), 1710);
  });

  test("a second invoice for a period already granted grants nothing", async () => {
    const user = await subscriber();
    const sub = stripe.state.subscriptions.get(user.subscription);
    const again = stripe.paidInvoice(sub, "subscription_cycle");
    const results = await stripe.deliverInvoice(again);
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(results[0].body.outcome, "already_applied");
    assert.equal(await balance(worker, user.session), 410);
    // Its payment is recorded all the same, granting nothing, so a refund of it finds it.
    assert.deepEqual(await row("SELECT status, credits_granted FROM payments WHERE cause_id = ?", again.invoice.id), { status: "paid", credits_granted: 0 });
  });

  test("cancel at once with a proration credit, resubscribe paid from that balance: the unspent share comes back out first", async () => {
    const user = await subscriber();
    // A quarter into the period: 1425 of 1900 credited to the customer's balance; 300 of the 400 credits go back.
    const cancel = await stripe.cancelNow(user.subscription);
    assert.ok(cancel.results.every((r) => r.status === 200), JSON.stringify(cancel.results));
    assert.equal(cancel.balance, -1425);
    assert.equal(cancel.invoice.amount_paid, 0);
    assert.equal(await balance(worker, user.session), 110);
    assert.deepEqual((await ledger(user.id)).at(-1), { kind: "plan_credit", amount: -300 });
    // Resubscribing: the balance pays 1425 of the new invoice, the card 475. A new period: its 400 credits.
    const again = await stripe.subscribeAgain(user.customer, "price_pro_monthly", { account_id: user.id, plan_id: "pro_monthly" });
    assert.ok(again.results.every((r) => r.status === 200), JSON.stringify(again.results));
    assert.equal(again.invoice.amount_paid, 475);
    assert.equal(await balance(worker, user.session), 510);
    // Again, cancelled as soon as it started (all 1900 credited back, all 400 credits taken back), and resubscribed
    // entirely from the balance: a new period, once — never a period repeated for pennies.
    await stripe.cancelNow(again.sub.id, { at: again.sub.periodStart });
    assert.equal(await balance(worker, user.session), 110);
    const third = await stripe.subscribeAgain(user.customer, "price_pro_monthly", { account_id: user.id, plan_id: "pro_monthly" });
    assert.equal(third.invoice.amount_paid, 0, "paid from the customer's balance alone");
    assert.equal(await balance(worker, user.session), 510);
    await stripe.deliverInvoice(third);
    assert.equal(await balance(worker, user.session), 510, "a replay grants nothing");
  });
});

describe("refunds and disputes", () => {
  test("an invoice paid by several payments loses, for a refund of one, only that payment's share", async () => {
    const user = await subscriber();
    const renewal = await stripe.renew(user.subscription, { split: [1000, 900] });
    assert.equal(renewal.invoicePayments.length, 2);
    assert.equal(await balance(worker, user.session), 810);
    const [first, second] = renewal.paymentIntents;
    const [refund] = await stripe.refund(first);
    assert.equal(refund.status, 200);
    assert.equal(await balance(worker, user.session), 810 - 211, "1000/1900 of 400, rounded up");
    await stripe.refund(second, 450);
    assert.equal(await balance(worker, user.session), 810 - 211 - 95);
    await stripe.refund(second);
    assert.equal(await balance(worker, user.session), 410, "both refunded in full: the whole renewal");
  });

  test("a refund after the credits were spent is a recorded debt: negative balance, 402, a billing problem, paid first by the next purchase", async () => {
    const user = await newPerson(worker, { label: "spender" });
    const pack = await buy(worker, user.session, "pack_100");
    // 100 of the 110 credits spent.
    await worker.db.prepare("UPDATE accounts SET credits = 10 WHERE id = ?").bind(user.id).run();
    const [refund] = await stripe.refund(pack.payment_intent);
    assert.equal(refund.status, 200);
    assert.equal(refund.body.outcome, "credits_reclaimed");
    assert.equal(await balance(worker, user.session), -90);
    assert.deepEqual(await row("SELECT credits, credit_debt FROM accounts WHERE id = ?", user.id), { credits: 0, credit_debt: 90 });
    const history = await (await worker.fetch("/api/credits/ledger", { headers: asUser(worker, user.session) })).json();
    assert.deepEqual([history.entries[0].kind, history.entries[0].amount, history.entries[0].balance_after], ["reclaim", -100, -90]);
    // The export says the same: the balance net of the debt, and the debt itself.
    const exported = (await (await worker.fetch("/api/me/export", { headers: asUser(worker, user.session) })).json()).data;
    assert.deepEqual([exported.account[0].credits, exported.account[0].credit_debt], [-90, 90]);
    const reclaim = exported.credit_ledger.find((e) => e.kind === "reclaim");
    assert.deepEqual([reclaim.balance_after, reclaim.debt_after], [-90, 90]);
    // New generations are refused while the debt is open.
    const refused = await generate(worker, user.session, { prompt: "A fox", model: "nano-banana-2", aspect_ratio: "1:1" });
    assert.equal(refused.response.status, 402);
    assert.equal(refused.body.error.code, "credits_in_debt");
    assert.equal(refused.body.error.details.balance, -90);
    // The operator sees it.
    const debt = (await problems()).find((p) => p.reason === "account_in_debt" && p.facts.account_id === user.id);
    assert.ok(debt, "listed as a billing problem");
    assert.equal(debt.facts.debt, 90);
    // The next purchase pays the debt first; the problem is settled.
    await buy(worker, user.session, "pack_500");
    assert.equal(await balance(worker, user.session), 410);
    assert.deepEqual(await row("SELECT credits, credit_debt FROM accounts WHERE id = ?", user.id), { credits: 410, credit_debt: 0 });
    assert.ok(!(await problems()).some((p) => p.reason === "account_in_debt" && p.facts.account_id === user.id));
    const { sum } = await row("SELECT SUM(amount) AS sum FROM credit_ledger WHERE account_id = ?", user.id);
    assert.equal(sum - 100, 410, "the ledger sums to the balance (plus the 100 spent outside it)");
    const generated = await generate(worker, user.session, { prompt: "A fox", model: "nano-banana-2", aspect_ratio: "1:1" });
    assert.equal(generated.response.status, 202, "generations are open again");
  });

  test("a dispute closed won before its creation is delivered takes nothing back; replays are safe", async () => {
    const user = await newPerson(worker, { label: "disputer" });
    const pack = await buy(worker, user.session, "pack_100");
    const charge = stripe.state.charges.get(pack.payment_intent);
    const dispute = payments.dispute({ id: "dp_test_closedfirst0001", charge: charge.id, paymentIntent: charge.paymentIntent, amount: charge.amount, currency: charge.currency, status: "needs_response", created: Math.floor(Date.now() / 1000) });
    const created = stripe.buildEvent("charge.dispute.created", dispute);
    const closed = stripe.buildEvent("charge.dispute.closed", { ...dispute, status: "won" });
    const [first] = await stripe.deliver(closed);
    assert.equal(first.status, 200);
    const [late] = await stripe.deliver(created, { times: 2 });
    assert.equal(late.status, 200);
    assert.equal(await balance(worker, user.session), 110);
    assert.deepEqual(await row("SELECT status, money_kept FROM dispute_outcomes WHERE dispute_id = ?", dispute.id), { status: "won", money_kept: 1 });
    await stripe.deliver(closed);
    assert.equal(await balance(worker, user.session), 110);
  });

  test("a won dispute of a payment not known here is refused (409) so Stripe retries it", async () => {
    const dispute = payments.dispute({ id: "dp_test_unknownpay0001", charge: "ch_test_nobody", paymentIntent: "pi_test_nobody", amount: 900, currency: "usd", status: "won", created: Math.floor(Date.now() / 1000) });
    const [answer] = await stripe.deliver(stripe.buildEvent("charge.dispute.closed", dispute));
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error.code, "billing_needs_attention");
    assert.ok((await problems()).some((p) => p.facts.cause === dispute.id && p.reason === "unknown_payment"));
  });
});

describe("payments racing deletion", () => {
  test("a subscription Stripe records after the account's deletion began is cancelled at Stripe by the deletion's retries, and shown", async () => {
    const user = await subscriber();
    const deleted = await worker.fetch("/api/me", { method: "DELETE", headers: asUser(worker, user.session, { "content-type": "application/json" }), body: '{"confirm":"DELETE"}' });
    assert.equal(deleted.status, 204);
    assert.equal(stripe.state.subscriptions.get(user.subscription).status, "canceled");
    // A checkout finished in another tab: Stripe records a new subscription for the deleted account's customer.
    const late = await stripe.subscribeAgain(user.customer, "price_pro_monthly", { account_id: user.id, plan_id: "pro_monthly" });
    assert.equal(late.results[0].status, 200, "customer.subscription.created is applied");
    assert.equal(stripe.state.subscriptions.get(late.sub.id).status, "active");
    const problem = (await problems()).find((p) => p.reason === "subscription_after_deletion" && p.facts.subscription === late.sub.id);
    assert.ok(problem, "the operator sees it");
    // The cron's next deletion run (a minute after it began) cancels it with the deletion's retried cancellation.
    await worker.db.prepare("UPDATE accounts SET deletion_started_at = ? WHERE id = ?").bind(Date.now() - 120_000, user.id).run();
    await worker.runCron();
    assert.equal(stripe.state.subscriptions.get(late.sub.id).status, "canceled");
    assert.ok((await row("SELECT deleted_at FROM accounts WHERE id = ?", user.id)).deleted_at, "deleted again");
    assert.equal(await row("SELECT credits, credit_debt FROM accounts WHERE id = ?", user.id).then((r) => r.credits), 0, "no credits granted to it");
  });
});

describe("smaller holes", () => {
  test("an event whose livemode disagrees with the key's mode is refused and changes nothing", async () => {
    const user = await subscriber();
    const sub = stripe.state.subscriptions.get(user.subscription);
    sub.periodStart = sub.periodEnd;
    sub.periodEnd += 30 * 86400;
    const paid = stripe.paidInvoice(sub, "subscription_cycle");
    const event = stripe.buildEvent("invoice.paid", paid.invoice);
    const [refused] = await stripe.deliver({ ...event, livemode: true });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, "livemode_mismatch");
    assert.equal(await balance(worker, user.session), 410);
    assert.equal(await row("SELECT id FROM stripe_events WHERE id = ?", event.id), null);
    const [applied] = await stripe.deliver(event);
    assert.equal(applied.status, 200);
    assert.equal(await balance(worker, user.session), 810);
  });

  test("Stripe's rate limit at checkout asks to try again shortly (429 with Retry-After), not to contact support", async () => {
    const user = await newPerson(worker, { label: "hurried" });
    stripe.state.failNext = "error429";
    const { response, body } = await startCheckout(worker, user.session, "pack_100");
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers.get("retry-after")) > 0);
    assert.equal(body.error.code, "stripe_busy");
    assert.match(body.error.message, /try again/);
    assert.doesNotMatch(body.error.message, /support/);
  });

  test("the same pack bought three times in one minute opens a new checkout each time (the first made the account a customer)", async () => {
    const user = await newPerson(worker, { label: "twice" });
    const first = await buy(worker, user.session, "pack_100");
    // The second form names the customer the first purchase created: a reused Idempotency-Key would be refused.
    const { response, body } = await startCheckout(worker, user.session, "pack_100");
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.notEqual(body.id, first.id);
    const pay = await fetch(`${body.url}/pay`, { method: "POST", redirect: "manual" });
    assert.equal(pay.status, 303);
    assert.equal(await balance(worker, user.session), 210);
    // A third time, with the same form as the second (the account is a customer now): the paid second session is
    // not replayed.
    const third = await startCheckout(worker, user.session, "pack_100");
    assert.equal(third.response.status, 200, JSON.stringify(third.body));
    assert.ok(![first.id, body.id].includes(third.body.id));
    assert.equal((await fetch(`${third.body.url}/pay`, { method: "POST", redirect: "manual" })).status, 303);
    assert.equal(await balance(worker, user.session), 310);
    // A double click still gets the one open session.
    const again = await startCheckout(worker, user.session, "pack_500");
    const click = await startCheckout(worker, user.session, "pack_500");
    assert.equal(click.body.id, again.body.id);
  });
});
