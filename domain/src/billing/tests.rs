//! Unit tests of billing decisions: packs, subscriptions and their periods, plan changes, refunds and disputes.

use super::*;
use crate::stripe::event::{ChargeReversal, CheckoutSession, Invoice, InvoicePayment};

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
        plan_id: None,
        amount_paid: 1900,
        currency: "usd".into(),
        payment_intent_id: None,
        billing_reason: Some("subscription_cycle".into()),
        period_end: Some(1_800_000_000),
        prorations: Vec::new(),
    }
}

/// What a paid invoice moves: (the period's key and credits, the plan change's credits).
fn invoice_credits(decision: Decision) -> InvoiceCredits {
    let Decision::InvoiceCredits(credits) = decision else { panic!("not invoice credits: {decision:?}") };
    credits
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
fn a_paid_pack_checkout_naming_a_subscription_plan_or_unknown_plan_needs_attention() {
    for plan in ["pro", "nope"] {
        let Decision::NeedsAttention(problem) =
            decide(&BillingEvent::CheckoutCompleted(session(CheckoutMode::Payment, true, plan)), &plans())
        else {
            panic!("{plan} was not refused")
        };
        assert_eq!(problem.reason, ProblemReason::UnknownPlan);
        assert_eq!(
            (problem.facts["checkout_session"].as_str(), problem.facts["plan_id"].as_str()),
            (Some("cs_1"), Some(plan))
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
fn a_paid_invoice_grants_the_period_credits_once_per_subscription_and_period() {
    let credits = invoice_credits(decide(&BillingEvent::InvoicePaid(invoice("price_pro")), &plans()));
    assert_eq!(credits.payment.cause_id, "in_1");
    assert_eq!(credits.period, Some(PeriodGrant { key: "sub_1:1800000000".into(), credits: 400 }));
    assert_eq!(credits.plan_change, 0);
    // A replacement invoice for the same period claims the same key, so it grants nothing more.
    let again = invoice_credits(decide(
        &BillingEvent::InvoicePaid(Invoice { id: "in_2".into(), ..invoice("price_pro") }),
        &plans(),
    ));
    assert_eq!(again.period.unwrap().key, "sub_1:1800000000");
}

#[test]
fn only_subscription_create_and_cycle_invoices_pay_a_period() {
    for reason in ["subscription_create", "subscription_cycle", "subscription"] {
        assert!(pays_a_period(Some(reason)), "{reason}");
    }
    assert!(pays_a_period(None));
    for reason in [
        "subscription_update",
        "subscription_threshold",
        "manual",
        "quote_accept",
        "upcoming",
        "automatic_pending_invoice_item_invoice",
    ] {
        assert!(!pays_a_period(Some(reason)), "{reason}");
        let other = Invoice { billing_reason: Some(reason.into()), ..invoice("price_pro") };
        assert_eq!(invoice_credits(decide(&BillingEvent::InvoicePaid(other), &plans())).period, None, "{reason}");
    }
}

fn with_max() -> PlanCatalogue {
    PlanCatalogue::parse(&PLANS.replace(
        "\n]",
        r#",{"id":"max","kind":"subscription","name":"Max","credits":1000,"price_cents":3800,"currency":"usd","interval":"month","stripe_price_id":"price_max"}]"#,
    ))
    .unwrap()
}

fn line(price: &str, amount: i64) -> ProrationLine {
    ProrationLine { price_id: Some(price.into()), amount }
}

#[test]
fn an_upgrade_mid_period_grants_the_credits_of_the_rest_of_the_period_at_most_the_difference() {
    // Half the period left: 950 of Pro's 1900 credited back, 1900 of Max's 3800 charged.
    let upgrade = Invoice {
        billing_reason: Some("subscription_update".into()),
        prorations: vec![line("price_pro", -950), line("price_max", 1900)],
        ..invoice("price_max")
    };
    let credits = invoice_credits(decide(&BillingEvent::InvoicePaid(upgrade), &with_max()));
    assert_eq!((credits.period.clone(), credits.plan_change), (None, 500 - 200));
    assert_eq!((credits.payment.plan_id.as_str(), credits.plan_change_kind()), ("max", LedgerKind::PlanChange));
    // However the lines are written, never more than the difference between the plans: never a whole period again.
    assert_eq!(plan_change_credits(&[line("price_pro", -1), line("price_max", 3800)], &with_max()), Some(600));
    assert_eq!(plan_change_credits(&[line("price_max", 3800 * 5)], &with_max()), Some(1000));
}

#[test]
fn a_downgrade_or_an_immediate_cancellation_credited_back_takes_back_the_unspent_share() {
    // Cancelled at once a quarter into the period: 1425 of 1900 credited to the customer's balance.
    assert_eq!(plan_change_credits(&[line("price_pro", -1425)], &plans()), Some(-300));
    // Down from Max to Pro at half the period: 500 of Max's back, 200 of Pro's for the rest.
    assert_eq!(plan_change_credits(&[line("price_max", -1900), line("price_pro", 950)], &with_max()), Some(-300));
    // Never more than a period's credits, and an unknown price is the unknown-plan problem.
    assert_eq!(plan_change_credits(&[line("price_pro", -19_000)], &plans()), Some(-400));
    assert_eq!(plan_change_credits(&[line("price_gone", -100)], &plans()), None);
    let cancel = Invoice {
        billing_reason: Some("subscription_update".into()),
        prorations: vec![line("price_gone", -100)],
        ..invoice("price_pro")
    };
    assert!(matches!(decide(&BillingEvent::InvoicePaid(cancel), &plans()), Decision::NeedsAttention(_)));
}

#[test]
fn a_period_invoice_paid_from_the_customer_balance_grants_its_period_once_like_any_other() {
    let from_balance =
        Invoice { amount_paid: 0, billing_reason: Some("subscription_create".into()), ..invoice("price_pro") };
    let credits = invoice_credits(decide(&BillingEvent::InvoicePaid(from_balance), &plans()));
    assert_eq!((credits.period.unwrap().credits, credits.payment.amount_cents), (400, 0));
}

#[test]
fn an_invoice_on_a_price_no_longer_in_plans_grants_the_plan_named_in_the_subscription_metadata() {
    let old_price = Invoice { plan_id: Some("pro".into()), ..invoice("price_pro_2025") };
    let credits = invoice_credits(decide(&BillingEvent::InvoicePaid(old_price), &plans()));
    assert_eq!((credits.payment.plan_id.as_str(), credits.period.unwrap().credits), ("pro", 400));
}

#[test]
fn the_invoice_price_wins_over_metadata_so_a_plan_change_in_the_portal_is_honoured() {
    let plans = PlanCatalogue::parse(&PLANS.replace(
        "\n]",
        r#",{"id":"max","kind":"subscription","name":"Max","credits":900,"price_cents":3900,"currency":"usd","interval":"month","stripe_price_id":"price_max"}]"#,
    ))
    .unwrap();
    let upgraded = Invoice { plan_id: Some("pro".into()), ..invoice("price_max") };
    let credits = invoice_credits(decide(&BillingEvent::InvoicePaid(upgraded), &plans));
    assert_eq!(credits.period.unwrap().credits, 900);
}

#[test]
fn a_paid_invoice_whose_price_and_metadata_name_no_subscription_plan_needs_attention() {
    for (price, plan) in [("price_pack_100", None), ("price_gone", Some("gone")), ("price_gone", Some("pack_100"))] {
        let unknown = Invoice { plan_id: plan.map(Into::into), ..invoice(price) };
        let Decision::NeedsAttention(problem) = decide(&BillingEvent::InvoicePaid(unknown), &plans()) else {
            panic!("{price} {plan:?}")
        };
        assert_eq!(problem.reason, ProblemReason::UnknownPlan);
        assert_eq!((problem.facts["invoice"].as_str(), problem.facts["price"].as_str()), (Some("in_1"), Some(price)));
    }
    assert_eq!(
        decide(&BillingEvent::InvoicePaymentFailed(invoice("price_gone")), &plans()),
        Decision::Ignore("unknown_plan"),
        "a failed payment moved no money: nothing to retry"
    );
}

#[test]
fn a_paid_invoice_payment_by_payment_intent_links_it_and_anything_else_is_ignored() {
    let payment = InvoicePayment {
        id: "inpay_1".into(),
        invoice_id: "in_1".into(),
        payment_intent_id: Some("pi_1".into()),
        paid: true,
        amount_paid: 1900,
        currency: "usd".into(),
    };
    let Decision::LinkInvoicePayment(link) = decide(&BillingEvent::InvoicePaymentPaid(payment.clone()), &plans())
    else {
        panic!()
    };
    assert_eq!((link.invoice_id.as_str(), link.payment_intent_id.as_str()), ("in_1", "pi_1"));
    let by_record = InvoicePayment { payment_intent_id: None, ..payment.clone() };
    assert_eq!(
        decide(&BillingEvent::InvoicePaymentPaid(by_record), &plans()),
        Decision::Ignore("not_a_payment_intent")
    );
    let open = InvoicePayment { paid: false, ..payment };
    assert_eq!(decide(&BillingEvent::InvoicePaymentPaid(open), &plans()), Decision::Ignore("invoice_payment_not_paid"));
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

#[test]
fn payment_statuses_only_move_forward() {
    assert_eq!(forward_payment_status("refunded", "partially_refunded"), "refunded");
    assert_eq!(forward_payment_status("partially_refunded", "refunded"), "refunded");
    assert_eq!(forward_payment_status("disputed", "refunded"), "disputed");
    assert_eq!(forward_payment_status("disputed", "dispute_won"), "dispute_won");
    assert_eq!(forward_payment_status("dispute_won", "disputed"), "dispute_won");
    assert_eq!(forward_payment_status("paid", "paid"), "paid");
    let ranks: serde_json::Value = serde_json::from_str(&payment_status_ranks_json()).unwrap();
    assert_eq!(ranks, serde_json::json!({"paid":0,"partially_refunded":1,"refunded":2,"disputed":3,"dispute_won":4}));
}

#[test]
fn a_closed_dispute_gives_back_only_when_the_money_stayed_with_us() {
    use crate::stripe::event::DisputeClosed;
    let closed = |status: &str, intent: Option<&str>| {
        decide(
            &BillingEvent::DisputeClosed(DisputeClosed {
                dispute_id: "dp_1".into(),
                payment_intent_id: intent.map(Into::into),
                status: status.into(),
            }),
            &plans(),
        )
    };
    let fact = |status: &str, intent: Option<&str>| DisputeClosed {
        dispute_id: "dp_1".into(),
        payment_intent_id: intent.map(Into::into),
        status: status.into(),
    };
    for status in ["won", "warning_closed", "prevented"] {
        let restore = Decision::RestoreDispute(DisputeRestore {
            dispute_id: "dp_1".into(),
            payment_intent_id: "pi_1".into(),
            closed: fact(status, Some("pi_1")),
        });
        assert_eq!(closed(status, Some("pi_1")), restore, "{status}");
    }
    // Every final status is recorded, so a `created` delivered after it knows how the dispute ended.
    let recorded = |status, intent, outcome| Decision::RecordDisputeOutcome(fact(status, intent), outcome);
    assert_eq!(closed("lost", Some("pi_1")), recorded("lost", Some("pi_1"), "dispute_lost"));
    assert_eq!(closed("under_review", Some("pi_1")), recorded("under_review", Some("pi_1"), "dispute_closed"));
    assert_eq!(closed("won", None), recorded("won", None, "dispute_without_payment_intent"));
}

#[test]
fn a_reversal_without_a_charge_amount_is_measured_against_the_payments_amount() {
    let reversal = |amount, amount_reversed| Reversal {
        kind: ReversalKind::Refund,
        charge: ChargeReversal {
            cause_id: "ch_1".into(),
            payment_intent_id: Some("pi_1".into()),
            amount,
            amount_reversed,
        },
    };
    // A charge smaller than the payment is one of several that paid it: its refund is a share of the whole.
    assert_eq!(reversal(900, 450).reclaim_target(100, 1800), 25, "measured against the whole payment");
    assert_eq!(reversal(0, 450).reclaim_target(100, 900), 50, "no charge amount: the payment's");
    assert_eq!(reversal(0, 900).reclaim_target(100, 900), 100);
    assert_eq!(reversal(0, 450).reclaim_target(100, 0), 100, "nothing to measure against takes everything back");
}

#[test]
fn a_refund_of_one_of_several_payments_of_an_invoice_reclaims_its_share_of_the_invoice() {
    let refund = |amount, refunded| Reversal {
        kind: ReversalKind::Refund,
        charge: ChargeReversal {
            cause_id: "ch_1".into(),
            payment_intent_id: Some("pi_1".into()),
            amount,
            amount_reversed: refunded,
        },
    };
    // 400 credits for an invoice of 1900 paid 1000 + 900: refunding the 1000 takes back 1000/1900 of them.
    assert_eq!(refund(1000, 1000).reclaim_target(400, 1900), 211);
    assert_eq!(refund(900, 450).reclaim_target(400, 1900), 95);
    // One payment for the whole invoice: its refunded share, as before.
    assert_eq!(refund(1900, 950).reclaim_target(400, 1900), 200);
    assert_eq!(refund(0, 1900).reclaim_target(400, 1900), 400);
}
