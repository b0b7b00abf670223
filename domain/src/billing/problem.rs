//! Paid events that cannot be applied yet: recorded for an operator and refused so Stripe delivers them again.

use serde_json::{json, Value};

use super::{PaymentFacts, Reversal, ReversalKind};
use crate::stripe::event::{CheckoutSession, Invoice};
use crate::{DomainError, ErrorKind};

/// Why money Stripe reports cannot be turned into credits (or taken back) right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemReason {
    /// Neither the price nor the plan named in metadata is a plan in `PLANS` of the right kind.
    UnknownPlan,
    /// Neither the account named in metadata nor the Stripe customer belongs to an account here.
    UnknownAccount,
    /// A refund or dispute of a PaymentIntent no payment here is known by (yet: the invoice or its
    /// `invoice_payment.paid` may still be on its way).
    UnknownPayment,
    /// Applied, but a refund or dispute took back more than the account had left: its balance is negative
    /// (a recorded debt) until its next purchase pays it. Resolved when it is paid.
    AccountInDebt,
    /// Applied, but Stripe recorded the subscription after its account's deletion began: it is cancelled at
    /// Stripe by the deletion's retried cancellations.
    SubscriptionAfterDeletion,
}

impl ProblemReason {
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::UnknownPlan,
            Self::UnknownAccount,
            Self::UnknownPayment,
            Self::AccountInDebt,
            Self::SubscriptionAfterDeletion,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownPlan => "unknown_plan",
            Self::UnknownAccount => "unknown_account",
            Self::UnknownPayment => "unknown_payment",
            Self::AccountInDebt => "account_in_debt",
            Self::SubscriptionAfterDeletion => "subscription_after_deletion",
        }
    }

    /// What the operator should do, shown in the admin console.
    pub fn advice(self) -> &'static str {
        match self {
            Self::UnknownPlan => "Add the price (or the plan id in the subscription's metadata) to PLANS; Stripe's next retry grants the credits.",
            Self::UnknownAccount => "The payer has no account here. Refund them in Stripe, then dismiss this.",
            Self::UnknownPayment => "Usually resolves itself when the payment's own events arrive. If it stays, the payment was not made through GPTImg: dismiss it.",
            Self::AccountInDebt => "The account spent credits that a refund or dispute took back; it cannot generate until a purchase pays the debt. Nothing to do unless you forgive it (an admin adjustment), then dismiss this.",
            Self::SubscriptionAfterDeletion => "Stripe recorded this subscription after the account's deletion began; it is being cancelled at Stripe with retries. Check it is cancelled in Stripe, refund its payment if one was taken, then dismiss this.",
        }
    }
}

/// Why an admin dismissed a problem (kept in the audit log): 1-500 characters after trimming.
pub fn validate_dismissal(raw: &str) -> Result<String, DomainError> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(DomainError::invalid("reason_empty", "Say why the problem is dismissed."));
    }
    if reason.chars().count() > 500 {
        return Err(DomainError::invalid("reason_too_long", "Keep the reason under 500 characters."));
    }
    Ok(reason.to_owned())
}

/// A paid event that needs an operator, with the facts needed to act on it (ids and amounts; never secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub reason: ProblemReason,
    pub facts: Value,
}

impl Problem {
    pub fn unknown_plan_invoice(invoice: &Invoice) -> Self {
        Self {
            reason: ProblemReason::UnknownPlan,
            facts: json!({
                "invoice": invoice.id, "subscription": invoice.subscription_id, "customer": invoice.customer_id,
                "account_id": invoice.account_id, "price": invoice.price_id, "plan_id": invoice.plan_id,
                "amount": invoice.amount_paid, "currency": invoice.currency,
            }),
        }
    }

    pub fn unknown_plan_checkout(session: &CheckoutSession) -> Self {
        Self {
            reason: ProblemReason::UnknownPlan,
            facts: json!({
                "checkout_session": session.id, "customer": session.customer_id, "account_id": session.account_id,
                "plan_id": session.plan_id, "payment_intent": session.payment_intent_id,
                "amount": session.amount_total, "currency": session.currency,
            }),
        }
    }

    /// Recorded by the store only if the grant finds no account (the same batch decides).
    pub fn unknown_account(payment: &PaymentFacts) -> Self {
        Self {
            reason: ProblemReason::UnknownAccount,
            facts: json!({
                "cause": payment.cause_id, "customer": payment.customer_id, "account_id": payment.account_id,
                "plan_id": payment.plan_id, "subscription": payment.subscription_id,
                "payment_intent": payment.payment_intent_id, "amount": payment.amount_cents, "currency": payment.currency,
            }),
        }
    }

    pub fn unknown_payment(reversal: &Reversal) -> Self {
        let kind = match reversal.kind {
            ReversalKind::Refund => "refund",
            ReversalKind::Dispute => "dispute",
        };
        Self {
            reason: ProblemReason::UnknownPayment,
            facts: json!({
                "kind": kind, "cause": reversal.charge.cause_id, "payment_intent": reversal.charge.payment_intent_id,
                "amount": reversal.charge.amount, "amount_reversed": reversal.charge.amount_reversed,
            }),
        }
    }

    /// A dispute closed in our favour whose payment is not known here yet: what its creation took (if it is
    /// recorded later) can only be given back once it is, so the event is refused and delivered again.
    pub fn unknown_dispute_payment(restore: &super::DisputeRestore) -> Self {
        Self {
            reason: ProblemReason::UnknownPayment,
            facts: json!({
                "kind": "dispute_closed", "cause": restore.dispute_id, "payment_intent": restore.payment_intent_id,
                "status": restore.closed.status,
            }),
        }
    }

    /// The answer to Stripe: not 2xx, so it delivers the event again (for up to three days) instead of
    /// considering it handled. 409: the event is valid but conflicts with what we know now.
    pub fn refusal(&self) -> DomainError {
        DomainError::new(
            ErrorKind::Conflict,
            "billing_needs_attention",
            "This event cannot be applied yet; it is recorded for an operator. Deliver it again later.",
        )
        .with_details(json!({ "reason": self.reason.as_str() }))
    }

    /// The refusal for a delivery whose event could be this problem, only while it is open: once an admin
    /// dismissed it, its recorded outcome is no longer `needs_attention` and later deliveries are acknowledged.
    pub fn refusal_while_open(problem: Option<&Self>, recorded_outcome: &str) -> Option<DomainError> {
        problem.filter(|_| recorded_outcome == NEEDS_ATTENTION).map(Self::refusal)
    }
}

/// The outcome recorded for a paid event that could not be applied (an open billing problem).
pub const NEEDS_ATTENTION: &str = "needs_attention";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stripe::event::ChargeReversal;

    #[test]
    fn a_problem_is_refused_only_while_its_outcome_is_needs_attention() {
        let problem = Problem { reason: ProblemReason::UnknownPlan, facts: json!({}) };
        let refused = Problem::refusal_while_open(Some(&problem), "needs_attention").unwrap();
        assert_eq!((refused.kind, refused.code.as_ref()), (ErrorKind::Conflict, "billing_needs_attention"));
        assert_eq!(Problem::refusal_while_open(Some(&problem), "dismissed_by_admin"), None);
        assert_eq!(Problem::refusal_while_open(Some(&problem), "granted"), None);
        assert_eq!(Problem::refusal_while_open(None, "needs_attention"), None);
    }

    #[test]
    fn a_dismissal_needs_a_short_reason() {
        assert_eq!(validate_dismissal("  refunded in Stripe ").unwrap(), "refunded in Stripe");
        assert_eq!(validate_dismissal(" ").unwrap_err().code, "reason_empty");
        assert_eq!(validate_dismissal(&"x".repeat(501)).unwrap_err().code, "reason_too_long");
    }

    #[test]
    fn a_refusal_is_a_named_conflict_carrying_the_reason() {
        let reversal = Reversal {
            kind: ReversalKind::Refund,
            charge: ChargeReversal {
                cause_id: "ch_1".into(),
                payment_intent_id: Some("pi_1".into()),
                amount: 1900,
                amount_reversed: 1900,
            },
        };
        let problem = Problem::unknown_payment(&reversal);
        assert_eq!(ProblemReason::parse(problem.reason.as_str()), Some(ProblemReason::UnknownPayment));
        assert_eq!(ProblemReason::parse("nope"), None);
        assert_eq!(problem.facts["payment_intent"], "pi_1");
        let refusal = problem.refusal();
        assert_eq!((refusal.kind, refusal.code.as_ref()), (ErrorKind::Conflict, "billing_needs_attention"));
        assert_eq!(refusal.details.unwrap()["reason"], "unknown_payment");
    }
}
