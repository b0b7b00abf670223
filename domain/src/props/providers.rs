//! Provider input: Stripe event envelopes and signatures, APIPod answers, statuses and callbacks.

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::apipod::answer::retry_after_secs;
use crate::apipod::{
    callback, completed_at_ms, poll_answer, submit_outcome, task_status, HttpAnswer, ProviderError, SubmitOutcome,
};
use crate::generation::{SubmitAttempt, TaskStatus, IMAGES_PAID_PER_GENERATION};
use crate::stripe::event::{interpret, Envelope};
use crate::stripe::signature::{sign, verify, SignatureError};

/// Any JSON value, a few levels deep, with the keys our parsers look for among random ones.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("type".to_owned()),
        Just("created".to_owned()),
        Just("data".to_owned()),
        Just("object".to_owned()),
        Just("status".to_owned()),
        Just("result".to_owned()),
        Just("code".to_owned()),
        Just("task_id".to_owned()),
        Just("error".to_owned()),
        Just("message".to_owned()),
        Just("url".to_owned()),
        Just("completed_at".to_owned()),
        Just("metadata".to_owned()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<i32>().prop_map(|n| json!(f64::from(n) / 4.0)),
        ".{0,20}".prop_map(Value::from),
        prop_oneof![Just("completed"), Just("failed"), Just("pending"), Just("evt_1"), Just("https://x.test/a.png")]
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object (what `data.object` and a task are).
fn json_object() -> impl Strategy<Value = Value> {
    proptest::collection::btree_map("[a-z_]{1,12}", json_value(), 0..6)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![json_value().prop_map(|v| v.to_string()), ".{0,80}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn reading_any_stripe_event_never_panics(body in body()) {
        if let Ok(envelope) = Envelope::parse(body.as_bytes()) {
            prop_assert!(envelope.id.starts_with("evt_") && envelope.object.is_object());
            let _ = interpret(&envelope);
        }
    }

    #[test]
    fn any_event_object_is_interpreted_or_refused_without_panicking(event_type in prop_oneof![
        Just("checkout.session.completed"), Just("invoice.paid"), Just("invoice.payment_succeeded"),
        Just("customer.subscription.updated"), Just("customer.subscription.deleted"), Just("charge.refunded"),
        Just("charge.dispute.created"), Just("charge.dispute.closed"), Just("unknown.event")], object in json_object()) {
        let envelope = Envelope { id: "evt_1".into(), event_type: event_type.into(), created: 1, object };
        let _ = interpret(&envelope);
    }

    #[test]
    fn an_envelope_we_write_reads_back(id in "evt_[A-Za-z0-9]{1,24}", event_type in "[a-z_.]{1,40}", created in any::<i64>(), object in json_object()) {
        let body = json!({ "id": id, "object": "event", "type": event_type, "created": created, "data": { "object": object } });
        let envelope = Envelope::parse(body.to_string().as_bytes()).unwrap();
        prop_assert_eq!(envelope, Envelope { id, event_type, created, object });
    }

    #[test]
    fn a_signature_holds_only_for_the_signed_body_time_and_secret(body in proptest::collection::vec(any::<u8>(), 0..256),
        t in 1_000_000_000i64..3_000_000_000, skew in -300i64..=300, other_t in 1i64..300, secret in "whsec_[A-Za-z0-9]{8,32}") {
        let header = sign(&body, &secret, t);
        prop_assert_eq!(verify(Some(&header), &body, &secret, t + skew), Ok(()));
        let moved = header.replacen(&format!("t={t}"), &format!("t={}", t + other_t), 1);
        prop_assert_eq!(verify(Some(&moved), &body, &secret, t), Err(SignatureError::Mismatch));
        prop_assert_eq!(verify(Some(&header), &body, &format!("{secret}x"), t), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_signature_header_on_any_body_never_verifies_by_chance(header in ".{0,120}", body in ".{0,40}") {
        prop_assert!(verify(Some(&header), body.as_bytes(), "whsec_secret", 1_800_000_000).is_err());
    }

    #[test]
    fn reading_any_apipod_answer_never_panics(body in body(), status in prop_oneof![Just(200u16), Just(409), Just(429), 100u16..600],
        retry_after in proptest::option::of(".{0,12}"), number in 0u32..16, now_secs in 0i64..400, jitter_permille in 0u32..2000) {
        let answer = HttpAnswer { status, retry_after: retry_after.as_deref(), body: &body };
        let attempt = SubmitAttempt { number, now_secs, window_end_secs: 300, jitter_permille };
        match submit_outcome(Some(answer), attempt) {
            SubmitOutcome::Accepted(task_id) => {
                prop_assert!((200..300).contains(&status));
                prop_assert!(crate::apipod::plausible_task_id(&task_id));
            }
            SubmitOutcome::RetryAfter { secs, .. } => {
                prop_assert!(attempt.may_retry() && (1..=300).contains(&secs), "{secs}");
            }
            SubmitOutcome::Fail { .. } => {}
        }
        let _ = poll_answer(Some(answer));
        let _ = task_status(&body);
        let _ = completed_at_ms(&body);
        let error = ProviderError::parse(status, &body);
        prop_assert!(error.code.iter().chain(error.kind.iter()).all(|t| t.chars().count() <= 64));
        if let Some(message) = error.message {
            prop_assert!(!message.is_empty() && !message.chars().any(char::is_control));
        }
    }

    #[test]
    fn a_completed_task_yields_the_urls_it_names(urls in proptest::collection::vec("https://[a-z]{1,10}\\.test/[a-z0-9]{1,10}\\.png", 1..4),
        wrapped in any::<bool>(), as_objects in any::<bool>()) {
        let result: Vec<Value> = urls.iter().map(|u| if as_objects { json!({ "url": u }) } else { json!(u) }).collect();
        let task = json!({ "task_id": "task_1", "status": "completed", "result": result });
        let body = if wrapped { json!({ "code": 200, "message": "success", "data": task }) } else { task };
        let paid: Vec<String> = urls.into_iter().take(IMAGES_PAID_PER_GENERATION).collect();
        prop_assert_eq!(task_status(&body.to_string()), TaskStatus::Completed(paid));
    }

    #[test]
    fn an_accepted_submission_names_its_task(task_id in "[A-Za-z0-9_-]{1,128}", code in prop_oneof![Just(0), Just(200)]) {
        let body = json!({ "code": code, "message": "success", "data": { "task_id": task_id } }).to_string();
        let answer = HttpAnswer { status: 200, retry_after: None, body: &body };
        let first = SubmitAttempt { number: 0, now_secs: 0, window_end_secs: 300, jitter_permille: 0 };
        prop_assert_eq!(submit_outcome(Some(answer), first), SubmitOutcome::Accepted(task_id));
    }

    #[test]
    fn retry_after_is_between_1_and_300_seconds(header in proptest::option::of(prop_oneof![".{0,12}", "[0-9]{1,12}"])) {
        prop_assert!((1..=300).contains(&retry_after_secs(header.as_deref())));
    }

    #[test]
    fn a_callback_token_verifies_only_for_its_generation(id in "gen_[a-z0-9]{26}", other in "gen_[a-z0-9]{26}", guess in ".{0,70}") {
        let secret = b"0123456789abcdef0123456789abcdef";
        let token = callback::token(secret, &id);
        prop_assert!(callback::verify(secret, &id, &token));
        prop_assert_eq!(callback::verify(secret, &other, &token), other == id);
        prop_assert_eq!(callback::verify(secret, &id, &guess), guess == token);
        prop_assert!(callback::path(secret, &id).ends_with(&token));
    }

    #[test]
    fn a_callback_claim_is_bounded(body in body()) {
        let claim = callback::claim(body.as_bytes());
        prop_assert!(claim.task_id.iter().chain(claim.status.iter()).all(|t| t.chars().count() <= 128));
    }
}
