// Benchmark request bodies shared by the load generator and the probe.
import crypto from "node:crypto";
import { signPayload } from "../tests/support/fakes/stripe.mjs";

/** A fresh `invoice.paid` event as Stripe would POST it, signed with the webhook secret. */
export function signedInvoiceEvent(account, secret) {
  const id = crypto.randomBytes(12).toString("hex");
  const event = JSON.stringify({
    id: `evt_bench_${id}`, object: "event", type: "invoice.paid", created: Math.floor(Date.now() / 1000),
    data: { object: { id: `in_bench_${id}`, customer: "cus_bench", subscription: "sub_bench", amount_paid: 1900, currency: "usd",
      payment_intent: `pi_bench_${id}`, subscription_details: { metadata: { account_id: account } }, lines: { data: [{ price: { id: "price_pro_monthly" } }] } } },
  });
  return { body: event, headers: { "content-type": "application/json", "stripe-signature": signPayload(event, secret) } };
}

/** The floor takes the ids it writes as headers rather than parsing the event: its cost is reading the body. */
export const floorEventHeaders = (account) => ({ "x-event-id": `evt_floor_${crypto.randomBytes(8).toString("hex")}`, "x-account-id": account });
