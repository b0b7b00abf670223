//! `POST /webhooks/stripe`: verifies the signature by hand, decides what the event means, applies it in one batch.
//! A paid event that cannot be applied is recorded for an operator and answered 409, so Stripe delivers it again.

use gptimg_domain::billing::{decide, Decision, Problem};
use gptimg_domain::ledger::{LedgerEntryId, LedgerKind, PaymentId};
use gptimg_domain::stripe::event::{interpret, reclaim_target, Envelope};
use gptimg_domain::stripe::signature;
use gptimg_domain::{DomainError, ErrorKind};
use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::RequestContext;
use crate::config::Config;
use crate::platform::{self, CryptoRandom};
use crate::store::billing::{self, EventRecord, NewRows};
use crate::store::reversals::{self, Reclaim};
use crate::store::{billing_problems, invoice_payments, Db};

/// The outcome recorded for a paid event that could not be applied (an open billing problem): refused, so Stripe
/// delivers it again.
const NEEDS_ATTENTION: &str = "needs_attention";

/// Stripe's largest events are well under this.
const MAX_EVENT_BYTES: usize = 512 * 1024;

pub async fn stripe(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let too_large =
        || ApiError::from(DomainError::new(ErrorKind::PayloadTooLarge, "body_too_large", "The event is too large."));
    let header = req.headers().get("stripe-signature")?;
    let body = super::json_body::read_capped(&mut req, MAX_EVENT_BYTES).await?.ok_or_else(too_large)?;
    let now = platform::now();
    signature::verify(header.as_deref(), &body, config.stripe_webhook_secret.expose(), now.as_secs())
        .map_err(|e| DomainError::bad_request(e.code(), format!("Refused: {e}.")))?;
    let malformed = || ApiError::from(DomainError::bad_request("malformed_event", "The event could not be read."));
    let envelope = Envelope::parse(&body).map_err(|_| malformed())?;
    let event = interpret(&envelope).map_err(|_| malformed())?;
    let record = EventRecord { id: &envelope.id, event_type: &envelope.event_type, created: envelope.created, now };
    let db = ctx.db()?;
    let (outcome, problem) = apply(&db, config, decide(&event, &config.plans), &record).await?;
    ctx.note(json!({ "stripe_event": envelope.id, "type": envelope.event_type, "outcome": outcome }));
    match problem {
        Some(problem) if outcome == NEEDS_ATTENTION => Err(problem.refusal().into()),
        _ => Ok(Response::from_json(&json!({ "received": true, "outcome": outcome }))?),
    }
}

/// Applies the decision; returns the recorded outcome and the problem the event would be (if it can be one).
async fn apply(
    db: &Db,
    config: &Config,
    decision: Decision,
    record: &EventRecord<'_>,
) -> worker::Result<(String, Option<Problem>)> {
    let ledger_entry_id = LedgerEntryId::generate(&mut CryptoRandom);
    let payment_id = PaymentId::generate(&mut CryptoRandom);
    let outcome = match decision {
        Decision::Grant(grant) => {
            let rows = NewRows { ledger_entry_id: ledger_entry_id.as_str(), payment_id: payment_id.as_str() };
            let unknown_account = Problem::unknown_account(&grant.payment);
            let outcome = billing::grant(db, &grant, &rows, &unknown_account, record).await?;
            return Ok((outcome, Some(unknown_account)));
        }
        Decision::RecordFailedPayment(facts) => {
            billing::record_failed_payment(db, &facts, payment_id.as_str(), record).await
        }
        Decision::LinkSubscription(link) => billing::link_subscription(db, &link, record).await,
        Decision::UpdateSubscription(update) => billing::update_subscription(db, &update, record).await,
        Decision::LinkInvoicePayment(link) => invoice_payments::link(db, &link, record).await,
        Decision::NeedsAttention(problem) => {
            let outcome = billing_problems::record(db, &problem, record).await?;
            return Ok((outcome, Some(problem)));
        }
        Decision::Reverse(reversal) => {
            let payment = match reversal.charge.payment_intent_id.as_deref() {
                Some(intent) => reversals::find_payment_by_intent(db, intent).await?,
                None => None,
            };
            // Not known yet is usually not known *yet*: the invoice or its invoice_payment.paid may still come.
            // Refused (and recorded) rather than acknowledged, so the retry after they arrive takes the credits back.
            let Some(payment) = payment else {
                let problem = Problem::unknown_payment(&reversal);
                let outcome = billing_problems::record(db, &problem, record).await?;
                return Ok((outcome, Some(problem)));
            };
            let amount = if reversal.charge.amount > 0 { reversal.charge.amount } else { payment.amount_cents };
            let plan_name = config.plans.by_id(&payment.plan_id).map_or(payment.plan_id.as_str(), |p| p.name.as_str());
            let reclaim = Reclaim {
                ledger_entry_id: ledger_entry_id.as_str(),
                payment_id: &payment.id,
                target: reclaim_target(payment.credits_granted, amount, reversal.charge.amount_reversed),
                description: &LedgerKind::Reclaim.description(plan_name),
            };
            reversals::reclaim(db, &reversal, &reclaim, record).await
        }
        Decision::RestoreDispute(restore) => {
            // No payment means no reclaim was ever made for this dispute, so there is nothing to give back.
            let Some(payment) = reversals::find_payment_by_intent(db, &restore.payment_intent_id).await? else {
                return Ok((billing::record_only(db, record, "nothing_to_restore").await?, None));
            };
            let plan_name = config.plans.by_id(&payment.plan_id).map_or(payment.plan_id.as_str(), |p| p.name.as_str());
            let restored = Reclaim {
                ledger_entry_id: ledger_entry_id.as_str(),
                payment_id: &payment.id,
                target: 0,
                description: &LedgerKind::DisputeWon.description(plan_name),
            };
            reversals::restore_dispute(db, &restore, &restored, record).await
        }
        Decision::Ignore(outcome) => billing::record_only(db, record, outcome).await,
    }?;
    Ok((outcome, None))
}
