//! Billing operations against the Stripe stand-in: packs, subscriptions and their life (renewal, cancellation at
// period end or at once, in the portal or at Stripe), refunds and disputes. Every event the stand-in sends goes
// through the simulator's delivery scheduler. PRORATION_OPS is the pluggable slot for plan changes mid-period,
// customer-balance payments and multi-payment invoices: an entry with `run: null` waits for the stand-in's builders.
import { startCheckout } from "../../tests/support/billing-flow.mjs";
import { TEST_SECRETS } from "../../tests/support/env.mjs";
import { originalFetch } from "../intercept.mjs";
import { ensureAccount, exclusive } from "./accounts.mjs";
import { jsonOf } from "../world.mjs";

const stripeOf = (world) => world.worker.fakes.stripe;

/** The stand-in's subscriptions that any of the actor's accounts bought. */
export function subscriptionsOf(world, actor) {
  const ids = world.accountIds(actor);
  return [...stripeOf(world).state.subscriptions.values()].filter((s) => ids.includes(s.metadata?.account_id));
}

/** Customers of the actor's accounts, as the stand-in's Checkout Sessions recorded them. */
export function customersOf(world, actor) {
  const ids = world.accountIds(actor);
  const customers = new Set();
  for (const session of stripeOf(world).state.sessions.values()) {
    if (session.customer && ids.includes(session.metadata?.account_id)) customers.add(session.customer);
  }
  return customers;
}

/** The actor's succeeded charges (pack payments and paid invoices). */
export function chargesOf(world, actor) {
  const customers = customersOf(world, actor);
  return [...stripeOf(world).state.charges.values()].filter((c) => customers.has(c.customer));
}

/** How many credits a charge bought (its pack or subscription plan), from the stand-in's own records. */
export function creditsOfCharge(world, charge) {
  const stripe = stripeOf(world);
  for (const session of stripe.state.sessions.values()) {
    if (session.payment_intent === charge.paymentIntent) {
      const price = stripe.state.sessionExtras.get(session.id)?.price;
      return stripe.prices.get(price)?.plan.credits ?? 0;
    }
  }
  for (const { invoice, invoicePayment } of stripe.state.invoices.values()) {
    if (invoicePayment.payment.payment_intent === charge.paymentIntent) {
      return stripe.prices.get(invoice.lines.data[0].pricing.price_details.price)?.plan.credits ?? 0;
    }
  }
  return 0;
}

async function pay(url) {
  const response = await originalFetch(`${url}/pay`, { method: "POST", redirect: "manual", signal: AbortSignal.timeout(20_000) });
  await response.arrayBuffer();
  return response.status;
}

/** Opens a checkout and pays it (or leaves it open); never during the actor's deletion while that race is gated. */
function checkout(world, actor, plan, params) {
  return exclusive(world, actor, "payment_after_deletion", () => checkoutNow(world, actor, plan, params));
}

async function checkoutNow(world, actor, plan, params) {
  await ensureAccount(world, actor);
  const { response, body } = await startCheckout(world.worker, actor.account.session, plan);
  if (response.status !== 200) return `checkout_${response.status}`;
  // Some checkouts stay open for a while (paid later: maybe after the account's deletion began).
  if (params[1] % 5 === 0) {
    actor.checkouts.push({ url: body.url, id: body.id, plan, accountId: actor.account.id });
    return "left_open";
  }
  return `paid_${await pay(body.url)}`;
}

const live = (s) => s.status !== "canceled";

/** Gate for reversals while the debt hole is open: only a charge whose credits the account still holds. */
async function reversalAllowed(world, actor, charge) {
  if (world.allowed("reversal_after_spend")) return true;
  if (!actor.account || actor.account.deleted) return false;
  const me = await jsonOf(await world.worker.fetch("/api/me", { headers: world.headers(actor) }));
  return typeof me?.credits === "number" && me.credits >= 2 * creditsOfCharge(world, charge);
}

export const billingOps = {
  buy_pack: {
    weight: 7,
    run: (world, actor, params) => checkout(world, actor, params[0] % 3 === 0 ? "pack_500" : "pack_100", params),
  },
  subscribe: {
    weight: 4,
    run: (world, actor, params) => checkout(world, actor, "pro_monthly", params),
  },
  pay_open_checkout: {
    weight: 2,
    async run(world, actor, params) {
      const open = actor.checkouts;
      if (!open.length) return "none_open";
      const [chosen] = open.splice(params[0] % open.length, 1);
      const deletedMeanwhile = world.deleted.some((d) => d.accountId === chosen.accountId);
      if (deletedMeanwhile && !world.allowed("payment_after_deletion")) {
        world.stats.skip("pay_open_checkout", "payment_after_deletion");
        return "gated";
      }
      if (deletedMeanwhile) world.stats.fault("payment_after_deletion");
      return `paid_${await pay(chosen.url)}${deletedMeanwhile ? "_after_deletion" : ""}`;
    },
  },
  renew: {
    weight: 4,
    async run(world, actor, params) {
      const subs = subscriptionsOf(world, actor).filter(live);
      if (!subs.length) return "no_subscription";
      const sub = subs[params[0] % subs.length];
      // The period ends: a subscription set to cancel at its end is cancelled instead of renewed.
      if (sub.cancelAtPeriodEnd) {
        await stripeOf(world).cancel(sub.id);
        return "ended_at_period_end";
      }
      await stripeOf(world).renew(sub.id);
      return "renewed";
    },
  },
  cancel_at_period_end: {
    weight: 2,
    async run(world, actor, params) {
      const subs = subscriptionsOf(world, actor).filter((s) => live(s) && !s.cancelAtPeriodEnd);
      if (!subs.length) return "no_subscription";
      const sub = subs[params[0] % subs.length];
      sub.cancelAtPeriodEnd = true;
      const stripe = stripeOf(world);
      await stripe.deliver(stripe.buildEvent("customer.subscription.updated", stripe.subscriptionObject(sub.id)));
      return "set";
    },
  },
  cancel_in_portal: {
    weight: 2,
    async run(world, actor, params) {
      const subs = subscriptionsOf(world, actor).filter(live);
      if (!subs.length || !actor.account || actor.account.deleted) return "no_subscription";
      const response = await world.worker.fetch("/api/billing/portal", { method: "POST", headers: world.headers(actor, { json: true }), body: "{}" });
      const body = await jsonOf(response);
      if (response.status !== 200) return `portal_${response.status}`;
      const sub = subs[params[0] % subs.length];
      const cancelled = await originalFetch(`${body.url}/cancel/${sub.id}`, { method: "POST", redirect: "manual", signal: AbortSignal.timeout(20_000) });
      await cancelled.arrayBuffer();
      return `cancelled_${cancelled.status}`;
    },
  },
  cancel_at_stripe: {
    weight: 2,
    async run(world, actor, params) {
      const subs = subscriptionsOf(world, actor).filter(live);
      if (!subs.length) return "no_subscription";
      const sub = subs[params[0] % subs.length];
      const response = await originalFetch(`${world.worker.fakes.url}/stripe/v1/subscriptions/${sub.id}`, {
        method: "DELETE", headers: { authorization: `Bearer ${TEST_SECRETS.STRIPE_SECRET_KEY}` }, signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return `deleted_${response.status}`;
    },
  },
  refund: {
    weight: 3,
    async run(world, actor, params) {
      const charges = chargesOf(world, actor).filter((c) => !c.disputed && c.amountRefunded < c.amount);
      if (!charges.length) return "no_charge";
      const charge = charges[params[0] % charges.length];
      if (!await reversalAllowed(world, actor, charge)) {
        world.stats.skip("refund", "reversal_after_spend");
        return "gated";
      }
      const left = charge.amount - charge.amountRefunded;
      const full = params[1] % 2 === 0;
      const amount = full ? left : Math.max(1, Math.floor(left * (10 + (params[2] % 50)) / 100));
      world.stats.fault(full ? "refund_full" : "refund_partial");
      await stripeOf(world).refund(charge.paymentIntent, amount);
      return full ? "full" : "partial";
    },
  },
  dispute: {
    weight: 2,
    async run(world, actor, params) {
      const charges = chargesOf(world, actor).filter((c) => !c.disputed && c.amountRefunded < c.amount);
      if (!charges.length) return "no_charge";
      const charge = charges[params[0] % charges.length];
      if (!await reversalAllowed(world, actor, charge)) {
        world.stats.skip("dispute", "reversal_after_spend");
        return "gated";
      }
      const stripe = stripeOf(world);
      await stripe.dispute(charge.paymentIntent);
      world.stats.fault("dispute_created");
      // Sometimes closed at once: both events are then in the scheduler together, in either order.
      if (params[1] % 3 === 0) {
        const dispute = [...stripe.state.disputes.values()].find((d) => d.payment_intent === charge.paymentIntent);
        const status = params[2] % 2 === 0 ? "won" : "lost";
        world.stats.fault(`dispute_${status}`);
        await closeDispute(world, dispute, status);
        return `created_and_${status}`;
      }
      return "created";
    },
  },
  close_dispute: {
    weight: 2,
    async run(world, actor, params) {
      const intents = new Set(chargesOf(world, actor).map((c) => c.paymentIntent));
      const open = [...stripeOf(world).state.disputes.values()].filter((d) => intents.has(d.payment_intent) && !["won", "lost"].includes(d.status));
      if (!open.length) return "no_dispute";
      const status = params[1] % 2 === 0 ? "won" : "lost";
      world.stats.fault(`dispute_${status}`);
      await closeDispute(world, open[params[0] % open.length], status);
      return status;
    },
  },
};

/**
 * Closes a dispute at the stand-in. While the close-before-create hole is open, a close must not overtake its
 * creation: the creation is released first (delivered now) and only then the close is handed to the scheduler.
 */
async function closeDispute(world, dispute, status) {
  if (!world.allowed("dispute_closed_first")) await world.scheduler.releaseNow((event) => event.type === "charge.dispute.created" && event.data.object.id === dispute.id);
  await stripeOf(world).closeDispute(dispute.id, status);
}

/**
 * Plan changes mid-period, customer-balance payments, invoices paid by several payments: the slot the billing
 * stand-in's new builders fill. `run: null` entries are listed (and counted as skipped) until implemented.
 */
export const PRORATION_OPS = {
  proration_invoice: {
    weight: 2,
    hole: "proration_invoice",
    // A second invoice in the same period with billing_reason subscription_update, as a plan change makes.
    async run(world, actor, params) {
      const subs = subscriptionsOf(world, actor).filter(live);
      if (!subs.length) return "no_subscription";
      const stripe = stripeOf(world);
      const sub = subs[params[0] % subs.length];
      const paid = stripe.paidInvoice(sub, "subscription_update");
      await stripe.deliver(stripe.buildEvent("customer.subscription.updated", stripe.subscriptionObject(sub.id)));
      await stripe.deliver(stripe.buildEvent("invoice.paid", paid.invoice));
      await stripe.deliver(stripe.buildEvent("invoice_payment.paid", paid.invoicePayment));
      return "invoiced";
    },
  },
  // Waiting for the stand-in: a cancellation at once that leaves a proration credit on the customer's balance,
  // then a resubscription paid from that balance (amount_paid 0, no PaymentIntent).
  customer_balance_payment: { weight: 2, hole: "proration_invoice", run: null },
  // Waiting for the stand-in: one invoice paid by two PaymentIntents (two invoice_payment.paid), then a refund of one.
  multi_payment_invoice: { weight: 2, run: null },
};
