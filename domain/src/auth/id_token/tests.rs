//! Unit tests of ID-token verification against tokens signed here: good tokens, wrong keys, every claim rule.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_compact::alg::{Hs256, Hs256Key, ModulusBits, RsaPrivateKey};
use jwt_compact::{Claims, Header};
use serde_json::{json, Value};

use super::*;

const CLIENT_ID: &str = "client-123.apps.googleusercontent.com";
const NONCE: &str = "nonce-abc";
const NOW: i64 = 1_800_000_000;

struct Keys {
    private: StrongKey<RsaPrivateKey>,
    other_private: StrongKey<RsaPrivateKey>,
    jwks_json: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rand::thread_rng();
        let (private, public) = Rsa::generate(&mut rng, ModulusBits::TwoKibibytes).unwrap();
        let (other_private, _) = Rsa::generate(&mut rng, ModulusBits::TwoKibibytes).unwrap();
        let mut jwk = serde_json::to_value(JsonWebKey::from(public.as_ref())).unwrap();
        jwk["kid"] = json!("key-1");
        jwk["alg"] = json!("RS256");
        Keys { private, other_private, jwks_json: json!({ "keys": [jwk] }).to_string() }
    })
}

fn good_claims() -> Value {
    json!({
        "iss": "https://accounts.google.com", "aud": CLIENT_ID, "sub": "1234567890",
        "email": "Ada@Example.com", "email_verified": true, "name": "Ada Lovelace",
        "picture": "https://lh3.googleusercontent.com/a/photo", "nonce": NONCE,
        "iat": NOW - 10, "exp": NOW + 3600,
    })
}

fn sign_with(claims: Value, kid: &str, key: &StrongKey<RsaPrivateKey>) -> String {
    RS256.token(&Header::empty().with_key_id(kid), &Claims::new(claims), key).unwrap()
}

fn sign(claims: Value) -> String {
    sign_with(claims, "key-1", &keys().private)
}

fn check(token: &str) -> Result<GoogleIdentity, IdTokenError> {
    let jwks = Jwks::parse(&keys().jwks_json).unwrap();
    verify(token, &jwks, &Expected { client_id: CLIENT_ID, nonce: NONCE, now_secs: NOW })
}

fn with(field: &str, value: Value) -> Value {
    let mut claims = good_claims();
    claims[field] = value;
    claims
}

fn without(field: &str) -> Value {
    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove(field);
    claims
}

#[test]
fn a_good_token_yields_the_identity() {
    let identity = check(&sign(good_claims())).unwrap();
    assert_eq!(identity.subject.as_str(), "1234567890");
    assert_eq!(identity.email.as_str(), "Ada@example.com");
    assert_eq!(identity.name.as_str(), "Ada Lovelace");
    assert_eq!(identity.picture_url.as_deref(), Some("https://lh3.googleusercontent.com/a/photo"));
    assert_eq!(key_id(&sign(good_claims())).as_deref(), Some("key-1"));
}

#[test]
fn both_google_issuer_spellings_and_string_email_verified_are_accepted() {
    assert!(check(&sign(with("iss", json!("accounts.google.com")))).is_ok());
    assert!(check(&sign(with("email_verified", json!("true")))).is_ok());
}

#[test]
fn a_token_signed_by_another_key_is_rejected() {
    assert_eq!(check(&sign_with(good_claims(), "key-1", &keys().other_private)), Err(IdTokenError::BadSignature));
}

#[test]
fn an_unknown_key_id_is_rejected() {
    assert_eq!(check(&sign_with(good_claims(), "key-2", &keys().private)), Err(IdTokenError::UnknownKey));
}

#[test]
fn a_tampered_payload_is_rejected() {
    let token = sign(good_claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode(with("sub", json!("attacker")).to_string());
    assert_eq!(check(&format!("{}.{}.{}", parts[0], forged, parts[2])), Err(IdTokenError::BadSignature));
}

#[test]
fn each_claim_rule_is_enforced() {
    assert_eq!(check(&sign(with("iss", json!("https://evil.example")))), Err(IdTokenError::WrongIssuer));
    assert_eq!(check(&sign(with("aud", json!("someone-else")))), Err(IdTokenError::WrongAudience));
    assert_eq!(check(&sign(with("aud", json!([CLIENT_ID, "other"])))), Err(IdTokenError::WrongAudience));
    assert_eq!(check(&sign(with("exp", json!(NOW - LEEWAY_SECS - 1)))), Err(IdTokenError::Expired));
    assert!(check(&sign(with("exp", json!(NOW - LEEWAY_SECS + 1)))).is_ok(), "within leeway");
    assert_eq!(check(&sign(with("iat", json!(NOW + LEEWAY_SECS + 5)))), Err(IdTokenError::NotYetValid));
    assert_eq!(check(&sign(without("exp"))), Err(IdTokenError::MissingClaim));
    assert_eq!(check(&sign(with("nonce", json!("other")))), Err(IdTokenError::NonceMismatch));
    assert_eq!(check(&sign(without("nonce"))), Err(IdTokenError::NonceMismatch));
    assert_eq!(check(&sign(with("email_verified", json!(false)))), Err(IdTokenError::EmailNotVerified));
    assert_eq!(check(&sign(without("email_verified"))), Err(IdTokenError::EmailNotVerified));
    assert_eq!(check(&sign(without("email"))), Err(IdTokenError::MissingClaim));
}

#[test]
fn alg_none_and_hs256_key_confusion_are_rejected() {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"key-1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(good_claims().to_string());
    assert_eq!(check(&format!("{header}.{payload}.")), Err(IdTokenError::UnsupportedAlgorithm));

    // An attacker signs with HS256 using the public key's bytes as the HMAC secret.
    let hmac_key = Hs256Key::new(keys().jwks_json.as_bytes());
    let confused = Hs256.token(&Header::empty().with_key_id("key-1"), &Claims::new(good_claims()), &hmac_key).unwrap();
    assert_eq!(check(&confused), Err(IdTokenError::UnsupportedAlgorithm));
}

#[test]
fn garbage_is_malformed() {
    assert_eq!(check("not-a-jwt"), Err(IdTokenError::Malformed));
    assert_eq!(check(""), Err(IdTokenError::Malformed));
}

#[test]
fn weak_keys_in_the_key_set_are_ignored() {
    let mut rng = rand::thread_rng();
    let weak = RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let mut jwk = serde_json::to_value(JsonWebKey::from(&weak.to_public_key())).unwrap();
    jwk["kid"] = json!("weak");
    let jwks = Jwks::parse(&json!({ "keys": [jwk] }).to_string()).unwrap();
    assert!(!jwks.contains("weak"));
}
