// @ts-check
// Stripe objects as the pinned API version (the `stripe` devDependency's ApiVersion) renders them. Every
// builder returns a complete object of the official type, and `tsc --noEmit --checkJs` (tsconfig.stripe.json,
// run by tests/e2e/stripe-contract.test.mjs) holds it to that type: a misnamed or missing field fails CI.
// Builders are pure (ids and times come in), so tests/contracts/stripe/events/ can be regenerated and compared.

/** @import { Stripe } from "stripe" */

/** The Stripe API version these shapes belong to; must equal the worker's `STRIPE_API_VERSION`. */
export const API_VERSION = "2026-10-28.endive";

/**
 * A `*_decimal` field: a string on the wire (the SDK's field schema says `decimal_string`), which the SDK's
 * type describes after parsing it into its `Decimal` class.
 * @param {number} n
 * @returns {import("stripe").Stripe.Decimal}
 */
export const decimal = (n) => /** @type {any} */ (String(n));

/**
 * A recurring (`interval` set) or one-time price.
 * @param {{ id: string, product: string, amount: number, currency: string, interval: "month" | null, created: number }} p
 * @returns {Stripe.Price}
 */
export function price({ id, product, amount, currency, interval, created }) {
  return {
    id, object: "price", active: true, billing_scheme: "per_unit", created, currency, custom_unit_amount: null,
    livemode: false, lookup_key: null, metadata: {}, nickname: null, product,
    recurring: interval ? { interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: "licensed" } : null,
    tax_behavior: "unspecified", tiers_mode: null, transform_quantity: null, type: interval ? "recurring" : "one_time",
    unit_amount: amount, unit_amount_decimal: decimal(amount),
  };
}

/**
 * The legacy `plan` mirror a subscription item still carries beside its price.
 * @param {Stripe.Price} p
 * @returns {Stripe.Plan}
 */
function planOf(p) {
  return {
    id: p.id, object: "plan", active: p.active, amount: p.unit_amount, amount_decimal: p.unit_amount_decimal,
    billing_scheme: "per_unit", created: p.created, currency: p.currency, interval: p.recurring?.interval ?? "month",
    interval_count: 1, livemode: false, metadata: {}, meter: null, nickname: null, product: p.product, tiers_mode: null,
    transform_usage: null, trial_period_days: null, usage_type: "licensed",
  };
}

/**
 * A subscription with one item; its period lives on the item only (no `current_period_*` on the subscription).
 * @param {{ id: string, itemId: string, customer: string, status: Stripe.Subscription.Status, price: Stripe.Price,
 *   metadata: Stripe.Metadata, created: number, periodStart: number, periodEnd: number, cancelAtPeriodEnd: boolean,
 *   canceledAt: number | null, latestInvoice: string | null }} s
 * @returns {Stripe.Subscription}
 */
export function subscription(s) {
  /** @type {Stripe.SubscriptionItem} */
  const item = {
    id: s.itemId, object: "subscription_item", billing_thresholds: null, created: s.created,
    current_period_end: s.periodEnd, current_period_start: s.periodStart, current_trial: null, discounts: [],
    metadata: {}, plan: planOf(s.price), price: s.price, quantity: 1, subscription: s.id, tax_rates: [],
  };
  return {
    id: s.id, object: "subscription", application: null, application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null }, billing_cycle_anchor: s.periodStart,
    billing_cycle_anchor_config: null, billing_mode: { flexible: null, type: "classic" }, billing_schedules: [],
    billing_thresholds: null, cancel_at: s.cancelAtPeriodEnd ? s.periodEnd : null, cancel_at_period_end: s.cancelAtPeriodEnd,
    canceled_at: s.canceledAt, cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: s.canceledAt ? "cancellation_requested" : null },
    collection_method: "charge_automatically", created: s.created, currency: s.price.currency, customer: s.customer,
    customer_account: null, days_until_due: null, default_payment_method: null, default_source: null, description: null,
    discounts: [], ended_at: s.status === "canceled" ? s.canceledAt : null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: "self" } },
    items: { object: "list", data: [item], has_more: false, url: `/v1/subscription_items?subscription=${s.id}` },
    latest_invoice: s.latestInvoice, livemode: false, managed_payments: null, metadata: s.metadata,
    next_pending_invoice_item_invoice: null, on_behalf_of: null, pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null, pending_setup_intent: null, pending_update: null, schedule: null,
    start_date: s.created, status: s.status, test_clock: null, transfer_data: null, trial_end: null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: "create_invoice" } }, trial_start: null,
  };
}

/**
 * One invoice line: the subscription's period (`proration: false`) or a proration ("Unused time on A" is negative,
 * "Remaining time on B" positive), under `parent.subscription_item_details` with its `proration` flag.
 * @param {{ id: string, invoice: string, subscription: string, subscriptionItem: string, price: Stripe.Price,
 *   amount: number, proration: boolean, periodStart: number, periodEnd: number }} l
 * @returns {Stripe.InvoiceLineItem}
 */
export function invoiceLine(l) {
  const name = String(l.price.product);
  return {
    id: l.id, object: "line_item", amount: l.amount, currency: l.price.currency,
    description: l.proration ? (l.amount < 0 ? `Unused time on ${name}` : `Remaining time on ${name}`) : "1 × GPTImg subscription",
    discount_amounts: [], discountable: !l.proration, discounts: [], invoice: l.invoice, livemode: false, metadata: {},
    parent: {
      type: "subscription_item_details", invoice_item_details: null,
      subscription_item_details: { invoice_item: null, proration: l.proration, proration_details: { credited_items: null }, subscription: l.subscription, subscription_item: l.subscriptionItem },
    },
    period: { start: l.periodStart, end: l.periodEnd }, pretax_credit_amounts: [],
    pricing: { type: "price_details", price_details: { price: l.price.id, product: name }, unit_amount_decimal: decimal(l.price.unit_amount ?? 0) },
    quantity: 1, quantity_decimal: decimal(1), subscription: l.subscription, subtotal: l.amount, taxes: [],
  };
}

/**
 * A subscription invoice: no `payment_intent`, `charge` or `subscription` at the top; the subscription (and its
 * metadata) under `parent.subscription_details`, the price under `lines.data[].pricing.price_details.price`.
 * Without `lines` it has the one period line of `price`. `amountPaid` (default: all that is due) is what
 * payments paid; the customer's credit balance (`startingBalance`, negative) pays first, and a negative total
 * (a proration credit) goes to the balance (`endingBalance`).
 * @param {{ id: string, lineId: string, customer: string, subscription: string, subscriptionItem: string,
 *   subscriptionMetadata: Stripe.Metadata, price: Stripe.Price, status: "paid" | "open", created: number,
 *   periodStart: number, periodEnd: number, billingReason: Stripe.Invoice.BillingReason, attempts: number,
 *   lines?: Stripe.InvoiceLineItem[], startingBalance?: number }} i
 * @returns {Stripe.Invoice}
 */
export function invoice(i) {
  const lines = i.lines ?? [invoiceLine({ id: i.lineId, invoice: i.id, subscription: i.subscription, subscriptionItem: i.subscriptionItem, price: i.price, amount: i.price.unit_amount ?? 0, proration: false, periodStart: i.periodStart, periodEnd: i.periodEnd })];
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const startingBalance = i.startingBalance ?? 0;
  const fromBalance = total > 0 ? Math.min(total, -startingBalance) : 0;
  const amount = Math.max(total - fromBalance, 0);
  const endingBalance = startingBalance + fromBalance + Math.min(total, 0);
  const paid = i.status === "paid";
  return {
    id: i.id, object: "invoice", account_country: "US", account_name: "GPTImg", account_tax_ids: null,
    amount_due: amount, amount_overpaid: 0, amount_paid: paid ? amount : 0, amount_remaining: paid ? 0 : amount,
    amount_shipping: 0, application: null, attempt_count: i.attempts, attempted: i.attempts > 0,
    auto_advance: !paid, automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null, billing_reason: i.billingReason, collection_method: "charge_automatically",
    created: i.created, currency: i.price.currency, custom_fields: null, customer: i.customer, customer_account: null,
    customer_address: null, customer_email: "buyer@gptimg.test", customer_name: null, customer_phone: null,
    customer_shipping: null, customer_tax_exempt: "none", default_payment_method: null, default_source: null,
    default_tax_rates: [], description: null, discounts: [], due_date: null, effective_at: i.created, ending_balance: endingBalance,
    footer: null, from_invoice: null, issuer: { type: "self" }, last_finalization_error: null, latest_revision: null,
    lines: { object: "list", data: lines, has_more: false, url: `/v1/invoices/${i.id}/lines` }, livemode: false,
    metadata: {}, next_payment_attempt: null, number: `GPT-${i.id.slice(-6).toUpperCase()}`, on_behalf_of: null,
    parent: { type: "subscription_details", quote_details: null, subscription_details: { metadata: i.subscriptionMetadata, subscription: i.subscription } },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: i.periodStart, period_start: i.periodStart, post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0, receipt_number: null, rendering: null, shipping_cost: null, shipping_details: null,
    starting_balance: startingBalance, statement_descriptor: null, status: i.status,
    status_transitions: { finalized_at: i.created, marked_uncollectible_at: null, paid_at: paid ? i.created : null, voided_at: null },
    subtotal: total, subtotal_excluding_tax: total, test_clock: null, total, total_discount_amounts: [],
    total_excluding_tax: total, total_pretax_credit_amounts: [], total_taxes: [], webhooks_delivered_at: i.created,
  };
}

/**
 * The payment of an invoice by a PaymentIntent: what links a refund (which names only the intent) to the invoice.
 * One of several payments of an invoice is not its default one (`is_default: false`).
 * @param {{ id: string, invoice: string, paymentIntent: string, amount: number, currency: string, created: number,
 *   isDefault?: boolean }} p
 * @returns {Stripe.InvoicePayment}
 */
export function invoicePayment(p) {
  return {
    id: p.id, object: "invoice_payment", amount_paid: p.amount, amount_requested: p.amount, created: p.created,
    currency: p.currency, invoice: p.invoice, is_default: p.isDefault ?? true, livemode: false,
    payment: { type: "payment_intent", payment_intent: p.paymentIntent }, status: "paid",
    status_transitions: { canceled_at: null, paid_at: p.created },
  };
}
