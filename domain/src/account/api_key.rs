//! Personal API keys: the secret's format (only its SHA-256 is stored), names, the per-account limit, and the
//! fixed one-minute windows that rate-limit key requests per key and per account.

use std::borrow::Cow;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{DomainError, ErrorKind};
use crate::ids::RandomSource;
use crate::time::UnixMillis;

crate::resource_id!(
    /// Names one API key row (never the secret).
    ApiKeyId,
    "key"
);

/// At most this many live (unrevoked) keys per account.
pub const MAX_KEYS_PER_ACCOUNT: i64 = 10;
/// Requests one key may make per window.
pub const PER_KEY_PER_MINUTE: i64 = 60;
/// Requests all of an account's keys together may make per window.
pub const PER_ACCOUNT_PER_MINUTE: i64 = 120;
/// The rate windows' length: fixed minutes of the UTC clock.
pub const WINDOW_MS: i64 = 60_000;

const SCHEME: &str = "gptimg_";
const BODY_LEN: usize = 43;
/// How much of the key the owner sees again in the list (scheme + 4 characters of the secret).
const DISPLAY_LEN: usize = SCHEME.len() + 4;

/// The bearer secret: `gptimg_` + 32 random bytes in unpadded base64url. Never logged or stored in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl std::fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKeySecret([redacted])")
    }
}

impl ApiKeySecret {
    pub fn generate(random: &mut dyn RandomSource) -> Self {
        let mut bytes = [0u8; 32];
        random.fill(&mut bytes);
        Self(format!("{SCHEME}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Accepts only the exact shape we issue, so junk never reaches the database.
    pub fn parse(raw: &str) -> Option<Self> {
        let body = raw.strip_prefix(SCHEME)?;
        let well_formed =
            body.len() == BODY_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(raw.to_owned()))
    }

    /// The key in an `Authorization` header value: `Bearer <key>` (scheme case-insensitive, RFC 9110), else `None`.
    pub fn from_authorization(header: &str) -> Option<Self> {
        let (scheme, credentials) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        Self::parse(credentials.trim_start())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks up: lowercase hex SHA-256 of the whole key.
    pub fn hash(&self) -> String {
        crate::hex::encode(&Sha256::digest(self.0.as_bytes()))
    }

    /// The start of the key, shown in the list so its owner can tell keys apart (`gptimg_AbCd`).
    pub fn display_prefix(&self) -> &str {
        &self.0[..DISPLAY_LEN]
    }
}

/// A key's name: trimmed, 1 to 64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ApiKeyName(String);

impl ApiKeyName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        let ok = !name.is_empty() && name.chars().count() <= Self::MAX_CHARS && !name.chars().any(char::is_control);
        match ok {
            true => Ok(Self(name.to_owned())),
            false => Err(DomainError::bad_request(
                "invalid_key_name",
                "A key's name must be 1 to 64 characters, without control characters.",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn key_limit_reached() -> DomainError {
    DomainError::new(
        ErrorKind::Conflict,
        "api_key_limit_reached",
        format!("An account can have at most {MAX_KEYS_PER_ACCOUNT} keys. Revoke one to create another."),
    )
}

pub fn key_not_found() -> DomainError {
    DomainError::new(ErrorKind::NotFound, "api_key_not_found", "No such API key.")
}

/// Not a key we issued, revoked, or its account is gone or going.
pub fn invalid_api_key() -> DomainError {
    DomainError::new(
        ErrorKind::Unauthenticated,
        "invalid_api_key",
        "The API key is missing, malformed, revoked or unknown.",
    )
}

pub fn api_key_not_allowed() -> DomainError {
    DomainError::new(
        ErrorKind::Forbidden,
        "api_key_not_allowed",
        "API keys cannot be used here; this needs a signed-in browser session.",
    )
}

/// The start of the fixed window `now` falls in.
pub fn window_start(now: UnixMillis) -> i64 {
    now.0 - now.0.rem_euclid(WINDOW_MS)
}

/// Whole seconds until the window `now` falls in ends, at least 1.
pub fn retry_after_secs(now: UnixMillis) -> u32 {
    let left_ms = window_start(now) + WINDOW_MS - now.0;
    u32::try_from((left_ms + 999) / 1000).unwrap_or(1).max(1)
}

/// Decides a key request from its window counts, this request included: 429 `api_rate_limited` over either limit.
pub fn check_rate(key_count: i64, account_count: i64, now: UnixMillis) -> Result<(), DomainError> {
    let which: Cow<'static, str> = match (key_count > PER_KEY_PER_MINUTE, account_count > PER_ACCOUNT_PER_MINUTE) {
        (false, false) => return Ok(()),
        (true, _) => format!("This key may make {PER_KEY_PER_MINUTE} requests a minute.").into(),
        (false, true) => {
            format!("An account's keys may make {PER_ACCOUNT_PER_MINUTE} requests a minute together.").into()
        }
    };
    Err(DomainError::new(ErrorKind::RateLimited, "api_rate_limited", which).with_retry_after(retry_after_secs(now)))
}

#[cfg(test)]
mod tests;
