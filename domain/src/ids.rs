//! Identifier formats: random, prefixed resource ids and request ids, generated from caller-supplied randomness.

use std::fmt;

/// Where random bytes come from. The Worker supplies the platform CSPRNG; tests supply fixed bytes.
pub trait RandomSource {
    fn fill(&mut self, dest: &mut [u8]);
}

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Lower-case Crockford base32 without padding: URL-safe, unambiguous, case-insensitive friendly.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// 128 random bits as 26 base32 characters.
pub fn random_token(random: &mut dyn RandomSource) -> String {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes);
    base32(&bytes)
}

fn is_base32_body(body: &str) -> bool {
    body.len() == 26 && body.bytes().all(|b| ALPHABET.contains(&b))
}

/// Declares a resource id newtype: `<prefix>_<26 base32 chars>`, parsed strictly.
#[macro_export]
macro_rules! resource_id {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = String;

            /// What a row or body holds must have the exact generated format.
            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw).ok_or_else(|| format!("not a {} id", Self::PREFIX))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        /// Reads as the plain text it is, so it goes wherever a `&str` does (SQL binds, keys, logs).
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn generate(random: &mut dyn $crate::ids::RandomSource) -> Self {
                Self(format!("{}_{}", Self::PREFIX, $crate::ids::random_token(random)))
            }

            /// Accepts only the exact format this type generates.
            pub fn parse(raw: &str) -> Option<Self> {
                $crate::ids::has_resource_id_shape(raw, Self::PREFIX).then(|| Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        #[cfg(test)]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $crate::api::schema::resource_id(Self::PREFIX)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

#[doc(hidden)]
pub fn has_resource_id_shape(raw: &str, prefix: &str) -> bool {
    raw.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('_')).is_some_and(is_base32_body)
}

/// Correlates one request across logs and responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    const MAX_LEN: usize = 64;

    /// Accepts a caller-supplied id only if it is 8 to 64 characters of `[A-Za-z0-9._-]`,
    /// so it can never inject into logs or headers.
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed = (8..=Self::MAX_LEN).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        well_formed.then(|| Self(raw.to_owned()))
    }

    pub fn generate(random: &mut dyn RandomSource) -> Self {
        Self(format!("req_{}", random_token(random)))
    }

    /// The id queue batches and cron runs log under (they serve no request): `-`.
    pub fn background() -> Self {
        Self("-".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Deterministic randomness for tests: repeats the given byte pattern.
    pub struct FixedRandom(pub Vec<u8>);

    impl RandomSource for FixedRandom {
        fn fill(&mut self, dest: &mut [u8]) {
            for (i, byte) in dest.iter_mut().enumerate() {
                *byte = self.0[i % self.0.len()];
            }
        }
    }

    resource_id!(
        /// A throwaway id type to exercise the macro.
        WidgetId,
        "wdg"
    );

    #[test]
    fn base32_matches_known_vectors() {
        assert_eq!(base32(&[]), "");
        assert_eq!(base32(&[0]), "00");
        assert_eq!(base32(&[0xff]), "zw");
        assert_eq!(base32(&[0xff; 5]), "zzzzzzzz");
    }

    #[test]
    fn generated_ids_parse_back_and_carry_their_prefix() {
        let id = WidgetId::generate(&mut FixedRandom(vec![7, 200, 33]));
        assert!(id.as_str().starts_with("wdg_"));
        assert_eq!(id.as_str().len(), 4 + 26);
        assert_eq!(WidgetId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn ids_with_the_wrong_prefix_length_or_alphabet_are_rejected() {
        let body = "0123456789abcdefghjkmnpqrs";
        assert!(WidgetId::parse(&format!("wdg_{body}")).is_some());
        assert!(WidgetId::parse(&format!("usr_{body}")).is_none());
        assert!(WidgetId::parse(&format!("wdg_{}", &body[1..])).is_none());
        assert!(WidgetId::parse(&format!("wdg_{}", body.replace('a', "i"))).is_none());
        assert!(WidgetId::parse(&format!("wdg_{}", body.to_uppercase())).is_none());
        assert!(WidgetId::parse("wdg").is_none());
    }

    #[test]
    fn request_ids_from_clients_must_be_short_and_plain() {
        assert!(RequestId::parse("abc-123_XYZ.9").is_some());
        assert!(RequestId::parse("short").is_none());
        assert!(RequestId::parse(&"a".repeat(65)).is_none());
        assert!(RequestId::parse("has space in it").is_none());
        assert!(RequestId::parse("newline\ninjected").is_none());
        assert!(RequestId::parse("quote\"injected").is_none());
    }

    #[test]
    fn background_work_uses_the_id_its_log_lines_carry() {
        assert_eq!(RequestId::background().as_str(), "-");
        assert!(RequestId::parse("-").is_none(), "a caller cannot pose as background work");
    }

    #[test]
    fn generated_request_ids_are_well_formed() {
        let id = RequestId::generate(&mut FixedRandom(vec![1, 2, 3]));
        assert_eq!(RequestId::parse(id.as_str()), Some(id));
    }

    proptest! {
        #[test]
        fn base32_length_is_ceil_of_bits_over_five(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let encoded = base32(&bytes);
            prop_assert_eq!(encoded.len(), (bytes.len() * 8).div_ceil(5));
            prop_assert!(encoded.bytes().all(|b| ALPHABET.contains(&b)));
        }

        #[test]
        fn distinct_randomness_gives_distinct_tokens(a in any::<[u8; 16]>(), b in any::<[u8; 16]>()) {
            prop_assume!(a != b);
            prop_assert_ne!(base32(&a), base32(&b));
        }
    }
}

crate::resource_id!(
    /// One admin action in the audit log (also the source id of an admin credit adjustment's ledger entry).
    AuditId,
    "aud"
);

crate::resource_id!(
    /// A support message.
    SupportMessageId,
    "sup"
);

crate::resource_id!(
    /// An admin's reply to a support message.
    SupportReplyId,
    "rep"
);

#[cfg(test)]
mod serde_tests {
    use super::AuditId;

    #[test]
    fn ids_serialize_as_plain_strings_and_deserialize_only_when_well_formed() {
        let good = "aud_0123456789abcdefghjkmnpqrs";
        let id: AuditId = serde_json::from_value(serde_json::json!(good)).unwrap();
        assert_eq!(serde_json::to_value(&id).unwrap(), serde_json::json!(good));
        assert_eq!(&*id, good);
        assert!(serde_json::from_value::<AuditId>(serde_json::json!("aud_x")).is_err());
        assert!(serde_json::from_value::<AuditId>(serde_json::json!("acc_0123456789abcdefghjkmnpqrs")).is_err());
    }
}
