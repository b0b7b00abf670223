//! Billing operations against the Stripe stand-in: packs, subscriptions and their life (renewal, cancellation at
// period end or at once, in the portal or at Stripe), refunds and disputes. Every event the stand-in sends goes
// through the simulator's delivery scheduler. PRORATION_OPS: plan changes mid-period, cancellations at once with a
// proration credit and resubscriptions paid from the customer's balance, invoices paid by several payments.
import { startCheckout } from "../../tests/support/billing-flow.mjs";
import { TEST_SECRETS } from "../../tests/support/env.mjs";
import { originalFetch } from "../intercept.mjs";
import { ensureAccount } from "./accounts.mjs";
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

/** The subscription plans of the catalogue (the simulator's Worker has two, so plans can change mid-period). */
export function subscriptionPlans(world) {
  return [...stripeOf(world).prices.values()].filter((p) => p.plan.kind === "subscription").map((p) => p.plan);
}

async function pay(url) {
  const response = await originalFetch(`${url}/pay`, { method: "POST", redirect: "manual", signal: AbortSignal.timeout(20_000) });
  await response.arrayBuffer();
  return response.status;
}

/** Opens a checkout and pays it (or leaves it open, to be paid later: maybe after the account's deletion began). */
async function checkout(world, actor, plan, params) {
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

export const billingOps = {
  buy_pack: {
    weight: 7,
    run: (world, actor, params) => checkout(world, actor, params[0] % 3 === 0 ? "pack_500" : "pack_100", params),
  },
  subscribe: {
    weight: 4,
    // Mostly the smaller plan (so an upgrade has somewhere to go), sometimes the bigger one.
    run(world, actor, params) {
      const plans = subscriptionPlans(world).sort((a, b) => a.credits - b.credits);
      return checkout(world, actor, plans[params[2] % 4 === 0 ? plans.length - 1 : 0].id, params);
    },
  },
  pay_open_checkout: {
    weight: 2,
    async run(world, actor, params) {
      const open = actor.checkouts;
      if (!open.length) return "none_open";
      const [chosen] = open.splice(params[0] % open.length, 1);
      const deletedMeanwhile = world.deleted.some((d) => d.accountId === chosen.accountId);
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
      return refundCharge(world, charge, params[1] % 2 === 0, params[2]);
    },
  },
  dispute: {
    weight: 2,
    async run(world, actor, params) {
      const charges = chargesOf(world, actor).filter((c) => !c.disputed && c.amountRefunded < c.amount);
      if (!charges.length) return "no_charge";
      const charge = charges[params[0] % charges.length];
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

/** Refunds a charge at the stand-in, in full or a share (10–59 %) of what is left; counted as a fault. */
async function refundCharge(world, charge, full, draw) {
  const left = charge.amount - charge.amountRefunded;
  const amount = full ? left : Math.max(1, Math.floor(left * (10 + (draw % 50)) / 100));
  world.stats.fault(full ? "refund_full" : "refund_partial");
  await stripeOf(world).refund(charge.paymentIntent, amount);
  return full ? "full" : "partial";
}

/** Closes a dispute at the stand-in; its `charge.dispute.closed` may overtake the creation in the scheduler. */
async function closeDispute(world, dispute, status) {
  await stripeOf(world).closeDispute(dispute.id, status);
}

/**
 * A live subscription of the actor's current account to change or renew: one it has, or else a new Pro one bought
 * through the Worker's checkout now (so these operations act whenever a checkout can be paid).
 */
async function liveSubscription(world, actor, params, filter = () => true) {
  const mine = () => subscriptionsOf(world, actor).filter((s) => live(s) && filter(s) && s.metadata?.account_id === actor.account?.id);
  if (!actor.account || actor.account.deleted || !mine().length) {
    const plans = subscriptionPlans(world).sort((a, b) => a.credits - b.credits);
    await checkout(world, actor, plans[0].id, [params[9], 1]);
  }
  const subs = mine();
  return subs.length ? subs[params[0] % subs.length] : null;
}

/** A moment inside the subscription's current period (seconds), from 5 % to 95 % of the way through. */
function during(sub, draw) {
  return Math.round(sub.periodStart + ((sub.periodEnd - sub.periodStart) * (5 + (draw % 91))) / 100);
}

/** What the next invoice of `sub` asks the card for, once the customer's credit balance has paid its share. */
function amountDue(world, sub) {
  const balance = stripeOf(world).state.customers.get(sub.customer)?.balance ?? 0;
  const total = sub.price.unit_amount ?? 0;
  return total - Math.min(total, Math.max(-balance, 0));
}

/**
 * Plan changes mid-period (proration invoices), cancellations at once with a proration credit on the customer's
 * balance and resubscriptions paid from it, and invoices paid by several payments, through the stand-in's own
 * `changePlan`, `cancelNow`, `subscribeAgain` and `renew({ split })`.
 */
export const PRORATION_OPS = {
  change_plan: {
    weight: 2,
    // Up or down to the other plan at a random moment of the period: `subscription_update` with its prorations.
    async run(world, actor, params) {
      const sub = await liveSubscription(world, actor, params);
      if (!sub) return "no_subscription";
      const others = subscriptionPlans(world).filter((p) => p.stripe_price_id !== sub.price.id);
      if (!others.length) return "no_other_plan";
      const to = others[params[1] % others.length];
      const up = to.price_cents > (sub.price.unit_amount ?? 0);
      world.stats.fault(up ? "plan_upgrade_mid_period" : "plan_downgrade_mid_period");
      const change = await stripeOf(world).changePlan(sub.id, to.stripe_price_id, { at: during(sub, params[2]) });
      if (up && change.invoice.amount_paid < change.invoice.total) world.stats.fault("customer_balance_payment");
      return up ? "upgraded" : "downgraded";
    },
  },
  cancel_now: {
    weight: 2,
    // Cancelled at once with the unused time credited to the customer's balance; sometimes resubscribed at once
    // (the new invoice paid from that balance first). A later `subscribe` checkout is paid from it too.
    async run(world, actor, params) {
      const sub = await liveSubscription(world, actor, params);
      if (!sub) return "no_subscription";
      const stripe = stripeOf(world);
      await stripe.cancelNow(sub.id, { at: during(sub, params[1]) });
      world.stats.fault("cancel_at_once_with_proration");
      if (params[2] % 2 === 0) return "cancelled";
      const plans = subscriptionPlans(world);
      const plan = plans[params[3] % plans.length];
      const again = await stripe.subscribeAgain(sub.customer, plan.stripe_price_id, { ...sub.metadata, plan_id: plan.id });
      world.stats.fault("customer_balance_payment");
      return again.invoice.amount_paid === 0 ? "resubscribed_from_balance" : "resubscribed_partly_from_balance";
    },
  },
  split_renewal: {
    weight: 2,
    // A new period's invoice paid by two or three payments; sometimes one of them is refunded at once.
    async run(world, actor, params) {
      const sub = await liveSubscription(world, actor, params, (s) => !s.cancelAtPeriodEnd);
      if (!sub) return "no_subscription";
      const due = amountDue(world, sub);
      if (due < 3) return "paid_from_balance";
      const first = 1 + (params[1] % (due - 2));
      const rest = due - first;
      const split = params[2] % 2 === 0 ? [first, rest] : [first, Math.ceil(rest / 2), Math.floor(rest / 2)];
      const renewal = await stripeOf(world).renew(sub.id, { split });
      world.stats.fault("multi_payment_invoice");
      if (params[3] % 2 === 0) return "renewed_split";
      const charge = stripeOf(world).state.charges.get(renewal.paymentIntents[params[4] % renewal.paymentIntents.length]);
      return `renewed_split_refund_${await refundCharge(world, charge, params[5] % 2 === 0, params[6])}`;
    },
  },
};
