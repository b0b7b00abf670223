//! Unit and property tests of reading Stripe events: envelopes, each acted-on type, the head, reclaim targets.

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn envelope(event_type: &str, object: Value) -> Envelope {
    let body = json!({ "id": "evt_123", "type": event_type, "created": 1_800_000_000, "data": { "object": object } });
    Envelope::parse(body.to_string().as_bytes()).unwrap()
}

#[test]
fn envelopes_without_id_type_created_or_object_are_malformed() {
    for body in [
        r#"{}"#,
        r#"{"id":"evt_1","type":"x","created":1}"#,
        r#"{"id":"nope","type":"x","created":1,"data":{"object":{}}}"#,
        "not json",
        r#"{"id":"evt_1","type":"x","data":{"object":{}}}"#,
    ] {
        assert_eq!(Envelope::parse(body.as_bytes()), Err(MalformedEvent), "{body}");
    }
}

#[test]
fn a_paid_pack_checkout_is_read_with_its_account_and_plan() {
    let event = envelope(
        "checkout.session.completed",
        json!({
            "id": "cs_1", "mode": "payment", "payment_status": "paid", "client_reference_id": "acc_x",
            "metadata": { "account_id": "acc_x", "plan_id": "pack_100" }, "customer": "cus_1", "payment_intent": "pi_1",
            "amount_total": 900, "currency": "usd",
        }),
    );
    let BillingEvent::CheckoutCompleted(session) = interpret(&event).unwrap() else { panic!("wrong event") };
    assert_eq!(session.mode, CheckoutMode::Payment);
    assert!(session.paid);
    assert_eq!(session.account_id.as_deref(), Some("acc_x"));
    assert_eq!(session.plan_id.as_deref(), Some("pack_100"));
    assert_eq!(session.payment_intent_id.as_deref(), Some("pi_1"));
}

#[test]
fn an_unpaid_async_checkout_is_not_paid_yet() {
    let event =
        envelope("checkout.session.completed", json!({ "id": "cs_1", "mode": "payment", "payment_status": "unpaid" }));
    let BillingEvent::CheckoutCompleted(session) = interpret(&event).unwrap() else { panic!("wrong event") };
    assert!(!session.paid);
}

#[test]
fn invoices_find_the_account_in_either_metadata_location_and_the_price_in_either_line_shape() {
    let old_shape = envelope(
        "invoice.paid",
        json!({
            "id": "in_1", "subscription": "sub_1", "customer": "cus_1", "amount_paid": 1900, "currency": "usd",
            "subscription_details": { "metadata": { "account_id": "acc_a" } },
            "lines": { "data": [{ "price": { "id": "price_pro" } }] }, "payment_intent": "pi_9",
        }),
    );
    let new_shape = envelope(
        "invoice.paid",
        json!({
            "id": "in_1", "customer": "cus_1", "amount_paid": 1900, "currency": "usd",
            "parent": { "subscription_details": { "subscription": "sub_1", "metadata": { "account_id": "acc_a" } } },
            "lines": { "data": [{ "pricing": { "price_details": { "price": "price_pro" } } }] },
        }),
    );
    for event in [old_shape, new_shape] {
        let BillingEvent::InvoicePaid(invoice) = interpret(&event).unwrap() else { panic!("wrong event") };
        assert_eq!(invoice.subscription_id.as_deref(), Some("sub_1"));
        assert_eq!(invoice.account_id.as_deref(), Some("acc_a"));
        assert_eq!(invoice.price_id.as_deref(), Some("price_pro"));
    }
}

#[test]
fn a_deleted_subscription_is_canceled_whatever_its_status_says() {
    let event = envelope(
        "customer.subscription.deleted",
        json!({ "id": "sub_1", "status": "active", "items": { "data": [{ "price": { "id": "price_pro" }, "current_period_end": 5 }] } }),
    );
    let BillingEvent::SubscriptionChanged(state) = interpret(&event).unwrap() else { panic!("wrong event") };
    assert_eq!(state.status, "canceled");
    assert_eq!(state.current_period_end, Some(5));
    assert!(state.status_rank() > SubscriptionState { status: "active".into(), ..state.clone() }.status_rank());
}

#[test]
fn refunds_and_disputes_carry_amounts_and_their_cause() {
    let refund = envelope(
        "charge.refunded",
        json!({ "id": "ch_1", "payment_intent": "pi_1", "amount": 900, "amount_refunded": 450 }),
    );
    assert_eq!(
        interpret(&refund).unwrap(),
        BillingEvent::ChargeRefunded(ChargeReversal {
            cause_id: "ch_1".into(),
            payment_intent_id: Some("pi_1".into()),
            amount: 900,
            amount_reversed: 450
        })
    );
    let dispute = envelope(
        "charge.dispute.created",
        json!({ "id": "dp_1", "charge": "ch_1", "payment_intent": "pi_1", "amount": 900 }),
    );
    assert_eq!(
        interpret(&dispute).unwrap(),
        BillingEvent::DisputeCreated(ChargeReversal {
            cause_id: "dp_1".into(),
            payment_intent_id: Some("pi_1".into()),
            amount: 900,
            amount_reversed: 900
        })
    );
}

#[test]
fn unknown_event_types_are_ignored() {
    assert_eq!(interpret(&envelope("customer.created", json!({ "id": "cus_1" }))).unwrap(), BillingEvent::Ignored);
}

#[test]
fn reclaim_targets_follow_the_refunded_share() {
    assert_eq!(reclaim_target(100, 900, 900), 100);
    assert_eq!(reclaim_target(100, 900, 450), 50);
    assert_eq!(reclaim_target(100, 900, 1), 1, "any refund takes back at least one credit");
    assert_eq!(reclaim_target(100, 900, 0), 0);
    assert_eq!(reclaim_target(100, 0, 0), 100, "a free purchase reversed takes everything back");
}

proptest! {
    #[test]
    fn reclaim_target_is_monotonic_and_bounded(credits in 0i64..100_000, amount in 1i64..1_000_000, a in 0i64..1_000_000, b in 0i64..1_000_000) {
        let (low, high) = (a.min(b), a.max(b));
        let (t_low, t_high) = (reclaim_target(credits, amount, low), reclaim_target(credits, amount, high));
        prop_assert!(t_low <= t_high);
        prop_assert!((0..=credits).contains(&t_high));
    }
}

#[test]
fn every_type_interpret_reads_is_acted_on_and_no_other() {
    for event_type in ACTED_ON {
        // An empty object is not a readable session/invoice/...: read, and refused, never `Ignored`.
        assert_ne!(interpret(&envelope(event_type, json!({}))), Ok(BillingEvent::Ignored), "{event_type}");
    }
    for event_type in
        ["checkout.session.expired", "customer.tax_id.created", "invoice.payment_succeeded", "charge.succeeded", ""]
    {
        assert!(!acts_on(event_type), "{event_type}");
        assert_eq!(interpret(&envelope(event_type, json!({}))), Ok(BillingEvent::Ignored), "{event_type}");
    }
}

#[test]
fn the_head_reads_id_type_and_created_without_the_object_and_the_envelope_adds_it() {
    let body = r#"{"id":"evt_1","object":"event","created":1800000000,"data":{"object":{"id":"cs_1","mode":"payment"}},"type":"checkout.session.completed"}"#;
    let head = Head::parse(body.as_bytes()).unwrap();
    assert_eq!(
        (head.id.as_ref(), head.event_type.as_ref(), head.created),
        ("evt_1", "checkout.session.completed", 1_800_000_000)
    );
    assert!(head.acted_on());
    let envelope = head.into_envelope().unwrap();
    assert_eq!(envelope.object, json!({ "id": "cs_1", "mode": "payment" }));
    // Escaped strings are read (owned rather than borrowed).
    let escaped = r#"{"id":"evt_\u0031","type":"charge.refunded","created":1,"data":{"object":{}}}"#;
    let head = Head::parse(escaped.as_bytes()).unwrap();
    assert_eq!((head.id.as_ref(), head.event_type.as_ref()), ("evt_1", "charge.refunded"));
}

#[test]
fn the_head_refuses_what_the_envelope_refuses() {
    for body in [
        r#"["evt_1","x",1,{"object":{}}]"#,
        r#"{"id":"evt_1","type":"x","created":1,"data":{"object":null}}"#,
        r#"{"id":"evt_1","type":"x","created":1,"data":{"object":[]}}"#,
        r#"{"id":"evt_1","type":"x","created":1,"data":{"object":"cs_1"}}"#,
        r#"{"id":"evt_1","type":"x","created":1,"data":{}}"#,
        r#"{"id":"evt_1","type":"x","created":1.5,"data":{"object":{}}}"#,
        r#"{"id":1,"type":"x","created":1,"data":{"object":{}}}"#,
        r#"{"id":"evt_1","type":null,"created":1,"data":{"object":{}}}"#,
        r#"{"id":"evt_1","type":"x","created":1,"data":{"object":{}}} trailing"#,
        r#"{"id":"evt_1","type":"x","created":1,"data":{"object":{"unterminated":}}}"#,
    ] {
        assert_eq!(Head::parse(body.as_bytes()).map(|_| ()), Err(MalformedEvent), "{body}");
        assert_eq!(Envelope::parse(body.as_bytes()), Err(MalformedEvent), "{body}");
    }
}

proptest! {
    #[test]
    fn interpret_ignores_exactly_the_types_not_acted_on(event_type in prop_oneof![
        proptest::sample::select(ACTED_ON.to_vec()).prop_map(str::to_owned), "[a-z_.]{0,40}"]) {
        let ignored = interpret(&envelope(&event_type, json!({}))) == Ok(BillingEvent::Ignored);
        prop_assert_eq!(ignored, !acts_on(&event_type));
    }
}

#[test]
fn an_event_from_the_other_mode_than_the_key_is_told_apart() {
    let event = |livemode: &str| {
        format!(r#"{{"id":"evt_1","type":"invoice.paid","created":1,{livemode}"data":{{"object":{{}}}}}}"#)
    };
    let live = event(r#""livemode":true,"#);
    let test = event(r#""livemode":false,"#);
    let unsaid = event("");
    let head = |body: &str| super::Head::parse(body.as_bytes()).unwrap().mode_mismatch("sk_test_abc");
    assert!(head(&live));
    assert!(!head(&test));
    assert!(!head(&unsaid));
    let live_key = |body: &str| super::Head::parse(body.as_bytes()).unwrap().mode_mismatch("sk_live_abc");
    assert!(!live_key(&live));
    assert!(live_key(&test));
    assert!(!super::Head::parse(live.as_bytes()).unwrap().mode_mismatch("rk_live_abc"));
}
