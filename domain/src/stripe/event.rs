//! Turns a verified Stripe event into the billing fact GPTImg acts on; everything else is `Ignored`.

use serde_json::Value;

use crate::billing::subscription::SubscriptionStatus;

pub use super::envelope::{Envelope, MalformedEvent};
pub use super::head::{acts_on, Head, ACTED_ON};

fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key)).filter(|v| !v.is_null())
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    at(value, path).and_then(Value::as_str).map(str::to_owned)
}

/// An id field that may be a bare id or an expanded object with an `id`.
fn id_of(value: &Value, path: &[&str]) -> Option<String> {
    let found = at(value, path)?;
    found.as_str().map(str::to_owned).or_else(|| text(found, &["id"]))
}

fn int(value: &Value, path: &[&str]) -> Option<i64> {
    at(value, path).and_then(Value::as_i64)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutMode {
    Payment,
    Subscription,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    pub id: String,
    pub mode: CheckoutMode,
    /// Money has arrived (`payment_status` is `paid` or `no_payment_required`).
    pub paid: bool,
    pub account_id: Option<String>,
    pub plan_id: Option<String>,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    pub payment_intent_id: Option<String>,
    pub amount_total: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: String,
    pub subscription_id: Option<String>,
    pub customer_id: Option<String>,
    /// From the subscription's metadata, which Stripe copies onto each of its invoices.
    pub account_id: Option<String>,
    pub price_id: Option<String>,
    /// The plan GPTImg sold, from the subscription's metadata: still known after `PLANS` drops the old price.
    pub plan_id: Option<String>,
    pub amount_paid: i64,
    pub currency: String,
    /// Only API versions before 2025-03-31 put this on the invoice; since then `invoice_payment.paid` carries it.
    pub payment_intent_id: Option<String>,
    /// Why Stripe made the invoice (`subscription_create`, `subscription_cycle`, `subscription_update`, ...).
    pub billing_reason: Option<String>,
    /// The end of the service period its subscription line (the first line that is not a proration) is for: the
    /// period the invoice pays. The invoice's own `period_end` looks back one period, so it is not used.
    pub period_end: Option<i64>,
    /// Its proration lines ("unused time on A", "remaining time on B"), as a plan change or an immediate
    /// cancellation writes them.
    pub prorations: Vec<ProrationLine>,
}

/// One proration line of an invoice: the price it prorates and its signed amount (negative: credited back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProrationLine {
    pub price_id: Option<String>,
    pub amount: i64,
}

/// `invoice_payment.paid`: the PaymentIntent that paid an invoice, which is all a refund or dispute names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePayment {
    pub id: String,
    pub invoice_id: String,
    /// `None` when the payment was not a PaymentIntent (`payment.type` `charge` or `payment_record`).
    pub payment_intent_id: Option<String>,
    pub paid: bool,
    pub amount_paid: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionState {
    pub id: String,
    pub customer_id: Option<String>,
    pub account_id: Option<String>,
    pub price_id: Option<String>,
    pub plan_id: Option<String>,
    pub status: String,
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: bool,
}

impl SubscriptionState {
    pub fn status_kind(&self) -> SubscriptionStatus {
        SubscriptionStatus::parse(&self.status)
    }

    /// See `SubscriptionStatus::rank`: a same-second `active` never undoes `canceled`.
    pub fn status_rank(&self) -> i64 {
        self.status_kind().rank()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeReversal {
    /// The refund's charge id, or the dispute's id: what the reclaim is keyed by.
    pub cause_id: String,
    pub payment_intent_id: Option<String>,
    /// The charge's captured amount and how much of it is being taken back, in the smallest currency unit.
    pub amount: i64,
    pub amount_reversed: i64,
}

/// `charge.dispute.closed`: the dispute's final status decides whether what its creation took is given back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeClosed {
    pub dispute_id: String,
    pub payment_intent_id: Option<String>,
    /// `won`, `lost`, `warning_closed`, `prevented`... as Stripe sent it.
    pub status: String,
}

impl DisputeClosed {
    /// The money stayed with us: the dispute was won, or it never became a chargeback (an inquiry closed, or
    /// Stripe prevented it). Only then is the reclaim made at `charge.dispute.created` given back.
    pub fn money_kept(&self) -> bool {
        matches!(self.status.as_str(), "won" | "warning_closed" | "prevented")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingEvent {
    /// `checkout.session.completed` or `.async_payment_succeeded`.
    CheckoutCompleted(CheckoutSession),
    /// `checkout.session.async_payment_failed`.
    CheckoutPaymentFailed(CheckoutSession),
    InvoicePaid(Invoice),
    InvoicePaymentFailed(Invoice),
    /// `invoice_payment.paid`: links a PaymentIntent to the invoice it paid.
    InvoicePaymentPaid(InvoicePayment),
    /// `customer.subscription.created/updated/deleted`, as absolute state.
    SubscriptionChanged(SubscriptionState),
    /// `charge.refunded`: `amount_reversed` is the cumulative refunded amount.
    ChargeRefunded(ChargeReversal),
    /// `charge.dispute.created`: the whole disputed amount is at risk.
    DisputeCreated(ChargeReversal),
    DisputeClosed(DisputeClosed),
    Ignored,
}

fn checkout(object: &Value) -> Result<CheckoutSession, MalformedEvent> {
    let mode = match text(object, &["mode"]).as_deref() {
        Some("payment") => CheckoutMode::Payment,
        Some("subscription") => CheckoutMode::Subscription,
        _ => return Err(MalformedEvent),
    };
    Ok(CheckoutSession {
        id: text(object, &["id"]).ok_or(MalformedEvent)?,
        mode,
        paid: matches!(text(object, &["payment_status"]).as_deref(), Some("paid" | "no_payment_required")),
        account_id: text(object, &["metadata", "account_id"]).or_else(|| text(object, &["client_reference_id"])),
        plan_id: text(object, &["metadata", "plan_id"]),
        customer_id: id_of(object, &["customer"]),
        subscription_id: id_of(object, &["subscription"]),
        payment_intent_id: id_of(object, &["payment_intent"]),
        amount_total: int(object, &["amount_total"]).unwrap_or(0),
        currency: text(object, &["currency"]).unwrap_or_default(),
    })
}

/// Whether an invoice line is a proration: under `parent.subscription_item_details` at the pinned version (or
/// `invoice_item_details` for a pending proration item), `proration` on the line itself before 2025-03-31.
fn is_proration(line: &Value) -> bool {
    let flag = |path: &[&str]| at(line, path).and_then(Value::as_bool);
    flag(&["parent", "subscription_item_details", "proration"])
        .or_else(|| flag(&["parent", "invoice_item_details", "proration"]))
        .or_else(|| flag(&["proration"]))
        .unwrap_or(false)
}

/// A line's price: `pricing.price_details.price` at the pinned version, `price.id` (or a bare `price`) before.
fn line_price(line: &Value) -> Option<String> {
    id_of(line, &["pricing", "price_details", "price"]).or_else(|| id_of(line, &["price"]))
}

fn invoice(object: &Value) -> Result<Invoice, MalformedEvent> {
    // The pinned version nests subscription details under `parent`; versions before 2025-03-31 had them on top.
    let details = at(object, &["parent", "subscription_details"]).or_else(|| at(object, &["subscription_details"]));
    let lines: &[Value] = at(object, &["lines", "data"]).and_then(Value::as_array).map_or(&[], Vec::as_slice);
    let period_line = lines.iter().find(|l| !is_proration(l));
    // A plan change's invoice has no period line: it is named after the plan it charges for (its largest line).
    let first_line =
        period_line.or_else(|| lines.iter().max_by_key(|l| int(l, &["amount"]).unwrap_or(0))).or_else(|| lines.first());
    let prorations = lines
        .iter()
        .filter(|l| is_proration(l))
        .map(|l| ProrationLine { price_id: line_price(l), amount: int(l, &["amount"]).unwrap_or(0) })
        .collect();
    let line_subscription =
        || first_line.and_then(|l| id_of(l, &["parent", "subscription_item_details", "subscription"]));
    Ok(Invoice {
        id: text(object, &["id"]).ok_or(MalformedEvent)?,
        subscription_id: details
            .and_then(|d| id_of(d, &["subscription"]))
            .or_else(line_subscription)
            .or_else(|| id_of(object, &["subscription"])),
        customer_id: id_of(object, &["customer"]),
        account_id: details.and_then(|d| text(d, &["metadata", "account_id"])),
        price_id: first_line.and_then(line_price),
        plan_id: details.and_then(|d| text(d, &["metadata", "plan_id"])),
        amount_paid: int(object, &["amount_paid"]).unwrap_or(0),
        currency: text(object, &["currency"]).unwrap_or_default(),
        payment_intent_id: id_of(object, &["payment_intent"]),
        billing_reason: text(object, &["billing_reason"]),
        period_end: period_line.and_then(|l| int(l, &["period", "end"])),
        prorations,
    })
}

fn subscription(object: &Value, deleted: bool) -> Result<SubscriptionState, MalformedEvent> {
    let first_item = at(object, &["items", "data"]).and_then(|items| items.get(0));
    let status = if deleted { "canceled".to_owned() } else { text(object, &["status"]).ok_or(MalformedEvent)? };
    Ok(SubscriptionState {
        id: text(object, &["id"]).ok_or(MalformedEvent)?,
        customer_id: id_of(object, &["customer"]),
        account_id: text(object, &["metadata", "account_id"]),
        price_id: first_item.and_then(|item| id_of(item, &["price"])),
        plan_id: text(object, &["metadata", "plan_id"]),
        status,
        current_period_end: int(object, &["current_period_end"])
            .or_else(|| first_item.and_then(|i| int(i, &["current_period_end"]))),
        cancel_at_period_end: at(object, &["cancel_at_period_end"]).and_then(Value::as_bool).unwrap_or(false),
    })
}

fn invoice_payment(object: &Value) -> Result<InvoicePayment, MalformedEvent> {
    let payment = at(object, &["payment"]);
    let by_intent = payment.is_some_and(|p| text(p, &["type"]).as_deref() == Some("payment_intent"));
    Ok(InvoicePayment {
        id: text(object, &["id"]).ok_or(MalformedEvent)?,
        invoice_id: id_of(object, &["invoice"]).ok_or(MalformedEvent)?,
        payment_intent_id: payment.filter(|_| by_intent).and_then(|p| id_of(p, &["payment_intent"])),
        paid: text(object, &["status"]).as_deref() == Some("paid"),
        amount_paid: int(object, &["amount_paid"]).unwrap_or(0),
        currency: text(object, &["currency"]).unwrap_or_default(),
    })
}

fn reversal(object: &Value, cause_id: String, amount_reversed: i64) -> ChargeReversal {
    ChargeReversal {
        cause_id,
        payment_intent_id: id_of(object, &["payment_intent"]),
        amount: int(object, &["amount"]).unwrap_or(0),
        amount_reversed,
    }
}

/// What the event means for GPTImg. Unknown types are `Ignored` (and answered 200).
pub fn interpret(envelope: &Envelope) -> Result<BillingEvent, MalformedEvent> {
    let object = &envelope.object;
    Ok(match envelope.event_type.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            BillingEvent::CheckoutCompleted(checkout(object)?)
        }
        "checkout.session.async_payment_failed" => BillingEvent::CheckoutPaymentFailed(checkout(object)?),
        "invoice.paid" => BillingEvent::InvoicePaid(invoice(object)?),
        "invoice.payment_failed" => BillingEvent::InvoicePaymentFailed(invoice(object)?),
        "invoice_payment.paid" => BillingEvent::InvoicePaymentPaid(invoice_payment(object)?),
        "customer.subscription.created" | "customer.subscription.updated" => {
            BillingEvent::SubscriptionChanged(subscription(object, false)?)
        }
        "customer.subscription.deleted" => BillingEvent::SubscriptionChanged(subscription(object, true)?),
        "charge.refunded" => {
            let charge_id = text(object, &["id"]).ok_or(MalformedEvent)?;
            BillingEvent::ChargeRefunded(reversal(object, charge_id, int(object, &["amount_refunded"]).unwrap_or(0)))
        }
        "charge.dispute.created" => {
            let dispute_id = text(object, &["id"]).ok_or(MalformedEvent)?;
            let amount = int(object, &["amount"]).unwrap_or(0);
            BillingEvent::DisputeCreated(ChargeReversal {
                amount_reversed: amount,
                ..reversal(object, dispute_id, amount)
            })
        }
        "charge.dispute.closed" => BillingEvent::DisputeClosed(DisputeClosed {
            dispute_id: text(object, &["id"]).ok_or(MalformedEvent)?,
            payment_intent_id: id_of(object, &["payment_intent"]),
            status: text(object, &["status"]).ok_or(MalformedEvent)?,
        }),
        _ => BillingEvent::Ignored,
    })
}

/// Credits to take back for a reversal of a purchase that granted `credits_granted` for `amount`:
/// the refunded share, rounded up, never more than was granted. What is actually taken is further
/// limited by the unspent balance, atomically, where the balance lives.
pub fn reclaim_target(credits_granted: i64, amount: i64, amount_reversed: i64) -> i64 {
    if amount <= 0 || amount_reversed >= amount {
        return credits_granted;
    }
    let share = (credits_granted * amount_reversed.max(0) + amount - 1) / amount;
    share.min(credits_granted)
}

#[cfg(test)]
mod tests;
