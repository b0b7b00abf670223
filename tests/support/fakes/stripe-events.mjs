// @ts-check
// Event envelopes at the pinned API version: one typed builder per event type GPTImg subscribes to, so the
// object inside each event is checked against the type Stripe documents for that event.
import { API_VERSION } from "./stripe-objects.mjs";

/** @import { Stripe } from "stripe" */
/** @typedef {{ id: string, created: number }} Meta */

/**
 * @param {Meta} meta
 * @returns {Omit<Stripe.EventBase, "type" | "data">}
 */
function envelope({ id, created }) {
  return { id, object: "event", api_version: API_VERSION, created, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null } };
}

/**
 * The builder for one event type: its `data.object` must be the type Stripe documents for that event.
 * @template {Stripe.Event["type"]} T
 * @param {T} type
 * @returns {(object: Extract<Stripe.Event, { type: T }>["data"]["object"], meta: Meta) => Extract<Stripe.Event, { type: T }>}
 */
function eventOf(type) {
  return (object, meta) => /** @type {Extract<Stripe.Event, { type: T }>} */ ({ ...envelope(meta), type, data: { object } });
}

export const checkoutSessionCompleted = eventOf("checkout.session.completed");
export const checkoutSessionAsyncPaymentSucceeded = eventOf("checkout.session.async_payment_succeeded");
export const checkoutSessionAsyncPaymentFailed = eventOf("checkout.session.async_payment_failed");
export const invoicePaid = eventOf("invoice.paid");
export const invoicePaymentFailed = eventOf("invoice.payment_failed");
export const invoicePaymentPaid = eventOf("invoice_payment.paid");
export const subscriptionCreated = eventOf("customer.subscription.created");
export const subscriptionUpdated = eventOf("customer.subscription.updated");
export const subscriptionDeleted = eventOf("customer.subscription.deleted");
export const chargeRefunded = eventOf("charge.refunded");
export const chargeDisputeCreated = eventOf("charge.dispute.created");
export const chargeDisputeClosed = eventOf("charge.dispute.closed");

/** Builders by event type, for code that picks the type at run time. */
export const EVENT_BUILDERS = {
  "checkout.session.completed": checkoutSessionCompleted,
  "checkout.session.async_payment_succeeded": checkoutSessionAsyncPaymentSucceeded,
  "checkout.session.async_payment_failed": checkoutSessionAsyncPaymentFailed,
  "invoice.paid": invoicePaid,
  "invoice.payment_failed": invoicePaymentFailed,
  "invoice_payment.paid": invoicePaymentPaid,
  "customer.subscription.created": subscriptionCreated,
  "customer.subscription.updated": subscriptionUpdated,
  "customer.subscription.deleted": subscriptionDeleted,
  "charge.refunded": chargeRefunded,
  "charge.dispute.created": chargeDisputeCreated,
  "charge.dispute.closed": chargeDisputeClosed,
};
