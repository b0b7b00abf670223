//! What to do about each Stripe billing fact: which credits to grant, what to record, what to reverse; the plans,
//! Checkout, problems, subscription statuses and the credit ledger's vocabulary in the modules below.

pub mod ledger;
pub mod plans;
pub mod subscription;

use crate::billing::ledger::LedgerKind;
use crate::billing::plans::{Plan, PlanCatalogue, PlanKind};
use crate::stripe::event::{
    BillingEvent, ChargeReversal, CheckoutMode, CheckoutSession, DisputeClosed, Invoice, InvoicePayment, ProrationLine,
    SubscriptionState,
};

pub mod problem;
pub use problem::{Problem, ProblemReason};

pub mod checkout;
pub use checkout::checkout_idempotency_key;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFacts {
    /// Checkout Session id (packs) or invoice id (subscriptions): the dedupe key for credits and payment row.
    pub cause_id: String,
    pub account_id: Option<String>,
    pub customer_id: Option<String>,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_kind: PlanKind,
    pub amount_cents: i64,
    pub currency: String,
    pub payment_intent_id: Option<String>,
    pub subscription_id: Option<String>,
}

impl PaymentFacts {
    pub fn payment_kind(&self) -> &'static str {
        match self.plan_kind {
            PlanKind::Pack => "pack",
            PlanKind::Subscription => "subscription",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub payment: PaymentFacts,
    pub ledger_kind: LedgerKind,
    pub credits: i64,
}

impl Grant {
    pub fn description(&self) -> String {
        self.ledger_kind.description(&self.payment.plan_name)
    }
}

/// A subscription period's credits: granted once per (subscription, period), whichever invoice pays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodGrant {
    /// `subscription:period_end`; the invoice id when Stripe named neither (nothing to share the period with).
    pub key: String,
    pub credits: i64,
}

/// What a paid subscription invoice moves: a new period's credits (only `subscription_create` and
/// `subscription_cycle` invoices pay one) and what its proration lines are worth (a plan change mid-period tops
/// up at most the difference between the plans; an immediate cancellation credited back takes back the unspent
/// share). Both keyed by the invoice, so a replay moves nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceCredits {
    pub payment: PaymentFacts,
    pub period: Option<PeriodGrant>,
    /// Positive: credits for the rest of the period on a bigger plan; negative: taken back; zero: nothing.
    pub plan_change: i64,
}

impl InvoiceCredits {
    pub fn period_description(&self) -> String {
        LedgerKind::SubscriptionCredits.description(&self.payment.plan_name)
    }

    pub fn plan_change_description(&self) -> String {
        self.plan_change_kind().description(&self.payment.plan_name)
    }

    pub fn plan_change_kind(&self) -> LedgerKind {
        if self.plan_change >= 0 {
            LedgerKind::PlanChange
        } else {
            LedgerKind::PlanCredit
        }
    }
}

/// Whether an invoice of this `billing_reason` pays a new period. `subscription` is what invoices from before
/// 2018 say for every subscription invoice; an invoice without a reason is read as one too (hand-made events).
/// `subscription_update` (a plan change), `subscription_threshold`, `manual`, `quote_accept`,
/// `automatic_pending_invoice_item_invoice` and `upcoming` do not.
pub fn pays_a_period(billing_reason: Option<&str>) -> bool {
    matches!(billing_reason, None | Some("subscription_create" | "subscription_cycle" | "subscription"))
}

/// Credits a set of proration lines is worth: each line moves its plan's credits in proportion to the share of
/// the plan's price it charges (a "remaining time on B" line) or credits back (an "unused time on A" line).
/// Credits back are rounded up, charges down; the total of a plan change charged for is at most the difference
/// between the plans' credits (never a whole period again). `None` if a line prorates a price not in `PLANS`.
pub fn plan_change_credits(lines: &[ProrationLine], plans: &PlanCatalogue) -> Option<i64> {
    let (mut total, mut to, mut from) = (0i64, 0i64, 0i64);
    for line in lines {
        let plan =
            line.price_id.as_deref().and_then(|p| plans.by_price(p)).filter(|p| p.kind == PlanKind::Subscription)?;
        let (credits, price) = (i64::from(plan.credits), i64::from(plan.price_cents).max(1));
        let share = credits.saturating_mul(line.amount.abs());
        if line.amount >= 0 {
            total += (share / price).min(credits);
            to = to.max(credits);
        } else {
            total -= ((share + price - 1) / price).min(credits);
            from = from.max(credits);
        }
    }
    Some(if total > 0 { total.min((to - from).max(0)) } else { total.max(-from) })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionLink {
    pub subscription_id: String,
    pub account_id: String,
    pub customer_id: Option<String>,
    pub plan_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionUpdate {
    pub state: SubscriptionState,
    pub plan_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReversalKind {
    Refund,
    Dispute,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal {
    pub kind: ReversalKind,
    pub charge: ChargeReversal,
}

impl Reversal {
    /// Each reversal state counts once: a refund by its charge and cumulative amount, a dispute by its id.
    pub fn source_id(&self) -> String {
        match self.kind {
            ReversalKind::Refund => format!("{}:{}", self.charge.cause_id, self.charge.amount_reversed),
            ReversalKind::Dispute => self.charge.cause_id.clone(),
        }
    }

    /// Credits this charge's reversal should have taken back in total, from a payment that granted
    /// `credits_granted` for `payment_amount_cents`. The share is of the whole payment: an invoice paid by several
    /// charges loses, for a refund of one of them, only that charge's refunded share of the invoice. A charge that
    /// reports no amount (some dispute and refund objects) is measured against what the payment recorded.
    pub fn reclaim_target(&self, credits_granted: i64, payment_amount_cents: i64) -> i64 {
        let amount = self.charge.amount.max(payment_amount_cents);
        crate::stripe::event::reclaim_target(credits_granted, amount, self.charge.amount_reversed)
    }

    pub fn payment_status(&self) -> &'static str {
        match self.kind {
            ReversalKind::Dispute => "disputed",
            ReversalKind::Refund if self.charge.amount_reversed >= self.charge.amount => "refunded",
            ReversalKind::Refund => "partially_refunded",
        }
    }
}

/// Payment statuses in the only order they may move: a late or replayed event never takes one back
/// (a partial refund arriving after the full one leaves `refunded`). `failed` is outside the order: a
/// failed payment is never reversed, and a later success replaces it through its own path.
pub const PAYMENT_STATUS_ORDER: [&str; 5] = ["paid", "partially_refunded", "refunded", "disputed", "dispute_won"];

/// The payment statuses' ranks as a JSON object, for SQL that keeps the higher of the current and the new one.
pub fn payment_status_ranks_json() -> String {
    let ranks: serde_json::Map<String, serde_json::Value> =
        PAYMENT_STATUS_ORDER.iter().enumerate().map(|(rank, status)| ((*status).to_owned(), rank.into())).collect();
    serde_json::Value::Object(ranks).to_string()
}

/// The status a payment has after `next` is applied to `current`: whichever comes later in the order.
pub fn forward_payment_status<'a>(current: &'a str, next: &'a str) -> &'a str {
    let rank = |s: &str| PAYMENT_STATUS_ORDER.iter().position(|p| *p == s);
    match (rank(current), rank(next)) {
        (Some(c), Some(n)) if n < c => current,
        _ => next,
    }
}

/// A closed dispute whose money stayed with us: give back what its creation reclaimed, once (keyed by the dispute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRestore {
    pub dispute_id: String,
    pub payment_intent_id: String,
    /// The closing itself, recorded first so that a `charge.dispute.created` arriving after it is safe.
    pub closed: DisputeClosed,
}

impl DisputeRestore {
    pub const PAYMENT_STATUS: &'static str = "dispute_won";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePaymentLink {
    pub invoice_payment_id: String,
    pub invoice_id: String,
    pub payment_intent_id: String,
    pub amount_cents: i64,
    pub currency: String,
}

/// The outcome of an event type GPTImg never acts on (`stripe::event::acts_on`): acknowledged, nothing written.
pub const IGNORED_EVENT_TYPE: &str = "ignored_event_type";

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Grant(Grant),
    /// A paid subscription invoice: its period's credits (once per period) and its plan change, if any.
    InvoiceCredits(InvoiceCredits),
    RecordFailedPayment(PaymentFacts),
    LinkSubscription(SubscriptionLink),
    UpdateSubscription(SubscriptionUpdate),
    /// Remember which PaymentIntent paid an invoice, so its refunds and disputes find the credits it granted.
    LinkInvoicePayment(InvoicePaymentLink),
    Reverse(Reversal),
    /// A dispute closed with the money kept: what its creation reclaimed is given back.
    RestoreDispute(DisputeRestore),
    /// A dispute closed without anything to give back: its final status is recorded (with this outcome).
    RecordDisputeOutcome(DisputeClosed, &'static str),
    /// Money moved but cannot be applied: record it for an operator and refuse the event so Stripe retries.
    NeedsAttention(Problem),
    /// Nothing to change; the event is recorded with this outcome.
    Ignore(&'static str),
}

/// The payment a Checkout Session stands for, keyed by the session id.
fn checkout_facts(session: &CheckoutSession, plan: &Plan) -> PaymentFacts {
    PaymentFacts {
        cause_id: session.id.clone(),
        account_id: session.account_id.clone(),
        customer_id: session.customer_id.clone(),
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        plan_kind: plan.kind,
        amount_cents: session.amount_total,
        currency: session.currency.clone(),
        payment_intent_id: session.payment_intent_id.clone(),
        subscription_id: None,
    }
}

/// A subscription plan by the invoice's price, or else by the plan id GPTImg put in the subscription's
/// metadata: the price wins (it follows plan changes made in the portal), the metadata keeps renewals on a
/// price since removed from `PLANS` granting that plan's credits.
fn subscription_plan<'a>(price_id: Option<&str>, plan_id: Option<&str>, plans: &'a PlanCatalogue) -> Option<&'a Plan> {
    let subscription = |p: &&Plan| p.kind == PlanKind::Subscription;
    price_id
        .and_then(|p| plans.by_price(p))
        .filter(subscription)
        .or_else(|| plan_id.and_then(|id| plans.by_id(id)).filter(subscription))
}

fn invoice_facts(invoice: &Invoice, plan: &Plan) -> PaymentFacts {
    PaymentFacts {
        cause_id: invoice.id.clone(),
        account_id: invoice.account_id.clone(),
        customer_id: invoice.customer_id.clone(),
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        plan_kind: plan.kind,
        amount_cents: invoice.amount_paid,
        currency: invoice.currency.clone(),
        payment_intent_id: invoice.payment_intent_id.clone(),
        subscription_id: invoice.subscription_id.clone(),
    }
}

fn link_invoice_payment(payment: &InvoicePayment) -> Decision {
    match (&payment.payment_intent_id, payment.paid) {
        (Some(intent), true) => Decision::LinkInvoicePayment(InvoicePaymentLink {
            invoice_payment_id: payment.id.clone(),
            invoice_id: payment.invoice_id.clone(),
            payment_intent_id: intent.clone(),
            amount_cents: payment.amount_paid,
            currency: payment.currency.clone(),
        }),
        (None, _) => Decision::Ignore("not_a_payment_intent"),
        (Some(_), false) => Decision::Ignore("invoice_payment_not_paid"),
    }
}

fn dispute_closed(closed: &DisputeClosed) -> Decision {
    match (&closed.payment_intent_id, closed.money_kept()) {
        (Some(intent), true) => Decision::RestoreDispute(DisputeRestore {
            dispute_id: closed.dispute_id.clone(),
            payment_intent_id: intent.clone(),
            closed: closed.clone(),
        }),
        (None, true) => Decision::RecordDisputeOutcome(closed.clone(), "dispute_without_payment_intent"),
        // Lost: the reclaim at creation already took what the dispute took; nothing more changes.
        (_, false) if closed.status == "lost" => Decision::RecordDisputeOutcome(closed.clone(), "dispute_lost"),
        (_, false) => Decision::RecordDisputeOutcome(closed.clone(), "dispute_closed"),
    }
}

fn invoice_paid(invoice: &Invoice, plans: &PlanCatalogue) -> Decision {
    let plan = subscription_plan(invoice.price_id.as_deref(), invoice.plan_id.as_deref(), plans);
    let (Some(plan), Some(plan_change)) = (plan, plan_change_credits(&invoice.prorations, plans)) else {
        return Decision::NeedsAttention(Problem::unknown_plan_invoice(invoice));
    };
    let period = pays_a_period(invoice.billing_reason.as_deref()).then(|| PeriodGrant {
        key: match (&invoice.subscription_id, invoice.period_end) {
            (Some(subscription), Some(end)) => format!("{subscription}:{end}"),
            _ => invoice.id.clone(),
        },
        credits: i64::from(plan.credits),
    });
    Decision::InvoiceCredits(InvoiceCredits { payment: invoice_facts(invoice, plan), period, plan_change })
}

/// Decides what a billing fact means, given the plan catalogue.
pub fn decide(event: &BillingEvent, plans: &PlanCatalogue) -> Decision {
    match event {
        BillingEvent::CheckoutCompleted(session) => match session.mode {
            CheckoutMode::Payment if !session.paid => Decision::Ignore("awaiting_payment"),
            CheckoutMode::Payment => {
                let Some(plan) =
                    session.plan_id.as_deref().and_then(|id| plans.by_id(id)).filter(|p| p.kind == PlanKind::Pack)
                else {
                    return Decision::NeedsAttention(Problem::unknown_plan_checkout(session));
                };
                Decision::Grant(Grant {
                    payment: checkout_facts(session, plan),
                    ledger_kind: LedgerKind::PackPurchase,
                    credits: i64::from(plan.credits),
                })
            }
            CheckoutMode::Subscription => match (&session.subscription_id, &session.account_id) {
                (Some(subscription_id), Some(account_id)) => Decision::LinkSubscription(SubscriptionLink {
                    subscription_id: subscription_id.clone(),
                    account_id: account_id.clone(),
                    customer_id: session.customer_id.clone(),
                    plan_id: session.plan_id.clone(),
                }),
                _ => Decision::Ignore("unmatched_subscription_checkout"),
            },
        },
        BillingEvent::CheckoutPaymentFailed(session) => {
            let Some(plan) = session.plan_id.as_deref().and_then(|id| plans.by_id(id)) else {
                return Decision::Ignore("unknown_plan");
            };
            Decision::RecordFailedPayment(checkout_facts(session, plan))
        }
        BillingEvent::InvoicePaid(invoice) => invoice_paid(invoice, plans),
        BillingEvent::InvoicePaymentFailed(invoice) => {
            match subscription_plan(invoice.price_id.as_deref(), invoice.plan_id.as_deref(), plans) {
                Some(plan) => Decision::RecordFailedPayment(invoice_facts(invoice, plan)),
                None => Decision::Ignore("unknown_plan"),
            }
        }
        BillingEvent::InvoicePaymentPaid(payment) => link_invoice_payment(payment),
        BillingEvent::SubscriptionChanged(state) => Decision::UpdateSubscription(SubscriptionUpdate {
            plan_id: subscription_plan(state.price_id.as_deref(), state.plan_id.as_deref(), plans)
                .map(|p| p.id.clone()),
            state: state.clone(),
        }),
        BillingEvent::ChargeRefunded(charge) => {
            Decision::Reverse(Reversal { kind: ReversalKind::Refund, charge: charge.clone() })
        }
        BillingEvent::DisputeCreated(charge) => {
            Decision::Reverse(Reversal { kind: ReversalKind::Dispute, charge: charge.clone() })
        }
        BillingEvent::DisputeClosed(closed) => dispute_closed(closed),
        BillingEvent::Ignored => Decision::Ignore(IGNORED_EVENT_TYPE),
    }
}

#[cfg(test)]
mod tests;
