//! What a creating use case with an `Idempotency-Key` answers: its own result, or the key's first result again,
//! rebuilt from the value stored with its effect.

use gptimg_domain::idempotency::{repeat, Repeat, StoredAnswer};
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;

/// The request either did its work now, or repeats a key whose first result is returned as it was.
pub enum Idempotent<T> {
    Done(T),
    /// A repeated key: the first request's result, nothing done again.
    Replayed(T),
    /// A repeated key whose answer an earlier version stored already rendered: sent as it was.
    Rendered {
        status: u16,
        body: String,
    },
}

/// The effect was refused because another request holds the key: its result again (`rebuild` reads the stored
/// value), or 409 for another request.
pub fn replay<T>(
    stored: &StoredAnswer,
    fingerprint: &str,
    now: UnixMillis,
    rebuild: impl FnOnce(&str) -> Result<Option<T>, CoreError>,
) -> Result<Idempotent<T>, CoreError> {
    match repeat(stored, fingerprint, now)? {
        Repeat::Replay { status, body } => Ok(match rebuild(&body)? {
            Some(value) => Idempotent::Replayed(value),
            None => Idempotent::Rendered { status, body },
        }),
        // The claim takes over an expired row in the same batch, so one can never be what held the key.
        Repeat::Fresh => Err(CoreError::internal("an expired idempotency key refused a claim")),
    }
}

/// A stored value read back, or `None` for an answer stored rendered by an earlier version (it has not the
/// value's fields).
pub fn stored_value<T: serde::de::DeserializeOwned>(body: &str) -> Option<T> {
    serde_json::from_str(body).ok()
}

/// The value stored with the effect, as JSON.
pub fn value_text(value: &impl serde::Serialize) -> Result<String, CoreError> {
    serde_json::to_string(value).map_err(|error| CoreError::caused_by(&error))
}
