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

/** @param {Stripe.Checkout.Session} object @param {Meta} meta @returns {Stripe.CheckoutSessionCompletedEvent} */
export const checkoutSessionCompleted = (object, meta) => ({ ...envelope(meta), type: "checkout.session.completed", data: { object } });

/** @param {Stripe.Checkout.Session} object @param {Meta} meta @returns {Stripe.CheckoutSessionAsyncPaymentSucceededEvent} */
export const checkoutSessionAsyncPaymentSucceeded = (object, meta) => ({ ...envelope(meta), type: "checkout.session.async_payment_succeeded", data: { object } });

/** @param {Stripe.Checkout.Session} object @param {Meta} meta @returns {Stripe.CheckoutSessionAsyncPaymentFailedEvent} */
export const checkoutSessionAsyncPaymentFailed = (object, meta) => ({ ...envelope(meta), type: "checkout.session.async_payment_failed", data: { object } });

/** @param {Stripe.Invoice} object @param {Meta} meta @returns {Stripe.InvoicePaidEvent} */
export const invoicePaid = (object, meta) => ({ ...envelope(meta), type: "invoice.paid", data: { object } });

/** @param {Stripe.Invoice} object @param {Meta} meta @returns {Stripe.InvoicePaymentFailedEvent} */
export const invoicePaymentFailed = (object, meta) => ({ ...envelope(meta), type: "invoice.payment_failed", data: { object } });

/** @param {Stripe.InvoicePayment} object @param {Meta} meta @returns {Stripe.InvoicePaymentPaidEvent} */
export const invoicePaymentPaid = (object, meta) => ({ ...envelope(meta), type: "invoice_payment.paid", data: { object } });

/** @param {Stripe.Subscription} object @param {Meta} meta @returns {Stripe.CustomerSubscriptionCreatedEvent} */
export const subscriptionCreated = (object, meta) => ({ ...envelope(meta), type: "customer.subscription.created", data: { object } });

/** @param {Stripe.Subscription} object @param {Meta} meta @returns {Stripe.CustomerSubscriptionUpdatedEvent} */
export const subscriptionUpdated = (object, meta) => ({ ...envelope(meta), type: "customer.subscription.updated", data: { object } });

/** @param {Stripe.Subscription} object @param {Meta} meta @returns {Stripe.CustomerSubscriptionDeletedEvent} */
export const subscriptionDeleted = (object, meta) => ({ ...envelope(meta), type: "customer.subscription.deleted", data: { object } });

/** @param {Stripe.Charge} object @param {Meta} meta @returns {Stripe.ChargeRefundedEvent} */
export const chargeRefunded = (object, meta) => ({ ...envelope(meta), type: "charge.refunded", data: { object } });

/** @param {Stripe.Dispute} object @param {Meta} meta @returns {Stripe.ChargeDisputeCreatedEvent} */
export const chargeDisputeCreated = (object, meta) => ({ ...envelope(meta), type: "charge.dispute.created", data: { object } });

/** @param {Stripe.Dispute} object @param {Meta} meta @returns {Stripe.ChargeDisputeClosedEvent} */
export const chargeDisputeClosed = (object, meta) => ({ ...envelope(meta), type: "charge.dispute.closed", data: { object } });

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
