//! Request-borne input: byte ranges, paging cursors, base URLs, emails, return paths, ids, names, cookies.

use proptest::prelude::*;

use crate::account::{AccountId, DisplayName, GoogleSubject};
use crate::auth::id_token::{self, Jwks};
use crate::auth::oauth_state::OAuthState;
use crate::auth::return_to::ReturnPath;
use crate::auth::session_token::SessionToken;
use crate::auth::signed;
use crate::billing::ledger::{page_size, Cursor};
use crate::email::EmailAddress;
use crate::generation::{GenerationId, ImageId, UploadId};
use crate::ids::{base32, RequestId};
use crate::images::{parse_range, ByteRange};
use crate::time::UnixMillis;
use crate::url::BaseUrl;

/// Headers shaped like ranges (so most cases reach the arithmetic), mixed with anything at all.
fn range_header() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<Option<u64>>(), any::<Option<u64>>()).prop_map(|(a, b)| format!(
            "bytes={}-{}",
            a.map(|n| (n % 5000).to_string()).unwrap_or_default(),
            b.map(|n| (n % 5000).to_string()).unwrap_or_default()
        )),
        "bytes=[0-9 ,-]{0,20}",
        ".{0,40}",
    ]
}

proptest! {
    #[test]
    fn a_parsed_range_lies_inside_the_object(header in range_header(), size in 0u64..4096) {
        if let Ok(Some(ByteRange { offset, length })) = parse_range(Some(&header), size) {
            prop_assert!(length >= 1);
            prop_assert!(offset < size);
            prop_assert!(offset + length <= size, "{header} on {size} gave {offset}+{length}");
        }
    }

    #[test]
    fn a_range_written_by_a_client_is_served_as_asked(size in 1u64..1_000_000, a in any::<u64>(), b in any::<u64>()) {
        let (first, last) = { let (x, y) = (a % size, b % size); (x.min(y), x.max(y)) };
        let header = format!("bytes={first}-{last}");
        prop_assert_eq!(parse_range(Some(&header), size), Ok(Some(ByteRange { offset: first, length: last - first + 1 })));
        let suffix = 1 + a % size;
        let header = format!("bytes=-{suffix}");
        prop_assert_eq!(parse_range(Some(&header), size), Ok(Some(ByteRange { offset: size - suffix, length: suffix })));
    }

    #[test]
    fn no_range_header_means_the_whole_object(size in any::<u64>()) {
        prop_assert_eq!(parse_range(None, size), Ok(None));
    }

    #[test]
    fn cursors_round_trip(created_at in any::<i64>(), id in "[A-Za-z0-9_]{1,64}") {
        let cursor = Cursor { created_at, id };
        prop_assert_eq!(Cursor::parse(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn any_cursor_text_parses_to_a_safe_id_or_nothing(raw in prop_oneof![".{0,120}", "[A-Za-z0-9_-]{0,120}"]) {
        if let Some(cursor) = Cursor::parse(&raw) {
            prop_assert!(!cursor.id.is_empty() && cursor.id.len() <= 64);
            prop_assert!(cursor.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        }
    }

    #[test]
    fn page_sizes_are_between_1_and_100(raw in prop_oneof![".{0,12}", "[0-9]{1,4}", "-?[0-9]{1,12}"]) {
        if let Some(n) = page_size(Some(&raw)) {
            prop_assert!((1..=100).contains(&n));
        }
    }

    #[test]
    fn a_base_url_has_no_query_fragment_credentials_or_trailing_slash(raw in prop_oneof![
        ".{0,60}", "https?://[a-z0-9.:@?#/\\\\-]{0,30}", "http://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]{1,5})?(/[a-z]{0,5}){0,2}/?"
    ]) {
        if let Ok(url) = BaseUrl::parse(&raw) {
            let text = url.as_str();
            prop_assert!(text.starts_with("https://") || text.starts_with("http://"));
            prop_assert!(!text.contains(['?', '#', '@', '\\']) && !text.ends_with('/'));
            prop_assert!(text.starts_with(url.origin()));
            prop_assert_eq!(url.is_https(), text.starts_with("https://"));
            prop_assert_eq!(BaseUrl::parse(text), Ok(url.clone()), "parsing is idempotent");
        }
    }

    #[test]
    fn https_hosts_round_trip(host in "[a-z][a-z0-9-]{0,20}(\\.[a-z]{2,6}){1,2}", port in proptest::option::of(1u16..)) {
        let raw = format!("https://{host}{}", port.map(|p| format!(":{p}")).unwrap_or_default());
        let url = BaseUrl::parse(&format!("{raw}/")).unwrap();
        prop_assert_eq!(url.as_str(), raw.as_str());
        prop_assert_eq!(url.origin(), raw.as_str());
        prop_assert_eq!(url.join("/x"), format!("{raw}/x"));
    }

    #[test]
    fn a_parsed_email_is_trimmed_bounded_and_parses_to_itself(raw in prop_oneof![".{0,80}", " ?[a-z0-9.+_-]{1,20}@[A-Za-z0-9.-]{1,20} ?"]) {
        if let Ok(email) = EmailAddress::parse(&raw) {
            let text = email.as_str();
            prop_assert!(text.len() <= 254 && text.contains('@') && text == text.trim());
            let (_, domain) = text.rsplit_once('@').unwrap();
            prop_assert_eq!(domain, domain.to_ascii_lowercase());
            prop_assert_eq!(EmailAddress::parse(text), Ok(email.clone()));
            prop_assert!(email.matches(&EmailAddress::parse(&text.to_ascii_uppercase()).unwrap()));
        }
    }

    #[test]
    fn a_return_path_is_always_same_site(raw in prop_oneof![".{0,80}", "/[/\\\\a-z?#:.]{0,20}"]) {
        let path = ReturnPath::parse_or_default(Some(&raw));
        let text = path.as_str();
        prop_assert!(text.starts_with('/') && !text.starts_with("//") && !text.contains('\\'));
        prop_assert!(!text.chars().any(|c| c.is_control() || c.is_whitespace()));
        prop_assert!(text == raw || text == ReturnPath::DEFAULT);
    }

    #[test]
    fn resource_ids_accept_exactly_their_own_shape(raw in prop_oneof![".{0,40}", "(acc|gen|img|upl)_[a-z0-9]{24,28}"], bytes in any::<[u8; 16]>()) {
        for parsed in [AccountId::parse(&raw).map(|id| id.to_string()), GenerationId::parse(&raw).map(|id| id.to_string()),
            ImageId::parse(&raw).map(|id| id.to_string()), UploadId::parse(&raw).map(|id| id.to_string())].into_iter().flatten() {
            prop_assert_eq!(parsed.len(), 30);
            prop_assert!(parsed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        }
        let generated = format!("gen_{}", base32(&bytes));
        prop_assert_eq!(GenerationId::parse(&generated).map(|id| id.to_string()), Some(generated.clone()));
        prop_assert!(AccountId::parse(&generated).is_none(), "an id of one kind is never another's");
    }

    #[test]
    fn request_ids_and_session_tokens_are_header_safe(raw in ".{0,80}") {
        if let Some(id) = RequestId::parse(&raw) {
            prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b)));
        }
        if let Some(token) = SessionToken::parse(&raw) {
            prop_assert_eq!(token.expose().len(), 43);
            prop_assert_eq!(token.hash().len(), 64);
        }
        if let Some(subject) = GoogleSubject::parse(&raw) {
            prop_assert!(subject.as_str().bytes().all(|b| b.is_ascii_graphic()));
        }
    }

    #[test]
    fn display_names_are_trimmed_short_and_printable(raw in ".{0,100}") {
        if let Ok(name) = DisplayName::parse(&raw) {
            let text = name.as_str();
            prop_assert!(!text.is_empty() && text == text.trim() && text.chars().count() <= DisplayName::MAX_CHARS);
            prop_assert!(!text.chars().any(char::is_control));
        }
    }

    #[test]
    fn sealed_cookies_open_only_untouched_with_their_secret_and_purpose(value in any::<(u32, String)>(), index in any::<usize>(), flip in 1u8..128) {
        let sealed = signed::seal(&value, b"secret", "session");
        prop_assert_eq!(signed::open::<(u32, String)>(&sealed, b"secret", "session"), Some(value.clone()));
        prop_assert_eq!(signed::open::<(u32, String)>(&sealed, b"secret", "oauth"), None);
        prop_assert_eq!(signed::open::<(u32, String)>(&sealed, b"other", "session"), None);
        let mut tampered = sealed.clone().into_bytes();
        let i = index % tampered.len();
        tampered[i] = (tampered[i] ^ flip) & 0x7f;
        let tampered = String::from_utf8(tampered).unwrap();
        // Flipping a character of base64 text may not change the decoded bytes only in its unused low bits.
        let opened = signed::open::<(u32, String)>(&tampered, b"secret", "session");
        prop_assert!(opened.is_none() || opened == Some(value));
    }

    #[test]
    fn opening_arbitrary_cookies_never_panics(raw in ".{0,200}", state in ".{0,40}") {
        prop_assert_eq!(signed::open::<serde_json::Value>(&raw, b"secret", "session"), None);
        prop_assert!(OAuthState::open(&raw, b"secret", &state, UnixMillis(1_800_000_000_000)).is_err());
    }

    #[test]
    fn reading_any_id_token_or_key_set_never_panics(raw in prop_oneof![".{0,200}", "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,20}"]) {
        let _ = id_token::key_id(&raw);
        prop_assert!(Jwks::parse(&raw).map(|keys| !keys.contains("")).unwrap_or(true));
    }
}
