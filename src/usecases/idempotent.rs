//! What a creating use case with an `Idempotency-Key` answers: its own result, or the key's first answer again.

use gptimg_domain::idempotency::{repeat, IdempotencyKey, Repeat, StoredAnswer};
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;

/// A request's Idempotency-Key, and how to render the answer stored with its effect (`R`: the use case's renderer).
pub struct Keyed<'a, R: ?Sized> {
    pub key: &'a IdempotencyKey,
    pub render: &'a R,
}

/// The request either did its work now, or repeats a key whose first answer is returned as it was.
pub enum Idempotent<T> {
    Done(T),
    Replayed { status: u16, body: String },
}

/// The effect was refused because another request holds the key: replay its answer, or 409 for another request.
pub fn replay<T>(stored: &StoredAnswer, fingerprint: &str, now: UnixMillis) -> Result<Idempotent<T>, CoreError> {
    match repeat(stored, fingerprint, now)? {
        Repeat::Replay { status, body } => Ok(Idempotent::Replayed { status, body }),
        // The claim takes over an expired row in the same batch, so one can never be what held the key.
        Repeat::Fresh => Err(CoreError::internal("an expired idempotency key refused a claim")),
    }
}
