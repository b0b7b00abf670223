// The comparison Worker for the benchmark (issue 15): the Stripe webhook as a user would write it in plain JS
// instead of using GPTImg — verified with the official `stripe` SDK, a paid pack checkout granted in ONE D1 batch
// with the same tables and ledger rules (ledger UNIQUE (kind, source_id), balance moved only by this batch's new
// ledger row, the payment and the event record in the same batch), every other event type answered 200 with no
// write. A measuring instrument, not product code: bench/run.mjs bundles it (esbuild) and runs it beside ours.
import Stripe from "stripe";

const cryptoProvider = Stripe.createSubtleCryptoProvider();
let stripe;
let plans;

const GRANT = [
  "INSERT INTO stripe_events (id, type, created, outcome, first_received_at, last_received_at) VALUES (?1, ?2, ?3, 'credits_granted', ?4, ?4) ON CONFLICT (id) DO UPDATE SET deliveries = deliveries + 1, last_received_at = excluded.last_received_at",
  "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at) SELECT ?1, id, 'pack_purchase', ?2, ?3, credits + ?3, ?4, ?5 FROM accounts WHERE id = ?6 ON CONFLICT (kind, source_id) DO NOTHING",
  "UPDATE accounts SET credits = credits + (SELECT amount FROM credit_ledger WHERE id = ?1) WHERE id = (SELECT account_id FROM credit_ledger WHERE id = ?1)",
  "INSERT INTO payments (id, account_id, plan_id, kind, cause_id, stripe_payment_intent_id, amount_cents, currency, credits_granted, status, created_at, updated_at) SELECT ?1, account_id, ?2, 'pack', ?3, ?4, ?5, ?6, amount, 'paid', ?7, ?7 FROM credit_ledger WHERE id = ?8 ON CONFLICT (cause_id) DO NOTHING",
];

export default {
  async fetch(request, env) {
    const pathname = request.method === "POST" ? new URL(request.url).pathname : "";
    // Lower bounds, not a webhook: answering at once, and the same grant without verifying the signature. No
    // Worker in any language that must verify the signature and write these rows can do less than the latter.
    if (pathname === "/bound/refuse") return new Response("refused", { status: 400 });
    const verify = pathname === "/webhooks/stripe";
    if (!verify && pathname !== "/bound/unverified") return new Response("Not found", { status: 404 });
    stripe ??= new Stripe(env.STRIPE_SECRET_KEY);
    plans ??= new Map(JSON.parse(env.PLANS).map((plan) => [plan.id, plan]));
    const body = await request.text();
    let event;
    try {
      event = verify
        ? await stripe.webhooks.constructEventAsync(body, request.headers.get("stripe-signature"), env.STRIPE_WEBHOOK_SECRET, undefined, cryptoProvider)
        : JSON.parse(body);
    } catch (error) {
      return new Response(`Webhook Error: ${error.message}`, { status: 400 });
    }
    if (event.type === "checkout.session.completed") {
      const session = event.data.object;
      const plan = plans.get(session.metadata?.plan_id);
      const account = session.metadata?.account_id ?? session.client_reference_id;
      if (session.mode === "payment" && session.payment_status === "paid" && plan?.kind === "pack" && account) {
        const now = Date.now();
        const entry = `led_${crypto.randomUUID()}`;
        const [record, ledger, balance, payment] = GRANT.map((sql) => env.DB.prepare(sql));
        await env.DB.batch([
          record.bind(event.id, event.type, event.created, now),
          ledger.bind(entry, session.id, plan.credits, `${plan.name} purchase`, now, account),
          balance.bind(entry),
          payment.bind(`pay_${crypto.randomUUID()}`, plan.id, session.id, session.payment_intent, session.amount_total, session.currency, now, entry),
        ]);
      }
    }
    return Response.json({ received: true });
  },
};
