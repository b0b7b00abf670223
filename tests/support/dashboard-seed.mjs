// A known data set for the operator dashboard, written straight into D1, and what the dashboard must say about it
// computed here in JavaScript from the same rows (independently of the Worker's SQL). Days are UTC; rows are
// spread over today, recent days, the edges of the 30- and 90-day windows, older days and tomorrow.
export const DAY = 86_400_000;
export const MODELS = ["gpt-image-1", "nano-banana-2", "seedream-v4.5"];
const CODES = ["apipod_timeout", "content_policy", "upstream_error", null];
// Days before today (negative: tomorrow).
const GENERATION_DAYS = [0, 1, 2, 6, 29, 30, 45, 89, 90, 120, -1];
const STATUS_CYCLE = ["succeeded", "succeeded", "refunded", "running", "succeeded", "failed", "queued", "succeeded", "refunded"];

async function insertAll(db, table, rows) {
  if (!rows.length) return;
  const statements = rows.map((row) => {
    const names = Object.keys(row);
    return db.prepare(`INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).bind(...Object.values(row));
  });
  for (let i = 0; i < statements.length; i += 50) await db.batch(statements.slice(i, i + 50));
}

const account = (id, extra = {}) => ({
  id, google_sub: `sub-${id}`, email: `${id}@dash.test`, name: id, credits: 1000, created_at: 1, updated_at: 1, last_sign_in_at: 1, ...extra,
});

/** Writes the data set relative to `now` and returns its rows. */
export async function seedDashboard(db, now) {
  const today = Math.floor(now / DAY);
  const dayStart = (ago) => (today - ago) * DAY;
  // Well-formed ids (26 characters of the id alphabet), as the admin console's other lists parse them.
  const id = (prefix, n) => `${prefix}_dash${String(n).padStart(22, "0")}`;
  const owner = id("acc", 1);
  const accounts = [
    account(owner),
    account(id("acc", 2), { deletion_started_at: now - 50 * 60_000, deletion_attempts: 1 }),
    account(id("acc", 3), { deletion_started_at: now - 3 * DAY, deletion_problem: "stripe_refused_400" }),
    account(id("acc", 4), { deletion_started_at: now - 2 * DAY, deletion_attempts: 5 }),
    account(id("acc", 5), { deletion_started_at: now - 9 * DAY, deleted_at: now - 8 * DAY }),
  ];
  const generations = [];
  const ledger = [];
  let n = 0;
  for (const ago of GENERATION_DAYS) {
    const count = 6 + (Math.abs(ago) % 5);
    for (let i = 0; i < count; i++) {
      n += 1;
      const outcome = STATUS_CYCLE[(n + i) % STATUS_CYCLE.length];
      const status = outcome === "refunded" ? "failed" : outcome;
      const created = dayStart(ago) + 3_600_000 * (1 + (i % 20)) + i * 1000;
      const seconds = ((n * 7) % 50) + 1;
      const finished = ["succeeded", "failed"].includes(status) ? created + seconds * 1000 + (n % 1000) : null;
      const generationId = id("gen", n);
      const cost = 1 + (n % 4);
      generations.push({
        id: generationId, account_id: owner, prompt: `dashboard ${n}`, model_id: MODELS[n % MODELS.length], apipod_model: "x", aspect_ratio: "1:1", cost, status,
        failure_code: status === "failed" ? CODES[n % CODES.length] : null, deadline_at: created + 600_000, created_at: created,
        updated_at: finished ?? created, finished_at: finished,
      });
      ledger.push({ id: `led_dd${n}`, account_id: owner, kind: "generation_debit", source_id: generationId, amount: -cost, balance_after: 1000, description: "d", created_at: created });
      // A refund is written when the generation ends: possibly the next day.
      if (outcome === "refunded") {
        ledger.push({ id: `led_dr${n}`, account_id: owner, kind: "generation_refund", source_id: generationId, amount: cost, balance_after: 1000, description: "r", created_at: finished + 23 * 3_600_000 });
      }
    }
  }
  const credit = (kind, ago, amount, k) => ({ id: `led_dc${kind}${k}`, account_id: owner, kind, source_id: `${kind}-${k}`, amount, balance_after: 1000, description: "c", created_at: dayStart(ago) + 5_000 + k });
  ledger.push(
    credit("pack_purchase", 0, 100, 1), credit("pack_purchase", 0, 500, 2), credit("subscription_credits", 3, 400, 3),
    credit("pack_purchase", 29, 100, 4), credit("pack_purchase", 30, 100, 5), credit("subscription_credits", 89, 400, 6),
    credit("pack_purchase", 90, 100, 7), credit("signup_grant", 1, 10, 8), credit("reclaim", 2, -50, 9), credit("admin_adjustment", 2, 25, 10),
  );
  const payment = (k, ago, currency, amount_cents, status, amount_reversed_cents = 0) => ({
    id: `pay_dash${k}`, account_id: owner, plan_id: "pack_100", kind: "pack", cause_id: `cs_dash${k}`, amount_cents, currency,
    credits_granted: 100, amount_reversed_cents, status, created_at: dayStart(ago) + 60_000 * k, updated_at: dayStart(ago) + 60_000 * k,
  });
  const payments = [
    payment(1, 0, "usd", 900, "paid"), payment(2, 0, "usd", 1900, "partially_refunded", 500), payment(3, 0, "eur", 850, "paid"),
    payment(4, 3, "usd", 900, "failed"), payment(5, 3, "usd", 900, "refunded", 900), payment(6, 29, "eur", 1700, "disputed", 1700),
    payment(7, 31, "usd", 4900, "paid"), payment(8, 60, "eur", 900, "dispute_won", 900), payment(9, 95, "usd", 900, "paid"),
  ];
  const problem = (k, reason, resolved) => ({
    event_id: `evt_dashproblem${k}`, event_type: "invoice.paid", reason, facts: "{}", first_seen_at: now - k * 3_600_000, last_seen_at: now,
    resolved_at: resolved ? now : null, resolution: resolved ? "dismissed" : null,
  });
  const problems = [problem(1, "unknown_plan", false), problem(2, "unknown_account", false), problem(3, "unknown_plan", true)];
  const event = (k, type, outcome) => ({ id: `evt_dash${k}`, type, created: 1, outcome, first_received_at: now - k * 60_000, last_received_at: now });
  const events = [event(1, "invoice.paid", "needs_attention"), event(2, "invoice.paid", "needs_attention"), event(3, "checkout.session.completed", "needs_attention"), event(4, "invoice.paid", "granted")];
  const r2 = [1, 2, 3].map((k) => ({ r2_key: `images/gone/${k}.png`, created_at: now - k * 1000 }));

  await insertAll(db, "accounts", accounts);
  await insertAll(db, "generations", generations);
  await insertAll(db, "credit_ledger", ledger);
  await insertAll(db, "payments", payments);
  await insertAll(db, "billing_problems", problems);
  await insertAll(db, "stripe_events", events);
  await insertAll(db, "r2_deletions", r2);
  return { accounts, generations, ledger, payments, problems, events, r2 };
}

const sum = (rows, f) => rows.reduce((total, row) => total + f(row), 0);
const minOrNull = (values) => (values.length ? Math.min(...values) : null);
const byKeys = (...keys) => (a, b) => {
  for (const k of keys) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
};

/** Nearest-rank percentile of plain numbers. */
function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1];
}

/** What `GET /api/admin/dashboard?days=` must answer for the data set (all but `generated_at`). */
export function expectedDashboard(data, days, now) {
  const today = Math.floor(now / DAY);
  const first = today - days + 1;
  const dayOf = (ms) => Math.floor(ms / DAY);
  const inWindow = (ms) => dayOf(ms) >= first && dayOf(ms) <= today;
  const dayList = Array.from({ length: days }, (_, i) => first + i);
  const iso = (day) => new Date(day * DAY).toISOString().slice(0, 10);

  const paid = data.payments.filter((p) => p.status !== "failed" && inWindow(p.created_at));
  const currencies = [...new Set(paid.map((p) => p.currency))].sort();
  const revenue = dayList.flatMap((day) => currencies.map((currency) => {
    const rows = paid.filter((p) => p.currency === currency && dayOf(p.created_at) === day);
    const gross = sum(rows, (p) => p.amount_cents);
    const reversed = sum(rows, (p) => p.amount_reversed_cents);
    return { day: iso(day), currency, payments: rows.length, gross_cents: gross, reversed_cents: reversed, net_cents: gross - reversed };
  }));

  const credits = dayList.map((day) => {
    const rows = data.ledger.filter((l) => dayOf(l.created_at) === day);
    const of = (...kinds) => sum(rows.filter((l) => kinds.includes(l.kind)), (l) => l.amount);
    const charged = 0 - of("generation_debit") || 0;
    const refunded = of("generation_refund");
    return { day: iso(day), sold: of("pack_purchase", "subscription_credits"), charged, refunded, spent: charged - refunded };
  });

  const refundedIds = new Set(data.ledger.filter((l) => l.kind === "generation_refund").map((l) => l.source_id));
  const gens = data.generations.filter((g) => inWindow(g.created_at));
  const generations = dayList.map((day) => {
    const rows = gens.filter((g) => dayOf(g.created_at) === day);
    const failed = rows.filter((g) => g.status === "failed");
    const refunded = failed.filter((g) => refundedIds.has(g.id)).length;
    return {
      day: iso(day), succeeded: rows.filter((g) => g.status === "succeeded").length, refunded, failed: failed.length - refunded,
      in_progress: rows.filter((g) => ["queued", "running"].includes(g.status)).length, total: rows.length,
    };
  });

  const models = [...new Set(gens.map((g) => g.model_id))].sort().map((model) => {
    const rows = gens.filter((g) => g.model_id === model);
    const succeeded = rows.filter((g) => g.status === "succeeded");
    const failed = rows.filter((g) => g.status === "failed").length;
    const finished = succeeded.length + failed;
    const seconds = succeeded.map((g) => Math.max(0, Math.trunc((g.finished_at - g.created_at) / 1000)));
    return {
      model, generations: rows.length, succeeded: succeeded.length, failed, in_progress: rows.length - finished,
      failure_rate_per_mille: finished ? Math.floor((failed * 1000 + Math.floor(finished / 2)) / finished) : null, p50_seconds: percentile(seconds, 50), p95_seconds: percentile(seconds, 95),
    };
  });

  const failedInWindow = gens.filter((g) => g.status === "failed");
  const codes = [...new Set(failedInWindow.map((g) => g.failure_code ?? "unknown"))];
  const failure_codes = codes.map((kind) => {
    const rows = failedInWindow.filter((g) => (g.failure_code ?? "unknown") === kind);
    return { source: "generations", kind, count: rows.length, oldest_at: minOrNull(rows.map((g) => g.created_at)) };
  }).sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : 1));

  const open = data.problems.filter((p) => p.resolved_at === null);
  const attentionEvents = data.events.filter((e) => e.outcome === "needs_attention");
  const attention = [
    ...[...new Set(open.map((p) => p.reason))].map((kind) => {
      const rows = open.filter((p) => p.reason === kind);
      return { source: "billing_problem", kind, count: rows.length, oldest_at: minOrNull(rows.map((p) => p.first_seen_at)) };
    }),
    ...[...new Set(attentionEvents.map((e) => e.type))].map((kind) => {
      const rows = attentionEvents.filter((e) => e.type === kind);
      return { source: "stripe_event", kind, count: rows.length, oldest_at: minOrNull(rows.map((e) => e.first_received_at)) };
    }),
  ].sort(byKeys("source", "kind"));

  const pending = data.accounts.filter((a) => a.deletion_started_at && !a.deleted_at);
  const stuck = pending.filter((a) => a.deletion_problem || (a.deletion_attempts ?? 0) >= 5);
  const deletions = [
    { source: "accounts", kind: "deletion_pending", count: pending.length, oldest_at: minOrNull(pending.map((a) => a.deletion_started_at)) },
    { source: "accounts", kind: "deletion_stuck", count: stuck.length, oldest_at: minOrNull(stuck.map((a) => a.deletion_started_at)) },
    { source: "r2", kind: "objects_pending_deletion", count: data.r2.length, oldest_at: minOrNull(data.r2.map((r) => r.created_at)) },
  ];

  return { days, from: iso(first), to: iso(today), revenue, credits, generations, models, failure_codes, attention, deletions };
}
