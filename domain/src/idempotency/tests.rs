//! Unit tests of Idempotency-Key: key shape, fingerprints, replay and refusal until expiry.

use super::*;
use crate::generation::models::ModelCatalogue;
use crate::generation::{validate, GenerationRequest};

const MODELS: &str = r#"[
  {"id":"plain","name":"Plain","apipod_model":"plain-1","credits_per_image":1,"aspect_ratios":["1:1","16:9"],"qualities":["standard","hd"],"max_reference_images":2,"edit_model":"plain-edit"}
]"#;
const UPLOAD: &str = "upl_0123456789abcdefghjkmnpqrs";

fn request(prompt: &str, n: Option<i64>) -> GenerationRequest {
    GenerationRequest {
        prompt: prompt.into(),
        model: "plain".into(),
        aspect_ratio: "1:1".into(),
        quality: None,
        reference_upload_ids: Vec::new(),
        reference_image_ids: Vec::new(),
        n,
    }
}

fn fingerprint(r: &GenerationRequest) -> String {
    let models = ModelCatalogue::parse(MODELS).unwrap();
    generation_fingerprint(&validate(r, &models).unwrap())
}

#[test]
fn keys_are_one_to_255_visible_ascii_characters() {
    for good in ["a", "0f8fad5b-d9cb-469f-a165-70867728950e", "~!@#$%^&*()_+{}|:\"<>?", &"k".repeat(255)] {
        assert_eq!(IdempotencyKey::parse(good).unwrap().as_str(), good);
    }
    for bad in ["", " ", "has space", "tab\t", "ünïcode", "new\nline", &"k".repeat(256), "\u{7f}"] {
        let error = IdempotencyKey::parse(bad).unwrap_err();
        assert_eq!((error.kind, error.code.as_ref()), (ErrorKind::BadRequest, "invalid_idempotency_key"), "{bad:?}");
    }
    assert_eq!(IdempotencyKey::from_header(None).unwrap(), None);
    assert!(IdempotencyKey::from_header(Some("")).is_err());
}

#[test]
fn the_generation_fingerprint_is_the_validated_request_not_its_spelling() {
    let base = fingerprint(&request("a red fox", None));
    assert_eq!(base.len(), 64);
    assert_eq!(fingerprint(&request("  a red fox \n", Some(1))), base);
    assert_ne!(fingerprint(&request("a red fox", Some(2))), base);
    assert_ne!(fingerprint(&request("a red cat", None)), base);
    assert_ne!(fingerprint(&GenerationRequest { aspect_ratio: "16:9".into(), ..request("a red fox", None) }), base);
    assert_ne!(fingerprint(&GenerationRequest { quality: Some("hd".into()), ..request("a red fox", None) }), base);
    let with_ref = GenerationRequest { reference_upload_ids: vec![UPLOAD.into()], ..request("a red fox", None) };
    assert_ne!(fingerprint(&with_ref), base);
}

#[test]
fn a_repeated_key_replays_the_same_request_and_refuses_another_until_it_expires() {
    let now = UnixMillis(10 * EXPIRY_SECS * 1000);
    let stored =
        StoredAnswer { fingerprint: "f1".into(), status: 202, body: "{\"a\":1}".into(), created_at: now.0 - 1000 };
    assert_eq!(repeat(&stored, "f1", now).unwrap(), Repeat::Replay { status: 202, body: "{\"a\":1}".into() });
    let reused = repeat(&stored, "f2", now).unwrap_err();
    assert_eq!((reused.kind, reused.code.as_ref()), (ErrorKind::Conflict, "idempotency_key_reused"));
    let day_old = StoredAnswer { created_at: now.0 - EXPIRY_SECS * 1000, ..stored.clone() };
    assert_eq!(repeat(&day_old, "f2", now).unwrap(), Repeat::Fresh);
    let just_inside = StoredAnswer { created_at: now.0 - EXPIRY_SECS * 1000 + 1, ..stored };
    assert!(matches!(repeat(&just_inside, "f1", now).unwrap(), Repeat::Replay { .. }));
    assert_eq!(expired_at_or_before(now).0, now.0 - EXPIRY_SECS * 1000);
}

#[test]
fn an_uploads_fingerprint_is_its_bytes_hash_and_operations_are_distinct_scopes() {
    assert_eq!(upload_fingerprint("ABCdef"), "abcdef");
    assert_ne!(Operation::CreateGeneration.as_str(), Operation::CreateUpload.as_str());
}
