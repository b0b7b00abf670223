//! `POST /webhooks/stripe`: reads the signed body and hands it to `usecases::stripe_events`; a paid event that
//! cannot be applied yet is answered 409, so Stripe delivers it again.

use gptimg_domain::{DomainError, ErrorKind};
use serde::Serialize;
use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::RequestContext;
use crate::platform::{self, CryptoRandom};
use crate::usecases::stripe_events;

/// Stripe's largest events are well under this.
const MAX_EVENT_BYTES: usize = 512 * 1024;

#[derive(Serialize)]
struct Received<'a> {
    received: bool,
    outcome: &'a str,
}

pub async fn stripe(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let too_large =
        || ApiError::from(DomainError::new(ErrorKind::PayloadTooLarge, "body_too_large", "The event is too large."));
    // An unsigned request is refused before its body is read: it costs nothing more than its answer.
    let header = req.headers().get("stripe-signature")?.ok_or_else(stripe_events::unsigned)?;
    let body = super::json_body::read_capped(&mut req, MAX_EVENT_BYTES).await?.ok_or_else(too_large)?;
    let db = ctx.db()?;
    let applied =
        stripe_events::apply_stripe_event(&db, config, Some(&header), &body, platform::now(), &mut CryptoRandom)
            .await?;
    match applied.refusal() {
        Some(refusal) => {
            // Only an event an operator must look at gets a log line naming it: every other delivery's outcome is in
            // its `stripe_events` row (deliveries counted), and the platform records the request itself, so a line
            // per delivery would repeat both at the cost of a `console.log` on the hot path.
            ctx.note(
                json!({ "stripe_event": applied.event_id, "type": applied.event_type, "outcome": applied.outcome }),
            );
            Err(refusal.into())
        }
        None => Ok(Response::from_json(&Received { received: true, outcome: &applied.outcome })?),
    }
}
