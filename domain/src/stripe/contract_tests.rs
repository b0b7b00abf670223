//! Every sample event in tests/contracts/stripe/events/ (built by the type-checked stand-in builders at the
//! pinned API version) is read into the fact GPTImg acts on, with the ids and amounts it carries.

use std::path::PathBuf;

use super::event::{interpret, BillingEvent, CheckoutMode, Envelope};
use super::API_VERSION;
use crate::billing::plans::PlanCatalogue;
use crate::billing::{decide, Decision};

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/contracts/stripe/events")
}

fn read(name: &str) -> (Envelope, BillingEvent) {
    let body = std::fs::read(events_dir().join(format!("{name}.json"))).unwrap_or_else(|e| panic!("{name}: {e}"));
    let raw: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(raw["api_version"], API_VERSION, "{name} is not at the pinned version");
    let envelope = Envelope::parse(&body).unwrap_or_else(|_| panic!("{name} is not a readable envelope"));
    let event = interpret(&envelope).unwrap_or_else(|_| panic!("{name} is malformed to us"));
    (envelope, event)
}

#[test]
fn every_sample_event_is_read_and_none_is_ignored() {
    let mut names: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 14, "samples missing: {names:?}");
    for name in names {
        let (envelope, event) = read(&name);
        assert!(name.starts_with(&envelope.event_type), "{name} holds a {}", envelope.event_type);
        assert_ne!(event, BillingEvent::Ignored, "{name}");
    }
}

#[test]
fn a_won_dispute_gives_back_and_a_lost_one_changes_nothing_more() {
    let plans = PlanCatalogue::parse(PLANS).unwrap();
    let (_, won) = read("charge.dispute.closed.won");
    let Decision::RestoreDispute(restore) = decide(&won, &plans) else { panic!("{won:?}") };
    assert_eq!(
        (restore.dispute_id.as_str(), restore.payment_intent_id.as_str()),
        ("dp_SampleDispute001", "pi_SampleSubsPay001")
    );
    let (_, lost) = read("charge.dispute.closed.lost");
    let Decision::RecordDisputeOutcome(closed, "dispute_lost") = decide(&lost, &plans) else { panic!("{lost:?}") };
    assert_eq!((closed.status.as_str(), closed.money_kept()), ("lost", false));
}

#[test]
fn a_current_invoice_yields_its_subscription_price_plan_and_account_without_a_payment_intent() {
    let (_, BillingEvent::InvoicePaid(invoice)) = read("invoice.paid") else { panic!("not an invoice") };
    assert_eq!(invoice.id, "in_SampleInvoice001");
    assert_eq!(invoice.subscription_id.as_deref(), Some("sub_SampleSubscr0001"));
    assert_eq!(invoice.price_id.as_deref(), Some("price_pro_monthly"));
    assert_eq!(invoice.plan_id.as_deref(), Some("pro_monthly"));
    assert_eq!(invoice.account_id.as_deref(), Some("acc_sample0000000000000000"));
    assert_eq!((invoice.amount_paid, invoice.currency.as_str()), (1900, "usd"));
    assert_eq!(invoice.payment_intent_id, None);
    assert_eq!(invoice.billing_reason.as_deref(), Some("subscription_create"));
    assert!(invoice.period_end.is_some() && invoice.prorations.is_empty(), "a period line, no prorations");
}

#[test]
fn an_invoice_payment_links_its_payment_intent_to_the_invoice() {
    let (_, event) = read("invoice_payment.paid");
    let BillingEvent::InvoicePaymentPaid(payment) = &event else { panic!() };
    assert_eq!(payment.invoice_id, "in_SampleInvoice001");
    assert_eq!(payment.payment_intent_id.as_deref(), Some("pi_SampleSubsPay001"));
    assert!(payment.paid);
    let Decision::LinkInvoicePayment(link) = decide(&event, &PlanCatalogue::parse(PLANS).unwrap()) else { panic!() };
    assert_eq!(
        (link.invoice_id.as_str(), link.payment_intent_id.as_str()),
        ("in_SampleInvoice001", "pi_SampleSubsPay001")
    );
}

#[test]
fn subscriptions_take_their_period_end_from_the_item_and_plan_from_metadata() {
    let (_, BillingEvent::SubscriptionChanged(state)) = read("customer.subscription.updated") else { panic!() };
    assert_eq!(state.current_period_end, Some(1_795_000_000 + 30 * 86400));
    assert_eq!(state.price_id.as_deref(), Some("price_pro_monthly"));
    assert_eq!(state.plan_id.as_deref(), Some("pro_monthly"));
    assert!(state.cancel_at_period_end);
    let (_, BillingEvent::SubscriptionChanged(deleted)) = read("customer.subscription.deleted") else { panic!() };
    assert_eq!(deleted.status, "canceled");
}

#[test]
fn checkouts_refunds_and_disputes_name_the_payment_intent() {
    let (_, BillingEvent::CheckoutCompleted(pack)) = read("checkout.session.completed.payment") else { panic!() };
    assert_eq!((pack.mode, pack.paid), (CheckoutMode::Payment, true));
    assert_eq!(pack.payment_intent_id.as_deref(), Some("pi_SamplePackPay001"));
    let (_, BillingEvent::CheckoutCompleted(sub)) = read("checkout.session.completed.subscription") else { panic!() };
    assert_eq!(sub.subscription_id.as_deref(), Some("sub_SampleSubscr0001"));
    let (_, BillingEvent::CheckoutPaymentFailed(failed)) = read("checkout.session.async_payment_failed") else {
        panic!()
    };
    assert!(!failed.paid);
    let (_, BillingEvent::ChargeRefunded(refund)) = read("charge.refunded") else { panic!() };
    assert_eq!(refund.payment_intent_id.as_deref(), Some("pi_SampleSubsPay001"));
    assert_eq!((refund.amount, refund.amount_reversed), (1900, 1900));
    let (_, BillingEvent::DisputeCreated(dispute)) = read("charge.dispute.created") else { panic!() };
    assert_eq!(
        (dispute.cause_id.as_str(), dispute.payment_intent_id.as_deref()),
        ("dp_SampleDispute001", Some("pi_SampleSubsPay001"))
    );
}

const PLANS: &str = r#"[
  {"id":"pack_100","kind":"pack","name":"100 credits","credits":100,"price_cents":900,"currency":"usd","stripe_price_id":"price_pack_100"},
  {"id":"pro_monthly","kind":"subscription","name":"Pro","credits":400,"price_cents":1900,"currency":"usd","interval":"month","stripe_price_id":"price_pro_monthly"}
]"#;

/// One object from Stripe's own published fixtures (stripe/openapi `openapi/fixtures3.json`), wrapped in an event.
fn fixture(resource: &str, event_type: &str) -> BillingEvent {
    let path = events_dir().join(format!("../openapi-fixtures3/{resource}.json"));
    let object: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let body = serde_json::json!({ "id": "evt_fixture", "type": event_type, "created": 1_795_000_000, "data": { "object": object } });
    interpret(&Envelope::parse(body.to_string().as_bytes()).unwrap())
        .unwrap_or_else(|_| panic!("{resource} unreadable"))
}

#[test]
fn stripes_published_fixtures_are_read_too() {
    let BillingEvent::InvoicePaid(invoice) = fixture("invoice", "invoice.paid") else { panic!() };
    assert_eq!(invoice.id, "in_1Pgc6tB7WZ01zgkWu9fdqL6I");
    assert_eq!(invoice.subscription_id.as_deref(), Some("subscription"), "from parent.subscription_details");
    assert_eq!(invoice.customer_id.as_deref(), Some("cus_QXg1o8vcGmoR32"));
    assert_eq!(invoice.payment_intent_id, None);
    let BillingEvent::InvoicePaymentPaid(payment) = fixture("invoice_payment", "invoice_payment.paid") else {
        panic!()
    };
    assert_eq!((payment.invoice_id.as_str(), payment.payment_intent_id.as_deref()), ("invoice", None));
    let BillingEvent::SubscriptionChanged(sub) = fixture("subscription", "customer.subscription.updated") else {
        panic!()
    };
    assert_eq!(
        (sub.id.as_str(), sub.status.as_str(), sub.current_period_end),
        ("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", "active", Some(976_287_773))
    );
    let BillingEvent::CheckoutCompleted(session) = fixture("checkout.session", "checkout.session.completed") else {
        panic!()
    };
    assert_eq!((session.mode, session.paid), (CheckoutMode::Payment, false));
    let BillingEvent::ChargeRefunded(refund) = fixture("charge", "charge.refunded") else { panic!() };
    assert_eq!(
        (refund.cause_id.as_str(), refund.amount, refund.amount_reversed),
        ("ch_1PgafuB7WZ01zgkWXYmPNZs8", 100, 0)
    );
    let BillingEvent::DisputeCreated(dispute) = fixture("dispute", "charge.dispute.created") else { panic!() };
    assert_eq!((dispute.cause_id.as_str(), dispute.amount), ("dp_1Pgc71B7WZ01zgkWMevJiAUx", 1000));
}
