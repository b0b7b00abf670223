//! `Idempotency-Key` on the creating endpoints: which keys are valid, what identifies a request (its fingerprint),
//! how long a stored answer is replayed, and what a repeated key gets (the first answer, or 409 for another request).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{DomainError, ErrorKind};
use crate::generation::ValidGeneration;
use crate::time::UnixMillis;

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The header a replayed answer carries (`true`).
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// Longest key accepted, in characters.
pub const MAX_KEY_CHARS: usize = 255;
/// How long a key's first answer is replayed; older rows are swept and the key may be used afresh.
pub const EXPIRY_SECS: i64 = 24 * 60 * 60;

/// A client-chosen key: 1 to `MAX_KEY_CHARS` visible ASCII characters (no spaces or controls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let visible = raw.bytes().all(|b| (0x21..=0x7e).contains(&b));
        if raw.is_empty() || raw.len() > MAX_KEY_CHARS || !visible {
            return Err(DomainError::bad_request(
                "invalid_idempotency_key",
                format!("An Idempotency-Key is 1 to {MAX_KEY_CHARS} visible ASCII characters."),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The header's value if there is one; a header that is present must be valid.
    pub fn from_header(raw: Option<&str>) -> Result<Option<Self>, DomainError> {
        raw.map(Self::parse).transpose()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a key is scoped to, besides the account: the same key may be used once per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateGeneration,
    CreateUpload,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateGeneration => "create_generation",
            Self::CreateUpload => "create_upload",
        }
    }
}

/// The validated request in one canonical form: what it will do, not how it was spelled (whitespace around the
/// prompt, field order, an absent `n` and `n: 1` are the same request).
#[derive(Serialize)]
struct CanonicalGeneration<'a> {
    model: &'a str,
    prompt: &'a str,
    aspect_ratio: &'a str,
    quality: Option<&'a str>,
    reference_upload_ids: Vec<&'a str>,
    reference_image_ids: Vec<&'a str>,
    n: u32,
}

/// A generation request's fingerprint: SHA-256 (hex) of its canonical form.
pub fn generation_fingerprint(valid: &ValidGeneration<'_>) -> String {
    let canonical = CanonicalGeneration {
        model: &valid.model.id,
        prompt: valid.prompt.as_str(),
        aspect_ratio: valid.aspect_ratio.as_str(),
        quality: valid.quality.as_ref().map(|quality| quality.as_str()),
        reference_upload_ids: valid.references.iter().map(|id| id.as_str()).collect(),
        reference_image_ids: valid.image_references.iter().map(|id| id.as_str()).collect(),
        n: valid.count.get(),
    };
    let json = serde_json::to_vec(&canonical).unwrap_or_default();
    crate::hex::encode(&Sha256::digest(json))
}

/// An upload's fingerprint: the SHA-256 (hex) of its bytes, computed while they streamed in.
pub fn upload_fingerprint(bytes_sha256: &str) -> String {
    bytes_sha256.to_ascii_lowercase()
}

/// Rows created at or before this are expired: they are never replayed and the sweep deletes them.
pub fn expired_at_or_before(now: UnixMillis) -> UnixMillis {
    now.plus_secs(-EXPIRY_SECS)
}

/// A stored first answer for a key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct StoredAnswer {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    pub created_at: i64,
}

/// What a request with an already-used key gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repeat {
    /// The same request: the first answer again, nothing done.
    Replay { status: u16, body: String },
    /// The key's answer has expired: the request is new.
    Fresh,
}

/// Decides a repeated key: the same fingerprint replays, another is 409 `idempotency_key_reused`; expired is new.
pub fn repeat(stored: &StoredAnswer, fingerprint: &str, now: UnixMillis) -> Result<Repeat, DomainError> {
    if stored.created_at <= expired_at_or_before(now).0 {
        return Ok(Repeat::Fresh);
    }
    if stored.fingerprint != fingerprint {
        return Err(key_reused());
    }
    Ok(Repeat::Replay { status: stored.status, body: stored.body.clone() })
}

pub fn key_reused() -> DomainError {
    DomainError::new(
        ErrorKind::Conflict,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request; use a new key for a new request.",
    )
}

#[cfg(test)]
mod tests;
