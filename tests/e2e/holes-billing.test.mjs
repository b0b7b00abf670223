// End-to-end: the billing, outbound-call and edge holes of issue 13, one test per hole, each named after it and
// asserting the money and data state (ledger, balance, payments, stripe_events, support rows) and what the
// stand-ins received.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useWorker, late, ROOT } from "../support/worker.mjs";
import { signIn, asUser, count } from "../support/google-flow.mjs";
import { newPerson } from "../support/people.mjs";
import { buy, startCheckout, balance } from "../support/billing-flow.mjs";
import * as payments from "../support/fakes/stripe-payments.mjs";

const worker = useWorker({ before, after });
const stripe = late(() => worker.fakes.stripe);

const newUser = () => newPerson(worker, { label: "hole" });

const paymentRow = (cause) => worker.db.prepare(
  "SELECT status, amount_reversed_cents, credits_granted, credits_reclaimed FROM payments WHERE cause_id = ?",
).bind(cause).first();

async function ledger(accountId, kind) {
  const { results } = await worker.db.prepare(
    "SELECT kind, source_id, amount, balance_after FROM credit_ledger WHERE account_id = ? AND kind = ? ORDER BY created_at, id",
  ).bind(accountId, kind).all();
  return results;
}

async function snapshot() {
  const counts = {};
  for (const table of ["accounts", "sessions", "credit_ledger", "payments", "subscriptions", "stripe_events", "support_messages"]) {
    counts[table] = await count(worker.db, table);
  }
  counts.credits = await worker.db.prepare("SELECT SUM(credits) AS n FROM accounts").first("n");
  return counts;
}

describe("money", () => {
  test("payment history goes backwards: a partial refund delivered after the full one leaves the payment refunded", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    const charge = stripe.state.charges.get(session.payment_intent);
    // Stripe sent the partial refund first, but its delivery is late: it arrives after the full refund's.
    const latePartial = stripe.buildEvent("charge.refunded", payments.charge({ ...charge, amountRefunded: 450 }));
    await stripe.refund(session.payment_intent);
    assert.deepEqual(await paymentRow(session.id), { status: "refunded", amount_reversed_cents: 900, credits_granted: 100, credits_reclaimed: 100 });
    const [late] = await stripe.deliver(latePartial);
    assert.equal(late.status, 200);
    assert.equal(late.body.outcome, "nothing_left_to_reclaim");
    assert.deepEqual(await paymentRow(session.id), { status: "refunded", amount_reversed_cents: 900, credits_granted: 100, credits_reclaimed: 100 });
    // A replay of either changes nothing either.
    await stripe.deliver(latePartial, { times: 2 });
    await stripe.deliver(stripe.state.sentEvents.findLast((e) => e.type === "charge.refunded" && e.data.object.amount_refunded === 900));
    assert.equal((await paymentRow(session.id)).status, "refunded");
    assert.equal(await balance(worker, user.session), 10);
    assert.deepEqual((await ledger(user.id, "reclaim")).map((r) => r.amount), [-100]);
  });

  test("a won dispute never gives credits back: closing it won restores exactly what it took, once", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    // 80 of the 110 credits spent: the dispute takes the whole pack back, 70 of it as a debt.
    await worker.db.prepare("UPDATE accounts SET credits = 30 WHERE id = ?").bind(user.id).run();
    const [created] = await stripe.dispute(session.payment_intent);
    assert.equal(created.body.outcome, "credits_reclaimed");
    assert.equal(await balance(worker, user.session), -70);
    assert.equal((await paymentRow(session.id)).credits_reclaimed, 100);
    const disputeId = stripe.state.sentEvents.at(-1).data.object.id;

    const [won] = await stripe.closeDispute(disputeId, "won");
    const closed = stripe.state.sentEvents.at(-1);
    assert.equal(won.status, 200);
    assert.equal(won.body.outcome, "credits_restored");
    assert.equal(await balance(worker, user.session), 30);
    assert.deepEqual(await ledger(user.id, "dispute_won"), [{ kind: "dispute_won", source_id: disputeId, amount: 100, balance_after: 30 }]);
    assert.deepEqual(await paymentRow(session.id), { status: "dispute_won", amount_reversed_cents: 900, credits_granted: 100, credits_reclaimed: 0 });

    // Replays of the close, and a late replay of the creation, change nothing.
    const replays = await stripe.deliver(closed, { times: 3, concurrent: true });
    assert.deepEqual(replays.map((r) => r.status), [200, 200, 200]);
    await stripe.deliver(stripe.state.sentEvents.findLast((e) => e.type === "charge.dispute.created"));
    assert.equal(await balance(worker, user.session), 30);
    assert.equal((await ledger(user.id, "dispute_won")).length, 1);
    assert.equal((await ledger(user.id, "reclaim")).length, 1);
    assert.equal((await paymentRow(session.id)).status, "dispute_won");
    const event = await worker.db.prepare("SELECT outcome, deliveries FROM stripe_events WHERE id = ?").bind(closed.id).first();
    assert.deepEqual(event, { outcome: "credits_restored", deliveries: 4 });
  });

  test("a won dispute never gives credits back: a lost one changes nothing more", async () => {
    const user = await newUser();
    const session = await buy(worker, user.session, "pack_100");
    await stripe.dispute(session.payment_intent);
    assert.equal(await balance(worker, user.session), 10);
    const disputeId = stripe.state.sentEvents.at(-1).data.object.id;
    const before = await snapshot();
    const [lost] = await stripe.closeDispute(disputeId, "lost");
    assert.equal(lost.status, 200);
    assert.equal(lost.body.outcome, "dispute_lost");
    assert.equal(await balance(worker, user.session), 10);
    assert.deepEqual(await ledger(user.id, "dispute_won"), []);
    assert.deepEqual(await paymentRow(session.id), { status: "disputed", amount_reversed_cents: 900, credits_granted: 100, credits_reclaimed: 100 });
    assert.deepEqual(await snapshot(), { ...before, stripe_events: before.stripe_events + 1 });
  });

  test("Stripe's error text reaches users: a refusal shows our message and the request id, Stripe's words only in the log", async () => {
    const user = await newUser();
    const before = await snapshot();
    stripe.state.failNext = "reject";
    const { response, body } = await startCheckout(worker, user.session, "pack_100");
    assert.equal(response.status, 502);
    assert.equal(body.error.code, "stripe_rejected");
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId);
    assert.equal(body.error.details.request_id, requestId);
    assert.ok(body.error.message.includes(requestId), body.error.message);
    assert.doesNotMatch(JSON.stringify(body), /No such price|price_|sk_|Stripe could not/);
    const logged = worker.jsonLogs().find((l) => l.msg === "stripe_request_failed" && l.request_id === requestId);
    assert.match(logged?.fields?.cause ?? "", /No such price/);
    assert.deepEqual(await snapshot(), before);
  });
});

describe("every outbound call has a timeout", () => {
  test("every outbound call has a timeout: a Stripe checkout that never answers is a 502 stripe_unavailable within 10 s, nothing written", async () => {
    const user = await newUser();
    const before = await snapshot();
    const requests = stripe.state.checkoutRequests.length;
    stripe.state.failNext = "hang";
    const started = Date.now();
    const { response, body } = await startCheckout(worker, user.session, "pack_100");
    const elapsed = Date.now() - started;
    assert.equal(response.status, 502);
    assert.equal(body.error.code, "stripe_unavailable");
    assert.ok(elapsed >= 9_500 && elapsed < 14_000, `answered after ${elapsed} ms`);
    assert.equal(stripe.state.hanging.size, 1, "the stand-in received the call and held it");
    assert.equal(stripe.state.checkoutRequests.length, requests, "no session was created");
    const logged = worker.jsonLogs().find((l) => l.msg === "stripe_request_failed" && l.request_id === response.headers.get("x-request-id"));
    assert.match(logged?.fields?.cause ?? "", /no complete answer within 10000 ms/);
    assert.deepEqual(await snapshot(), before);
  });

  test("every outbound call has a timeout: a Google token endpoint that never answers is a 502 page within 8 s, no account or session", async () => {
    const before = await snapshot();
    const started = Date.now();
    const flow = await signIn(worker, { email: "hang@gptimg.test", scenario: "token_endpoint_hangs" });
    const elapsed = Date.now() - started;
    assert.equal(flow.callback.status, 502);
    assert.match(await flow.callback.text(), /Google is not responding/);
    assert.equal(flow.session, null);
    assert.ok(elapsed >= 7_500 && elapsed < 12_000, `answered after ${elapsed} ms`);
    assert.equal(worker.fakes.google.state.hanging.size, 1);
    assert.deepEqual(await snapshot(), before);
  });
});

describe("retention and edge", () => {
  test("stripe_events grow for ever: the retention sweep prunes records older than 90 days, 500 per run, through its index", async () => {
    const day = 86_400_000;
    const now = Date.now();
    const insert = (id, at) => worker.db.prepare(
      "INSERT INTO stripe_events (id, type, created, outcome, first_received_at, last_received_at) VALUES (?, 'invoice.paid', ?, 'credits_granted', ?, ?)",
    ).bind(id, Math.floor(at / 1000), at, at);
    const old = Array.from({ length: 520 }, (_, i) => insert(`evt_old_${String(i).padStart(4, "0")}`, now - 91 * day - i * 1000));
    await worker.db.batch([...old, insert("evt_recent_89d", now - 89 * day), insert("evt_recent_today", now)]);
    const remaining = () => worker.db.prepare("SELECT COUNT(*) AS n FROM stripe_events WHERE id LIKE 'evt_old_%'").first("n");
    await worker.runCron();
    assert.equal(await remaining(), 20, "one run deletes at most 500");
    await worker.runCron();
    assert.equal(await remaining(), 0);
    const kept = await worker.db.prepare("SELECT id FROM stripe_events WHERE id IN ('evt_recent_89d', 'evt_recent_today') ORDER BY id").all();
    assert.deepEqual(kept.results.map((r) => r.id), ["evt_recent_89d", "evt_recent_today"]);
    const plan = await worker.db.prepare(
      "EXPLAIN QUERY PLAN SELECT id FROM stripe_events WHERE last_received_at < ? ORDER BY last_received_at LIMIT 500",
    ).bind(now).all();
    assert.ok(plan.results.some((r) => /USING (COVERING )?INDEX stripe_events_by_last_received/.test(r.detail)), JSON.stringify(plan.results));
  });

  test("anonymous support has no per-IP limit: new emails from one address get 429 after 10 an hour, nothing stored beyond, the IP never in clear", async () => {
    const send = (ip, email) => worker.fetch("/api/support", {
      method: "POST",
      headers: { origin: worker.url, "content-type": "application/json", "cf-connecting-ip": ip },
      body: JSON.stringify({ email, subject: "Question", message: `From ${email}` }),
    });
    const ip = "198.51.100.77";
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await send(ip, `anon-${i}@example.com`)).status);
    assert.deepEqual(statuses, [...Array(10).fill(201), 429, 429]);
    const limited = await send(ip, "anon-last@example.com");
    assert.equal(limited.status, 429);
    assert.equal((await limited.json()).error.code, "support_rate_limited");
    assert.equal(await count(worker.db, "support_messages", "email LIKE 'anon-%'"), 10);
    assert.equal(await count(worker.db, "support_messages", "email = 'anon-last@example.com'"), 0);
    const { results } = await worker.db.prepare("SELECT DISTINCT sender_ip_hash AS h FROM support_messages WHERE email LIKE 'anon-%'").all();
    assert.equal(results.length, 1);
    assert.match(results[0].h, /^[0-9a-f]{64}$/);
    const dump = JSON.stringify((await worker.db.prepare("SELECT * FROM support_messages").all()).results);
    assert.ok(!dump.includes(ip) && !dump.includes("198.51.100"), "the address is never stored in clear");

    // Another address is not affected; a signed-in sender is limited per account, not per network.
    assert.equal((await send("203.0.113.9", "other@example.com")).status, 201);
    const user = await newUser();
    const signedIn = await worker.fetch("/api/support", {
      method: "POST", headers: asUser(worker, user.session, { "content-type": "application/json", "cf-connecting-ip": ip }),
      body: JSON.stringify({ subject: "Billing", message: "Signed in, same network" }),
    });
    assert.equal(signedIn.status, 201);
    assert.equal(await worker.db.prepare("SELECT sender_ip_hash FROM support_messages WHERE account_id = ?").bind(user.id).first("sender_ip_hash"), null);

    // An hour later the hashes are forgotten (the next message clears them) and the network may write again.
    await worker.db.prepare("UPDATE support_messages SET created_at = created_at - 3600001 WHERE email LIKE 'anon-%'").run();
    assert.equal((await send(ip, "anon-next-hour@example.com")).status, 201);
    assert.equal(await count(worker.db, "support_messages", "email LIKE 'anon-%' AND email != 'anon-next-hour@example.com' AND sender_ip_hash IS NOT NULL"), 0);

    // With no further message, the cron forgets the last hash once its hour is over.
    await worker.db.prepare("UPDATE support_messages SET created_at = created_at - 3600001 WHERE created_at > ?").bind(Date.now() - 3600_000).run();
    assert.ok(await count(worker.db, "support_messages", "sender_ip_hash IS NOT NULL") > 0, "hashes of the past hour are still there");
    await worker.runCron();
    assert.equal(await count(worker.db, "support_messages", "sender_ip_hash IS NOT NULL"), 0);
  });

  test("workers.dev is off: wrangler.toml serves the Worker only on its own domain", () => {
    const toml = fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
    assert.match(toml, /^workers_dev = false$/m);
  });
});
