//! A Stripe event as read: its id, type, creation time and parsed object, or the one error of a body we cannot read.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub id: String,
    pub event_type: String,
    /// Seconds since the epoch when Stripe created the event; orders subscription updates.
    pub created: i64,
    pub object: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the event is not a Stripe event we can read")]
pub struct MalformedEvent;
