// @ts-check
// Checkout Sessions, charges and disputes at the pinned API version, type-checked like stripe-objects.mjs.
// A charge has no `invoice` field: a refund or dispute names only its `payment_intent`.

/** @import { Stripe } from "stripe" */

/**
 * @param {{ id: string, mode: "payment" | "subscription", status: Stripe.Checkout.Session.Status,
 *   paymentStatus: Stripe.Checkout.Session.PaymentStatus, url: string | null, successUrl: string, cancelUrl: string,
 *   clientReferenceId: string | null, metadata: Stripe.Metadata, customer: string | null, customerEmail: string | null,
 *   amount: number, currency: string, paymentIntent: string | null, subscription: string | null,
 *   invoice: string | null, created: number }} s
 * @returns {Stripe.Checkout.Session}
 */
export function checkoutSession(s) {
  const complete = s.status === "complete";
  return {
    id: s.id, object: "checkout.session", adaptive_pricing: { enabled: false }, after_expiration: null,
    allow_promotion_codes: null, allowed_payment_method_types: null, amount_subtotal: s.amount, amount_total: s.amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null }, billing_address_collection: null,
    cancel_url: s.cancelUrl, client_reference_id: s.clientReferenceId, client_secret: null, collected_information: null,
    consent: null, consent_collection: null, created: s.created, currency: s.currency, currency_conversion: null,
    custom_fields: [], custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: s.customer, customer_account: null, customer_creation: s.customer ? null : "always",
    customer_details: complete ? { address: null, business_name: null, email: s.customerEmail, individual_name: null, name: null, phone: null, tax_exempt: "none", tax_ids: [] } : null,
    customer_email: s.customerEmail, discounts: [], expires_at: s.created + 86400, integration_identifier: null,
    invoice: s.invoice, invoice_creation: s.mode === "payment" ? { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } } : null,
    livemode: false, locale: null, managed_payments: null, metadata: s.metadata, mode: s.mode, origin_context: null,
    payment_intent: s.paymentIntent, payment_link: null, payment_method_collection: "always",
    payment_method_configuration_details: null, payment_method_options: {}, payment_method_types: ["card"],
    payment_status: s.paymentStatus, permissions: null, recovered_from: null, saved_payment_method_options: null,
    setup_intent: null, shipping_address_collection: null, shipping_cost: null, shipping_options: [], status: s.status,
    submit_type: null, subscription: s.subscription, success_url: s.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 }, ui_mode: "hosted", url: complete ? null : s.url,
    wallet_options: null,
  };
}

/**
 * A captured card charge, with `amount_refunded` cumulative over its refunds.
 * @param {{ id: string, amount: number, amountRefunded: number, currency: string, customer: string | null,
 *   paymentIntent: string, disputed: boolean, created: number }} c
 * @returns {Stripe.Charge}
 */
export function charge(c) {
  return {
    id: c.id, object: "charge", amount: c.amount, amount_captured: c.amount, amount_refunded: c.amountRefunded,
    application: null, application_fee: null, application_fee_amount: null, balance_transaction: `txn_${c.id.slice(3)}`,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: "GPTIMG", captured: true, created: c.created, currency: c.currency, customer: c.customer,
    description: null, disputed: c.disputed, failure_balance_transaction: null, failure_code: null, failure_message: null,
    fraud_details: {}, livemode: false, metadata: {}, on_behalf_of: null,
    outcome: { advice_code: null, network_advice_code: null, network_decline_code: null, network_status: "approved_by_network", reason: null, risk_level: "normal", seller_message: "Payment complete.", type: "authorized" },
    paid: true, payment_intent: c.paymentIntent, payment_method: `pm_${c.id.slice(3)}`, payment_method_details: null,
    receipt_email: null, receipt_number: null, receipt_url: null, refunded: c.amountRefunded >= c.amount, review: null,
    shipping: null, source: null, source_transfer: null, statement_descriptor: null, statement_descriptor_suffix: null,
    status: "succeeded", transfer_data: null, transfer_group: null,
  };
}

/**
 * @param {{ id: string, charge: string, paymentIntent: string, amount: number, currency: string,
 *   status: Stripe.Dispute.Status, created: number }} d
 * @returns {Stripe.Dispute}
 */
export function dispute(d) {
  return {
    id: d.id, object: "dispute", amount: d.amount, balance_transactions: [], charge: d.charge, created: d.created,
    currency: d.currency, enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null, billing_address: null, cancellation_policy: null, cancellation_policy_disclosure: null,
      cancellation_rebuttal: null, customer_communication: null, customer_email_address: null, customer_name: null,
      customer_purchase_ip: null, customer_signature: null, duplicate_charge_documentation: null,
      duplicate_charge_explanation: null, duplicate_charge_id: null, enhanced_evidence: {}, product_description: null,
      receipt: null, refund_policy: null, refund_policy_disclosure: null, refund_refusal_explanation: null,
      service_date: null, service_documentation: null, shipping_address: null, shipping_carrier: null,
      shipping_date: null, shipping_documentation: null, shipping_tracking_number: null, uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: { due_by: d.created + 7 * 86400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: "not_submitted" },
    intended_submission_method: null, is_charge_refundable: false, livemode: false, metadata: {},
    payment_intent: d.paymentIntent, reason: "fraudulent", status: d.status,
  };
}

/**
 * @param {{ id: string, customer: string, returnUrl: string | null, url: string, created: number }} p
 * @returns {Stripe.BillingPortal.Session}
 */
export function portalSession(p) {
  return {
    id: p.id, object: "billing_portal.session", configuration: "bpc_GptimgDefault01", created: p.created,
    customer: p.customer, customer_account: null, flow: null, livemode: false, locale: null, on_behalf_of: null,
    return_url: p.returnUrl, url: p.url,
  };
}
