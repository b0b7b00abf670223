// Benchmark request bodies shared by the load generator, the probe and the profiler.
import crypto from "node:crypto";
import { signPayload } from "../tests/support/fakes/stripe.mjs";
import * as objects from "../tests/support/fakes/stripe-objects.mjs";
import { checkoutSession } from "../tests/support/fakes/stripe-payments.mjs";
import { invoicePaid, checkoutSessionCompleted } from "../tests/support/fakes/stripe-events.mjs";

const price = objects.price({ id: "price_pro_monthly", product: "prod_pro_monthly", amount: 1900, currency: "usd", interval: "month", created: 1_790_000_000 });

/**
 * A fresh `invoice.paid` event as Stripe POSTs it at the pinned API version (the full invoice object from the
 * type-checked builder, so the Worker parses a real-sized body), signed with the webhook secret.
 */
export function signedInvoiceEvent(account, secret) {
  const id = crypto.randomBytes(12).toString("hex");
  const now = Math.floor(Date.now() / 1000);
  const invoice = objects.invoice({
    id: `in_bench_${id}`, lineId: `il_bench_${id}`, customer: "cus_bench", subscription: "sub_bench", subscriptionItem: "si_bench",
    subscriptionMetadata: { account_id: account, plan_id: "pro_monthly" }, price, status: "paid", created: now,
    periodStart: now, periodEnd: now + 30 * 86400, billingReason: "subscription_cycle", attempts: 1,
  });
  const event = JSON.stringify(invoicePaid(invoice, { id: `evt_bench_${id}`, created: now }));
  return { body: event, headers: { "content-type": "application/json", "stripe-signature": signPayload(event, secret) } };
}

/** The floor takes the ids it writes as headers rather than parsing the event: its cost is reading the body. */
export const floorEventHeaders = (account) => ({ "x-event-id": `evt_floor_${crypto.randomBytes(8).toString("hex")}`, "x-account-id": account });

/** A completed, paid Checkout Session for the 100-credit pack (the typed builder: a real-sized object). */
function packSession(account, id, now) {
  return checkoutSession({
    id: `cs_bench_${id}`, mode: "payment", status: "complete", paymentStatus: "paid", url: null,
    successUrl: "https://gptimg.test/billing?done=1", cancelUrl: "https://gptimg.test/billing", clientReferenceId: account,
    metadata: { account_id: account, plan_id: "pack_100" }, customer: "cus_bench", customerEmail: "bench@gptimg.test",
    amount: 900, currency: "usd", paymentIntent: `pi_bench_${id}`, subscription: null, invoice: null, created: now,
  });
}

/** `checkout.session.completed` for a pack: a new grant unless `id` names one already delivered. */
export function checkoutEvent(account, id = crypto.randomBytes(12).toString("hex")) {
  const now = Math.floor(Date.now() / 1000);
  return checkoutSessionCompleted(packSession(account, id, now), { id: `evt_bench_cs_${id}`, created: now });
}

/** An event type neither Worker acts on (`checkout.session.expired`), with the same session object inside. */
export function ignoredEvent(account) {
  const event = checkoutEvent(account);
  return { ...event, id: `${event.id}_x`, type: "checkout.session.expired" };
}

/** An event as Stripe POSTs it: the JSON body and a fresh signature (a redelivery is signed anew). */
export function signed(event, secret) {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  return { body, headers: { "content-type": "application/json", "stripe-signature": signPayload(body, secret) } };
}
