//! Unit tests of API keys: the secret's shape and hash, bearer headers, names, rate windows, error codes.

use super::*;
use crate::ids::tests::FixedRandom;

#[test]
fn generated_keys_parse_back_hash_to_hex_and_show_only_their_start() {
    let key = ApiKeySecret::generate(&mut FixedRandom(vec![9, 8, 7]));
    assert!(key.expose().starts_with("gptimg_"));
    assert_eq!(key.expose().len(), 7 + 43);
    assert_eq!(ApiKeySecret::parse(key.expose()), Some(key.clone()));
    assert_eq!(key.hash().len(), 64);
    assert!(key.hash().bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(key.display_prefix(), &key.expose()[..11]);
    assert!(!format!("{key:?}").contains(key.expose()));
}

#[test]
fn the_hash_is_sha256_of_the_whole_key() {
    let key = ApiKeySecret::parse(&format!("gptimg_{}", "A".repeat(43))).unwrap();
    let other = ApiKeySecret::parse(&format!("gptimg_{}", "B".repeat(43))).unwrap();
    assert_ne!(key.hash(), other.hash());
    assert_eq!(key.hash(), crate::hex::encode(&Sha256::digest(key.expose().as_bytes())));
}

#[test]
fn only_the_issued_shape_is_a_key() {
    let body = "a".repeat(43);
    assert!(ApiKeySecret::parse(&format!("gptimg_{body}")).is_some());
    for bad in [
        body.clone(),
        format!("gptimg_{}", "a".repeat(42)),
        format!("gptimg_{}", "a".repeat(44)),
        format!("gptimg_{}!", "a".repeat(42)),
        format!("GPTIMG_{body}"),
        format!("sk_{body}"),
        String::new(),
    ] {
        assert!(ApiKeySecret::parse(&bad).is_none(), "{bad}");
    }
}

#[test]
fn bearer_headers_carry_keys_and_nothing_else_does() {
    let key = format!("gptimg_{}", "Z".repeat(43));
    for header in [format!("Bearer {key}"), format!("bearer {key}"), format!("BEARER  {key} ")] {
        assert_eq!(ApiKeySecret::from_authorization(&header).map(|k| k.expose().to_owned()), Some(key.clone()));
    }
    for header in [key.clone(), format!("Basic {key}"), "Bearer".into(), "Bearer ".into(), format!("Bearer x{key}")] {
        assert!(ApiKeySecret::from_authorization(&header).is_none(), "{header}");
    }
}

#[test]
fn names_are_trimmed_and_one_to_sixty_four_characters() {
    assert_eq!(ApiKeyName::parse("  CI  ").unwrap().as_str(), "CI");
    assert!(ApiKeyName::parse(&"é".repeat(64)).is_ok());
    for bad in ["", "   ", "a\u{7}b", "line\nbreak"] {
        assert_eq!(ApiKeyName::parse(bad).unwrap_err().code, "invalid_key_name", "{bad:?}");
    }
    let too_long = ApiKeyName::parse(&"x".repeat(65)).unwrap_err();
    assert_eq!((too_long.kind, too_long.code.as_ref()), (ErrorKind::BadRequest, "invalid_key_name"));
}

#[test]
fn windows_are_fixed_minutes_and_retry_after_counts_to_their_end() {
    assert_eq!(window_start(UnixMillis(120_000)), 120_000);
    assert_eq!(window_start(UnixMillis(179_999)), 120_000);
    assert_eq!(retry_after_secs(UnixMillis(120_000)), 60);
    assert_eq!(retry_after_secs(UnixMillis(120_001)), 60);
    assert_eq!(retry_after_secs(UnixMillis(178_500)), 2);
    assert_eq!(retry_after_secs(UnixMillis(179_999)), 1);
}

#[test]
fn requests_within_both_limits_pass_and_the_next_one_is_refused_with_retry_after() {
    let now = UnixMillis(150_000);
    assert!(check_rate(PER_KEY_PER_MINUTE, PER_ACCOUNT_PER_MINUTE, now).is_ok());
    for (key, account) in [(PER_KEY_PER_MINUTE + 1, 1), (1, PER_ACCOUNT_PER_MINUTE + 1)] {
        let refused = check_rate(key, account, now).unwrap_err();
        assert_eq!((refused.kind, refused.code.as_ref()), (ErrorKind::RateLimited, "api_rate_limited"));
        assert_eq!(refused.retry_after_secs, Some(30));
    }
}

#[test]
fn key_errors_have_their_named_codes_and_kinds() {
    assert_eq!(
        (invalid_api_key().kind, invalid_api_key().code.as_ref()),
        (ErrorKind::Unauthenticated, "invalid_api_key")
    );
    assert_eq!(api_key_not_allowed().kind, ErrorKind::Forbidden);
    assert_eq!(key_limit_reached().kind, ErrorKind::Conflict);
    assert_eq!(key_not_found().code, "api_key_not_found");
    assert!(ApiKeyId::parse("key_0123456789abcdefghjkmnpqrs").is_some());
    assert!(ApiKeyId::parse("ses_0123456789abcdefghjkmnpqrs").is_none());
}
