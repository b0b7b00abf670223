//! Session tokens: 256 random bits in the cookie, only their SHA-256 hash stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::ids::RandomSource;

/// How long a session lasts from sign-in.
pub const SESSION_LIFETIME_SECS: i64 = 30 * 24 * 60 * 60;

/// The bearer secret in the session cookie. Never logged or stored in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

impl SessionToken {
    pub fn generate(random: &mut dyn RandomSource) -> Self {
        let mut bytes = [0u8; 32];
        random.fill(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only the exact shape we issue, so junk cookies never reach the database.
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed = raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks up: lowercase hex SHA-256 of the token.
    pub fn hash(&self) -> String {
        crate::hex::encode(&Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::tests::FixedRandom;

    #[test]
    fn generated_tokens_parse_back_and_hash_to_64_hex_characters() {
        let token = SessionToken::generate(&mut FixedRandom(vec![9, 8, 7]));
        assert_eq!(SessionToken::parse(token.expose()), Some(token.clone()));
        assert_eq!(token.hash().len(), 64);
        assert_ne!(token.hash(), token.expose());
    }

    #[test]
    fn malformed_cookies_are_not_tokens() {
        assert!(SessionToken::parse("short").is_none());
        assert!(SessionToken::parse(&"a".repeat(44)).is_none());
        assert!(SessionToken::parse(&format!("{}!", "a".repeat(42))).is_none());
    }

    #[test]
    fn debug_output_hides_the_token() {
        let token = SessionToken::generate(&mut FixedRandom(vec![1]));
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
