//! The seven invariants of the issue, each a small function over a read-only snapshot (D1 and R2 as the Worker
// left them, the Stripe stand-in's own objects, the delivery scheduler's record and the Worker's log lines).
// Each returns a list of violations `{ invariant, what, evidence }`; an empty list means it holds.
import { TEST_SECRETS } from "../tests/support/env.mjs";

/** Ledger kinds that move credits because money moved (grants, plan changes, reversals, restores). */
export const MONEY_KINDS = ["pack_purchase", "subscription_credits", "plan_change", "plan_credit", "reclaim", "dispute_won"];
/** Ledger kinds that grant (or, for a credited-back plan change, take back) credits for a paid Stripe object. */
const GRANT_KINDS = ["pack_purchase", "subscription_credits", "plan_change", "plan_credit"];
/** A dispute that ended with the money back with us (`DisputeClosed::money_kept`). */
const WON = ["won", "warning_closed", "prevented"];

/** A query's rows; retried, because Miniflare's proxy now and then refuses a synchronous call mid-stream. */
async function rows(db, sql, ...binds) {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await db.prepare(sql).bind(...binds).all()).results;
    } catch (error) {
      if (attempt >= 4 || !/ERR_ASSERTION|false == true/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}
const violation = (invariant, what, evidence) => ({ invariant, what, evidence });

/** Credits to take back for a reversal, as the money rule defines it (the refunded share, rounded up). */
export function reclaimTarget(granted, amount, reversed) {
  if (amount <= 0 || reversed >= amount) return granted;
  return Math.min(granted, Math.ceil((granted * Math.max(reversed, 0)) / amount));
}

/**
 * 1. Every balance (`credits - credit_debt`) equals the sum of its ledger, and so does every entry's
 * (`balance_after - debt_after`, in the order the entries were written); a negative balance exists only as a
 * recorded debt (`credit_debt`, `debt_after`; credits never below zero) that an open `account_in_debt` billing
 * problem shows the operator; no generation was admitted beyond the balance.
 */
export async function balancesMatchLedger({ db }) {
  const out = [];
  const accounts = await rows(db, "SELECT a.id, a.credits, a.credit_debt, a.credits - a.credit_debt AS balance, COALESCE((SELECT SUM(l.amount) FROM credit_ledger l WHERE l.account_id = a.id), 0) AS ledger, a.deletion_started_at FROM accounts a");
  for (const a of accounts) {
    if (a.balance !== a.ledger) out.push(violation(1, "balance differs from the sum of its ledger", { account: a.id, credits: a.credits, credit_debt: a.credit_debt, balance: a.balance, ledger: a.ledger }));
    if (a.credits < 0 || a.credit_debt < 0) out.push(violation(1, "negative balance with no recorded debt", { account: a.id, credits: a.credits, credit_debt: a.credit_debt }));
  }
  // The ledger's rowid is the order its entries were written (one writer; entries are never deleted).
  const entries = await rows(db, "SELECT rowid AS seq, id, account_id, kind, source_id, amount, balance_after, debt_after, created_at FROM credit_ledger ORDER BY account_id, rowid");
  const running = new Map();
  const broken = new Set();
  for (const e of entries) {
    const sum = (running.get(e.account_id) ?? 0) + e.amount;
    running.set(e.account_id, sum);
    const recorded = e.balance_after - e.debt_after;
    if (e.balance_after < 0 || e.debt_after < 0) out.push(violation(1, "negative balance with no recorded debt", { entry: e }));
    if (recorded !== sum && !broken.has(e.account_id)) {
      broken.add(e.account_id); // the first break per account; the rest of its entries follow from it
      const before = entries.filter((x) => x.account_id === e.account_id && x.seq < e.seq).slice(-3);
      out.push(violation(1, "a ledger entry's balance differs from the sum of the ledger up to it", { account: e.account_id, entry: e, ledger_sum: sum, recorded_balance: recorded, entries_before: before }));
    }
    if (e.kind === "generation_debit" && recorded < 0) out.push(violation(1, "a generation was admitted beyond the balance (or into a debt)", { entry: e }));
  }
  const problems = await rows(db, "SELECT event_id, json_extract(facts, '$.account_id') AS account_id FROM billing_problems WHERE reason = 'account_in_debt' AND resolved_at IS NULL");
  const shown = new Set(problems.map((p) => p.account_id));
  for (const a of accounts.filter((a) => a.credit_debt > 0 && !shown.has(a.id))) {
    const last = entries.filter((e) => e.account_id === a.id).slice(-3);
    out.push(violation(1, "a debt that no open billing problem shows", { account: a.id, credits: a.credits, credit_debt: a.credit_debt, deletion_started: a.deletion_started_at !== null, last_entries: last }));
  }
  return out;
}

/** Whether an invoice of this `billing_reason` pays a new period (`billing::pays_a_period`). */
export function paysAPeriod(reason) {
  return reason == null || ["subscription_create", "subscription_cycle", "subscription"].includes(reason);
}

/**
 * Credits an invoice's proration lines are worth, as `billing::plan_change_credits` defines them: each line moves
 * its plan's credits by the share of the plan's price it charges (rounded down) or credits back (rounded up);
 * a charged change tops up at most the difference between the plans, a credit takes back at most a period.
 * `lines` are `{ credits, price_cents, amount }`.
 */
export function planChangeCredits(lines) {
  let [total, to, from] = [0, 0, 0];
  for (const { credits, price_cents: priceCents, amount } of lines) {
    const price = Math.max(priceCents, 1);
    const share = credits * Math.abs(amount);
    if (amount >= 0) {
      total += Math.min(Math.floor(share / price), credits);
      to = Math.max(to, credits);
    } else {
      total -= Math.min(Math.ceil(share / price), credits);
      from = Math.max(from, credits);
    }
  }
  return total > 0 ? Math.min(total, Math.max(to - from, 0)) : Math.max(total, -from);
}

const isProration = (line) => Boolean(line.parent?.subscription_item_details?.proration);

/**
 * What the stand-in's objects paid for: one entry per paid Checkout Session (pack) or paid invoice, with the
 * credits the money rules give it — `period` (a pack's credits, or a period's if this invoice pays one),
 * `change` (an invoice's proration lines), `granted` (what its reversals are measured against) — its payment
 * amount and its charges with their disputes. `claims` maps a period key to the invoice that claimed it in D1.
 */
export function paidCauses(stripe, claims = new Map()) {
  const { state, prices } = stripe;
  const causes = [];
  const disputeOf = (pi) => [...state.disputes.values()].find((d) => d.payment_intent === pi) ?? null;
  const chargeOf = (pi) => {
    const charge = state.charges.get(pi);
    return charge && { charge, dispute: disputeOf(pi) };
  };
  for (const session of state.sessions.values()) {
    if (session.mode !== "payment" || session.status !== "complete" || session.payment_status !== "paid") continue;
    const plan = prices.get(state.sessionExtras.get(session.id)?.price)?.plan;
    const credits = plan?.credits ?? 0;
    causes.push({
      kind: "pack_purchase", cause: session.id, accountId: session.metadata?.account_id, period: credits, change: 0, granted: credits,
      paymentAmount: session.amount_total ?? 0, charges: [chargeOf(session.payment_intent)].filter(Boolean),
    });
  }
  // A period is paid once: the first of its invoices to arrive claims it (in D1); before any did, the first listed.
  const periods = new Map();
  for (const { invoice } of state.invoices.values()) {
    const key = periodKey(invoice);
    if (invoice.status === "paid" && paysAPeriod(invoice.billing_reason) && !periods.has(key)) periods.set(key, claims.get(key) ?? invoice.id);
  }
  for (const { invoice, invoicePayments } of state.invoices.values()) {
    if (invoice.status !== "paid") continue;
    const lines = invoice.lines.data;
    const periodLine = lines.find((l) => !isProration(l));
    const named = periodLine ?? [...lines].sort((a, b) => b.amount - a.amount)[0];
    const plan = prices.get(named?.pricing.price_details.price)?.plan;
    const key = periodKey(invoice);
    const period = paysAPeriod(invoice.billing_reason) && periods.get(key) === invoice.id ? plan?.credits ?? 0 : 0;
    const change = planChangeCredits(lines.filter(isProration).map((l) => ({ credits: 0, price_cents: 1, ...prices.get(l.pricing.price_details.price)?.plan, amount: l.amount })));
    const details = invoice.parent.subscription_details;
    causes.push({
      kind: "subscription_credits", cause: invoice.id, accountId: details.metadata?.account_id, reason: invoice.billing_reason,
      subscription: details.subscription, periodKey: key, planCredits: plan?.credits ?? 0, period, change,
      granted: period + Math.max(change, 0), paymentAmount: invoice.amount_paid,
      charges: invoicePayments.map((p) => chargeOf(p.payment.payment_intent)).filter(Boolean),
    });
  }
  return causes;
}

/** `billing::PeriodGrant::key`: `subscription:period_end` of the invoice's period line, else the invoice id. */
function periodKey(invoice) {
  const line = invoice.lines.data.find((l) => !isProration(l));
  const subscription = invoice.parent?.subscription_details?.subscription;
  return subscription && line ? `${subscription}:${line.period.end}` : invoice.id;
}

/**
 * What a cause's reversals take back in the end, once every event is applied in whatever order: for each of its
 * charges, the refunded share and (while a dispute is open or lost) the disputed share of what it granted, each
 * measured against the charge or the whole payment, whichever is larger — never more than it granted.
 */
export function reclaimed({ granted, paymentAmount, charges }) {
  let taken = 0;
  for (const { charge, dispute } of charges) {
    const amount = Math.max(charge.amount, paymentAmount);
    if (charge.amountRefunded > 0) taken += reclaimTarget(granted, amount, charge.amountRefunded);
    if (dispute && !WON.includes(dispute.status)) taken += reclaimTarget(granted, amount, dispute.amount);
  }
  return Math.min(taken, granted);
}

/** The credits a cause should leave with its account once its plan change, refunds and disputes are applied. */
export function netCredits(cause) {
  return cause.period + cause.change - reclaimed(cause);
}

/** 2. Credits granted for money equal what Stripe's objects paid for, each payment and period exactly once. */
export async function creditsMatchPayments({ db, stripe }) {
  const out = [];
  const claims = new Map((await rows(db, "SELECT period_key, invoice_id FROM subscription_periods")).map((c) => [c.period_key, c.invoice_id]));
  const causes = paidCauses(stripe, claims);
  const byCause = new Map(causes.map((c) => [c.cause, c]));
  const list = (kinds) => kinds.map(() => "?").join(", ");
  const grants = await rows(db, `SELECT account_id, kind, source_id, amount FROM credit_ledger WHERE kind IN (${list(GRANT_KINDS)})`, ...GRANT_KINDS);
  const accounts = new Map((await rows(db, "SELECT id, deletion_started_at FROM accounts")).map((a) => [a.id, a]));
  const live = (id) => accounts.has(id) && accounts.get(id).deletion_started_at === null;
  for (const g of grants) {
    const cause = byCause.get(g.source_id);
    if (!cause) out.push(violation(2, "credits granted for no paid Stripe object", g));
    else if (cause.accountId !== g.account_id) out.push(violation(2, "credits granted to another account than the payer", { grant: g, payer: cause.accountId }));
  }
  // Each subscription period is paid for once: one grant per (subscription, period), of one plan's credits.
  const periods = new Map();
  for (const g of grants.filter((g) => g.kind === "subscription_credits")) {
    const cause = byCause.get(g.source_id);
    if (!cause) continue;
    const p = periods.get(cause.periodKey) ?? { period: cause.periodKey, granted: 0, most: 0, invoices: [] };
    p.granted += g.amount;
    p.most = Math.max(p.most, cause.planCredits);
    p.invoices.push({ invoice: cause.cause, reason: cause.reason, credits: g.amount });
    periods.set(cause.periodKey, p);
  }
  for (const p of periods.values()) if (p.invoices.length > 1 || p.granted > p.most) out.push(violation(2, "one subscription period granted more than once", p));
  const granted = new Map(grants.map((g) => [`${g.kind}:${g.source_id}`, g]));
  const problems = await rows(db, "SELECT event_id, event_type, reason, facts FROM billing_problems WHERE resolved_at IS NULL");
  for (const c of causes) {
    if (!live(c.accountId)) continue;
    const expected = c.kind === "pack_purchase" ? [["pack_purchase", c.period]]
      : [["subscription_credits", c.period], ["plan_change", Math.max(c.change, 0)], ["plan_credit", Math.min(c.change, 0)]];
    for (const [kind, credits] of expected) {
      const g = granted.get(`${kind}:${c.cause}`);
      if (credits !== 0 && !g) {
        out.push(violation(2, "a paid Stripe object granted no credits", { cause: c.cause, kind, credits, reason: c.reason, account: c.accountId, open_problems: problems.filter((p) => p.facts.includes(c.cause)) }));
      } else if (g && g.amount !== credits) {
        out.push(violation(2, "credits granted differ from what was paid for", { cause: c.cause, kind, reason: c.reason, granted: g.amount, paid_for: credits }));
      }
    }
  }
  // Net per live account: grants and plan changes less reversals plus restores, against what the money left standing.
  const money = await rows(db, `SELECT account_id, SUM(amount) AS net FROM credit_ledger WHERE kind IN (${list(MONEY_KINDS)}) GROUP BY account_id`, ...MONEY_KINDS);
  const actual = new Map(money.map((m) => [m.account_id, m.net]));
  const expected = new Map();
  for (const c of causes) if (live(c.accountId)) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + netCredits(c));
  for (const id of new Set([...expected.keys(), ...[...actual.keys()].filter(live)])) {
    const want = expected.get(id) ?? 0;
    const got = actual.get(id) ?? 0;
    if (want !== got) {
      const detail = causes.filter((c) => c.accountId === id).map((c) => ({
        cause: c.cause, reason: c.reason ?? null, period: c.period, change: c.change, granted: c.granted, paid: c.paymentAmount, net_expected: netCredits(c),
        charges: c.charges.map(({ charge, dispute }) => ({ pi: charge.paymentIntent, amount: charge.amount, refunded: charge.amountRefunded, dispute: dispute?.status ?? null })),
      }));
      const ledger = await rows(db, `SELECT kind, source_id, amount, balance_after, debt_after FROM credit_ledger WHERE account_id = ? AND kind IN (${list(MONEY_KINDS)}) ORDER BY rowid`, id, ...MONEY_KINDS);
      out.push(violation(2, "credits left from payments differ from what Stripe's money left standing", { account: id, expected: want, ledger_net: got, payments: detail, ledger }));
    }
  }
  return out;
}

/** 3. Every charged generation ends succeeded with its images (and previews) in R2, or failed and refunded once. */
export async function generationsSettled({ db, objects, now, warped }) {
  const out = [];
  const gens = await rows(db, "SELECT id, account_id, status, cost, deadline_at, failure_code FROM generations");
  const ledger = await rows(db, "SELECT source_id, kind, COUNT(*) AS n, SUM(amount) AS total FROM credit_ledger WHERE kind IN ('generation_debit', 'generation_refund') GROUP BY source_id, kind");
  const entry = (id, kind) => ledger.find((l) => l.source_id === id && l.kind === kind);
  const images = await rows(db, "SELECT generation_id, id, r2_key, medium_key, preview_key, renditions_due_at FROM generation_images");
  for (const g of gens) {
    const debit = entry(g.id, "generation_debit");
    const refund = entry(g.id, "generation_refund");
    const mine = images.filter((i) => i.generation_id === g.id);
    if (!debit || debit.total !== -g.cost) out.push(violation(3, "generation not charged exactly its cost", { generation: g, debit }));
    if (["queued", "running"].includes(g.status)) {
      if (g.deadline_at <= now) out.push(violation(3, "generation unsettled past its deadline", g));
      else if (warped) out.push(violation(3, "generation still unsettled after the drain", g));
      continue;
    }
    if (g.status === "succeeded") {
      if (refund) out.push(violation(3, "succeeded generation was refunded", { generation: g, refund }));
      if (mine.length !== 1) out.push(violation(3, "succeeded generation without exactly the one image paid for", { generation: g, images: mine.length }));
      for (const image of mine) {
        for (const field of ["r2_key", "medium_key", "preview_key"]) {
          if (!image[field]) out.push(violation(3, `succeeded image has no ${field.replace("_key", "")}`, { generation: g.id, image: image.id, renditions_due_at: image.renditions_due_at }));
          else if (!objects.has(image[field])) out.push(violation(3, `succeeded image's ${field} is not in R2`, { generation: g.id, key: image[field] }));
        }
      }
    } else if (!refund || refund.n !== 1 || refund.total !== g.cost) {
      out.push(violation(3, "failed generation not refunded exactly once", { generation: g, refund }));
    } else if (mine.length) {
      out.push(violation(3, "failed generation keeps images", { generation: g.id, images: mine.length }));
    }
  }
  // Rows deleted since (by their owner or with the account): the ledger alone must still be sane.
  const known = new Set(gens.map((g) => g.id));
  for (const refund of ledger.filter((l) => l.kind === "generation_refund" && !known.has(l.source_id))) {
    const debit = entry(refund.source_id, "generation_debit");
    if (!debit || refund.n !== 1 || refund.total > -debit.total) out.push(violation(3, "refund of a deleted generation exceeds its charge", { refund, debit }));
  }
  return out;
}

/** 4. After the cleanup to-do drains, no R2 object without its row and no row without its object. */
export async function storageMatchesRows({ db, objects }) {
  const out = [];
  const todo = await rows(db, "SELECT r2_key, created_at FROM r2_deletions");
  if (todo.length) out.push(violation(4, "the R2 deletion to-do did not drain", { left: todo.length, keys: todo.slice(0, 5) }));
  const pending = new Set(todo.map((t) => t.r2_key));
  const named = new Map();
  for (const u of await rows(db, "SELECT id, r2_key FROM uploads")) named.set(u.r2_key, `upload ${u.id}`);
  for (const i of await rows(db, "SELECT id, r2_key, medium_key, preview_key FROM generation_images")) {
    for (const key of [i.r2_key, i.medium_key, i.preview_key]) if (key) named.set(key, `image ${i.id}`);
  }
  for (const key of objects.keys()) {
    if (!named.has(key) && !pending.has(key)) out.push(violation(4, "R2 object without a row", { key, size: objects.get(key).size, uploaded: objects.get(key).uploaded }));
  }
  for (const [key, owner] of named) if (!objects.has(key)) out.push(violation(4, "row without its R2 object", { key, owner }));
  return out;
}

/** 5. A deleted account leaves no personal data in D1 or R2, no live session or key, no active subscription at Stripe. */
export async function deletedAccountsGone({ db, objects, stripe, world, probe }) {
  const out = [];
  const deleted = await rows(db, "SELECT id, email, name, picture_url, google_sub, stripe_customer_id, deletion_started_at, deleted_at, deletion_problem, deletion_attempts FROM accounts WHERE deletion_started_at IS NOT NULL");
  const tables = (await rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'")).map((t) => t.name);
  for (const a of deleted) {
    const where = { account: a.id };
    if (a.deleted_at === null) out.push(violation(5, "deletion never finished", { ...where, problem: a.deletion_problem, attempts: a.deletion_attempts }));
    if (a.email !== "" || a.name !== "Deleted account" || a.picture_url !== null || !a.google_sub.startsWith("deleted:")) {
      out.push(violation(5, "personal fields kept on the account row", { ...where, email_kept: a.email !== "", name: a.name }));
    }
    for (const table of ["sessions", "api_keys", "generations", "uploads", "idempotency_keys", "support_messages", "generation_images"]) {
      const [{ n }] = await rows(db, `SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`, a.id);
      if (n) out.push(violation(5, `rows left in ${table}`, { ...where, rows: n }));
    }
    const left = [...objects.keys()].filter((k) => k.startsWith(`uploads/${a.id}/`) || k.startsWith(`generations/${a.id}/`));
    if (left.length) out.push(violation(5, "R2 objects left under the account's prefixes", { ...where, objects: left.slice(0, 5), count: left.length }));
    const subs = [...stripe.state.subscriptions.values()].filter((s) => s.metadata?.account_id === a.id || (a.stripe_customer_id && s.customer === a.stripe_customer_id));
    for (const s of subs.filter((s) => s.status !== "canceled")) {
      out.push(violation(5, "subscription still active at Stripe", { ...where, subscription: s.id, status: s.status, created: s.created, deletion_started_at: Math.floor(a.deletion_started_at / 1000) }));
    }
    // The account's prompts (unique nonces) must be nowhere in D1.
    const nonces = [...world.prompts.entries()].filter(([, p]) => p.accountId === a.id).map(([nonce]) => nonce);
    if (nonces.length) {
      for (const table of tables) {
        let all;
        try {
          all = await rows(db, `SELECT * FROM ${table}`);
        } catch {
          continue;
        }
        const hits = all.filter((r) => nonces.some((n) => JSON.stringify(r).includes(n)));
        if (hits.length) out.push(violation(5, `the account's prompts are still in ${table}`, { ...where, rows: hits.length }));
      }
    }
  }
  // The credentials the deleted accounts had are refused.
  for (const d of world.deleted) {
    for (const [kind, path, headers] of [["session", "/api/me", { cookie: `gptimg_session=${d.session}` }], ["key", "/api/generations", d.key && { authorization: `Bearer ${d.key}` }]]) {
      if (!headers) continue;
      const status = await probe(path, headers);
      if (status < 400) out.push(violation(5, `a deleted account's ${kind} still works`, { account: d.accountId, status }));
    }
  }
  return out;
}

/** 6. Every Stripe event is either applied or listed as a billing problem, never silently dropped. */
export async function eventsAccounted({ db, scheduler }) {
  const out = [];
  const recorded = new Map((await rows(db, "SELECT id, outcome, deliveries FROM stripe_events")).map((e) => [e.id, e]));
  const problems = new Map((await rows(db, "SELECT event_id, reason, resolved_at, resolution FROM billing_problems")).map((p) => [p.event_id, p]));
  for (const [id, r] of scheduler.events) {
    const ok = r.lastStatus >= 200 && r.lastStatus < 300;
    const row = recorded.get(id);
    const problem = problems.get(id);
    const evidence = { event: id, type: r.event.type, attempts: r.attempts.length, last: r.attempts.at(-1), outcome: row?.outcome ?? null, problem: problem ?? null };
    if (!r.attempts.length) out.push(violation(6, "event never delivered", evidence));
    else if (ok && !row) out.push(violation(6, "event acknowledged but not recorded", evidence));
    else if (!ok && !(problem && problem.resolved_at === null)) out.push(violation(6, "event refused but not listed as a billing problem", evidence));
    else if (row?.outcome === "needs_attention" && !problem) out.push(violation(6, "event needs attention but no billing problem lists it", evidence));
  }
  return out;
}

/** 7. No log line carries a secret, an email or a prompt. */
export async function logsClean({ logs, world }) {
  const out = [];
  const needles = [
    ...Object.entries(TEST_SECRETS).map(([name, value]) => ({ kind: `a secret (${name})`, value })),
    ...[...world.secrets].map((value) => ({ kind: value.startsWith("gptimg_") ? "an API key" : "a session token", value })),
    ...[...world.emails].map((value) => ({ kind: "an email", value })),
    ...[...world.prompts.keys()].map((value) => ({ kind: "a prompt", value })),
  ];
  for (const line of logs) {
    for (const needle of needles) {
      if (needle.value && line.includes(needle.value)) {
        out.push(violation(7, `a log line carries ${needle.kind}`, { line: line.split(needle.value).join("«…»").slice(0, 400) }));
      }
    }
  }
  return out;
}

export const INVARIANTS = [balancesMatchLedger, creditsMatchPayments, generationsSettled, storageMatchesRows, deletedAccountsGone, eventsAccounted, logsClean];

/** Every R2 object by key (the whole bucket, page by page). */
export async function listObjects(bucket) {
  const objects = new Map();
  let cursor;
  do {
    const page = await bucket.list({ cursor, limit: 1000 });
    for (const o of page.objects) objects.set(o.key, { size: o.size, uploaded: o.uploaded });
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects;
}

/** Runs all seven; a checker that throws is itself reported. */
export async function checkAll(snapshot) {
  const out = [];
  for (const check of INVARIANTS) {
    try {
      out.push(...await check(snapshot));
    } catch (error) {
      out.push(violation(INVARIANTS.indexOf(check) + 1, `checker ${check.name} failed`, { error: String(error?.stack ?? error) }));
    }
  }
  return out;
}
