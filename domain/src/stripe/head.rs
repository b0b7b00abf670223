//! A Stripe event's id, type and creation time, read without building its object (issue 15: a type we never act
//! on costs one scan of the body and no JSON tree).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::envelope::{Envelope, MalformedEvent};

/// The event types `interpret` reads; every other type is `Ignored` without its object being parsed.
pub const ACTED_ON: [&str; 12] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice_payment.paid",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
];

/// Whether GPTImg reads events of this type (see `ACTED_ON`).
pub fn acts_on(event_type: &str) -> bool {
    ACTED_ON.contains(&event_type)
}

/// An event's id, type and creation time, read without building its object: the object (most of the body) is
/// only checked to be a JSON object and kept as the slice it is, so a type we never act on costs one scan and
/// no tree. `into_envelope` parses the object for the types we read.
#[derive(Debug)]
pub struct Head<'a> {
    pub id: Cow<'a, str>,
    pub event_type: Cow<'a, str>,
    pub created: i64,
    /// Whether the event comes from live mode; `None` if the envelope does not say (hand-made events).
    pub livemode: Option<bool>,
    object: &'a RawValue,
}

#[derive(Deserialize)]
struct RawHead<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    event_type: Cow<'a, str>,
    created: i64,
    #[serde(default)]
    livemode: Option<bool>,
    #[serde(borrow)]
    data: RawData<'a>,
}

#[derive(Deserialize)]
struct RawData<'a> {
    #[serde(borrow)]
    object: &'a RawValue,
}

impl<'a> Head<'a> {
    pub fn parse(body: &'a [u8]) -> Result<Self, MalformedEvent> {
        // A struct also deserializes from a JSON array; an event is only ever an object.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return Err(MalformedEvent);
        }
        let raw: RawHead<'a> = serde_json::from_slice(body).map_err(|_| MalformedEvent)?;
        if !raw.id.starts_with("evt_") || !raw.data.object.get().starts_with('{') {
            return Err(MalformedEvent);
        }
        Ok(Self {
            id: raw.id,
            event_type: raw.event_type,
            created: raw.created,
            livemode: raw.livemode,
            object: raw.data.object,
        })
    }

    /// An event from the other mode than the secret key's (`sk_live_`/`rk_live_` is live; anything else,
    /// `sk_test_`, is test): a test event sent to production, or the reverse, must change nothing.
    pub fn mode_mismatch(&self, secret_key: &str) -> bool {
        let live_key = secret_key.starts_with("sk_live_") || secret_key.starts_with("rk_live_");
        self.livemode.is_some_and(|live| live != live_key)
    }

    pub fn acted_on(&self) -> bool {
        acts_on(&self.event_type)
    }

    /// The whole event, its object parsed.
    pub fn into_envelope(self) -> Result<Envelope, MalformedEvent> {
        let object = serde_json::from_str(self.object.get()).map_err(|_| MalformedEvent)?;
        Ok(Envelope {
            id: self.id.into_owned(),
            event_type: self.event_type.into_owned(),
            created: self.created,
            object,
        })
    }
}

impl Envelope {
    /// The whole event, read through its head.
    pub fn parse(body: &[u8]) -> Result<Self, MalformedEvent> {
        Head::parse(body)?.into_envelope()
    }
}
