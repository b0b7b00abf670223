use super::*;
use crate::stripe::event::{CheckoutSession, Invoice};

const PLANS: &str = r#"[
  {"id":"pack_100","kind":"pack","name":"100 credits","credits":100,"price_cents":900,"currency":"usd","stripe_price_id":"price_pack_100"},
  {"id":"pro","kind":"subscription","name":"Pro","credits":400,"price_cents":1900,"currency":"usd","interval":"month","stripe_price_id":"price_pro"}
]"#;

fn plans() -> PlanCatalogue {
    PlanCatalogue::parse(PLANS).unwrap()
}

fn session(mode: CheckoutMode, paid: bool, plan: &str) -> CheckoutSession {
    CheckoutSession {
        id: "cs_1".into(),
        mode,
        paid,
        account_id: Some("acc_1".into()),
        plan_id: Some(plan.into()),
        customer_id: Some("cus_1".into()),
        subscription_id: Some("sub_1".into()),
        payment_intent_id: Some("pi_1".into()),
        amount_total: 900,
        currency: "usd".into(),
    }
}

fn invoice(price: &str) -> Invoice {
    Invoice {
        id: "in_1".into(),
        subscription_id: Some("sub_1".into()),
        customer_id: Some("cus_1".into()),
        account_id: Some("acc_1".into()),
        price_id: Some(price.into()),
        amount_paid: 1900,
        currency: "usd".into(),
        payment_intent_id: Some("pi_2".into()),
    }
}

#[test]
fn a_paid_pack_grants_its_credits_keyed_by_the_checkout_session() {
    let Decision::Grant(grant) =
        decide(&BillingEvent::CheckoutCompleted(session(CheckoutMode::Payment, true, "pack_100")), &plans())
    else {
        panic!()
    };
    assert_eq!(grant.credits, 100);
    assert_eq!(grant.payment.cause_id, "cs_1");
    assert_eq!(grant.ledger_kind, LedgerKind::PackPurchase);
    assert_eq!(grant.description(), "Bought 100 credits");
}

#[test]
fn an_unpaid_pack_grants_nothing_yet() {
    assert_eq!(
        decide(&BillingEvent::CheckoutCompleted(session(CheckoutMode::Payment, false, "pack_100")), &plans()),
        Decision::Ignore("awaiting_payment")
    );
}

#[test]
fn a_pack_checkout_naming_a_subscription_plan_or_unknown_plan_grants_nothing() {
    for plan in ["pro", "nope"] {
        assert_eq!(
            decide(&BillingEvent::CheckoutCompleted(session(CheckoutMode::Payment, true, plan)), &plans()),
            Decision::Ignore("unknown_plan")
        );
    }
}

#[test]
fn a_subscription_checkout_links_but_grants_nothing() {
    let decision = decide(&BillingEvent::CheckoutCompleted(session(CheckoutMode::Subscription, true, "pro")), &plans());
    assert!(
        matches!(decision, Decision::LinkSubscription(ref link) if link.subscription_id == "sub_1" && link.account_id == "acc_1")
    );
}

#[test]
fn a_paid_invoice_grants_the_period_credits_keyed_by_invoice() {
    let Decision::Grant(grant) = decide(&BillingEvent::InvoicePaid(invoice("price_pro")), &plans()) else { panic!() };
    assert_eq!(
        (grant.credits, grant.payment.cause_id.as_str(), grant.ledger_kind),
        (400, "in_1", LedgerKind::SubscriptionCredits)
    );
    assert_eq!(
        decide(&BillingEvent::InvoicePaid(invoice("price_pack_100")), &plans()),
        Decision::Ignore("unknown_plan")
    );
}

#[test]
fn a_failed_invoice_is_recorded_without_credits() {
    assert!(matches!(
        decide(&BillingEvent::InvoicePaymentFailed(invoice("price_pro")), &plans()),
        Decision::RecordFailedPayment(_)
    ));
}

#[test]
fn refunds_are_keyed_by_cumulative_amount_and_disputes_by_id() {
    let charge = ChargeReversal {
        cause_id: "ch_1".into(),
        payment_intent_id: Some("pi_1".into()),
        amount: 900,
        amount_reversed: 450,
    };
    let Decision::Reverse(partial) = decide(&BillingEvent::ChargeRefunded(charge.clone()), &plans()) else { panic!() };
    assert_eq!((partial.source_id().as_str(), partial.payment_status()), ("ch_1:450", "partially_refunded"));
    let full =
        Reversal { kind: ReversalKind::Refund, charge: ChargeReversal { amount_reversed: 900, ..charge.clone() } };
    assert_eq!((full.source_id().as_str(), full.payment_status()), ("ch_1:900", "refunded"));
    let dispute =
        Reversal { kind: ReversalKind::Dispute, charge: ChargeReversal { cause_id: "dp_1".into(), ..charge } };
    assert_eq!((dispute.source_id().as_str(), dispute.payment_status()), ("dp_1", "disputed"));
}
