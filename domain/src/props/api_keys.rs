//! API keys: any Authorization header or name never panics, issued keys parse back, and the rate windows always
//! contain `now` with a Retry-After of 1 to 60 seconds.

use proptest::prelude::*;

use crate::account::api_key::{check_rate, retry_after_secs, window_start, ApiKeyName, ApiKeySecret, WINDOW_MS};
use crate::ids::tests::FixedRandom;
use crate::time::UnixMillis;

proptest! {
    #[test]
    fn issued_keys_parse_back_from_a_bearer_header(bytes in proptest::collection::vec(any::<u8>(), 1..40)) {
        let key = ApiKeySecret::generate(&mut FixedRandom(bytes));
        let header = format!("Bearer {}", key.expose());
        prop_assert_eq!(ApiKeySecret::from_authorization(&header), Some(key.clone()));
        prop_assert!(key.expose().starts_with(key.display_prefix()));
    }

    #[test]
    fn any_header_or_name_is_read_without_panicking(raw in ".{0,120}") {
        if let Some(key) = ApiKeySecret::from_authorization(&raw) {
            prop_assert_eq!(key.expose().len(), 50);
        }
        if let Ok(name) = ApiKeyName::parse(&raw) {
            prop_assert!((1..=64).contains(&name.as_str().chars().count()));
            prop_assert_eq!(name.as_str(), name.as_str().trim());
        }
    }

    #[test]
    fn the_window_holds_now_and_retry_after_reaches_its_end(now in 0i64..4_000_000_000_000) {
        let start = window_start(UnixMillis(now));
        prop_assert!(start <= now && now < start + WINDOW_MS && start % WINDOW_MS == 0);
        let wait = i64::from(retry_after_secs(UnixMillis(now)));
        prop_assert!((1..=60).contains(&wait));
        prop_assert!(now + wait * 1000 >= start + WINDOW_MS, "waiting Retry-After seconds reaches the next window");
        let refused = check_rate(61, 0, UnixMillis(now)).unwrap_err();
        prop_assert_eq!(refused.retry_after_secs, Some(wait as u32));
    }
}
