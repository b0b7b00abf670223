// Sample events, one per type GPTImg subscribes to, built by the type-checked builders with fixed ids and times.
// `node tests/contracts/stripe/samples.mjs --write` regenerates events/*.json (which the domain's unit tests
// parse); tests/e2e/stripe-contract.test.mjs fails if the committed files differ from what this builds.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as objects from "../../support/fakes/stripe-objects.mjs";
import * as payments from "../../support/fakes/stripe-payments.mjs";
import * as events from "../../support/fakes/stripe-events.mjs";

export const EVENTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "events");

const T = 1_795_000_000; // 2026-11-18T08:26:40Z
const account = "acc_sample0000000000000000";
const customer = "cus_SampleCustomer01";
const metadata = { account_id: account, plan_id: "pro_monthly" };

/** @returns {Record<string, object>} file name (without .json) → event */
export function sampleEvents() {
  const proPrice = objects.price({ id: "price_pro_monthly", product: "prod_SamplePro0001", amount: 1900, currency: "usd", interval: "month", created: T - 86400 * 90 });
  const sub = (status, extra = {}) => objects.subscription({
    id: "sub_SampleSubscr0001", itemId: "si_SampleItem00001", customer, status, price: proPrice, metadata,
    created: T, periodStart: T, periodEnd: T + 30 * 86400, cancelAtPeriodEnd: false, canceledAt: null,
    latestInvoice: "in_SampleInvoice001", ...extra,
  });
  const invoice = (status, extra = {}) => objects.invoice({
    id: "in_SampleInvoice001", lineId: "il_SampleLine000001", customer, subscription: "sub_SampleSubscr0001",
    subscriptionItem: "si_SampleItem00001", subscriptionMetadata: metadata, price: proPrice, status, created: T,
    periodStart: T, periodEnd: T + 30 * 86400, billingReason: "subscription_create", attempts: 1, ...extra,
  });
  const session = (mode, paymentStatus) => payments.checkoutSession({
    id: mode === "payment" ? "cs_test_SamplePack001" : "cs_test_SampleSubs001", mode, status: "complete",
    paymentStatus, url: null, successUrl: "https://gptimg.example/account?checkout=success&session_id={CHECKOUT_SESSION_ID}",
    cancelUrl: "https://gptimg.example/account?checkout=cancelled", clientReferenceId: account,
    metadata: { account_id: account, plan_id: mode === "payment" ? "pack_100" : "pro_monthly" }, customer,
    customerEmail: "buyer@gptimg.test", amount: mode === "payment" ? 900 : 1900, currency: "usd",
    paymentIntent: mode === "payment" ? "pi_SamplePackPay001" : null,
    subscription: mode === "subscription" ? "sub_SampleSubscr0001" : null,
    invoice: mode === "subscription" ? "in_SampleInvoice001" : null, created: T - 60,
  });
  const charge = payments.charge({ id: "ch_SampleCharge0001", amount: 1900, amountRefunded: 1900, currency: "usd", customer, paymentIntent: "pi_SampleSubsPay001", disputed: false, created: T });
  const dispute = (status) => payments.dispute({ id: "dp_SampleDispute001", charge: "ch_SampleCharge0001", paymentIntent: "pi_SampleSubsPay001", amount: 1900, currency: "usd", status, created: T + 86400 });
  const meta = (n) => ({ id: `evt_Sample${String(n).padStart(14, "0")}`, created: T + n });
  return {
    "checkout.session.completed.payment": events.checkoutSessionCompleted(session("payment", "paid"), meta(1)),
    "checkout.session.completed.subscription": events.checkoutSessionCompleted(session("subscription", "paid"), meta(2)),
    "checkout.session.async_payment_succeeded": events.checkoutSessionAsyncPaymentSucceeded(session("payment", "paid"), meta(3)),
    "checkout.session.async_payment_failed": events.checkoutSessionAsyncPaymentFailed(session("payment", "unpaid"), meta(4)),
    "invoice.paid": events.invoicePaid(invoice("paid"), meta(5)),
    "invoice.payment_failed": events.invoicePaymentFailed(invoice("open", { attempts: 2 }), meta(6)),
    "invoice_payment.paid": events.invoicePaymentPaid(objects.invoicePayment({ id: "inpay_SamplePayment01", invoice: "in_SampleInvoice001", paymentIntent: "pi_SampleSubsPay001", amount: 1900, currency: "usd", created: T }), meta(7)),
    "customer.subscription.created": events.subscriptionCreated(sub("active"), meta(8)),
    "customer.subscription.updated": events.subscriptionUpdated(sub("active", { cancelAtPeriodEnd: true }), meta(9)),
    "customer.subscription.deleted": events.subscriptionDeleted(sub("canceled", { canceledAt: T + 100 }), meta(10)),
    "charge.refunded": events.chargeRefunded(charge, meta(11)),
    "charge.dispute.created": events.chargeDisputeCreated(dispute("needs_response"), meta(12)),
    "charge.dispute.closed.lost": events.chargeDisputeClosed(dispute("lost"), meta(13)),
    "charge.dispute.closed.won": events.chargeDisputeClosed(dispute("won"), meta(14)),
  };
}

export const serialise = (event) => `${JSON.stringify(event, null, 2)}\n`;

if (process.argv[2] === "--write") {
  fs.mkdirSync(EVENTS_DIR, { recursive: true });
  for (const [name, event] of Object.entries(sampleEvents())) fs.writeFileSync(path.join(EVENTS_DIR, `${name}.json`), serialise(event));
  console.log(`wrote ${Object.keys(sampleEvents()).length} events to ${EVENTS_DIR}`);
}
