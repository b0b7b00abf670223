//! Applying a Stripe event: verify its signature, decide what it means (`billing::decide`), apply that in one
//! batch (none for a type we never act on). A paid event that cannot be applied is recorded for an operator and refused, so Stripe delivers it again.

use gptimg_domain::billing::ledger::{LedgerEntryId, LedgerKind, PaymentId};
use gptimg_domain::billing::{decide, Decision, Problem, IGNORED_EVENT_TYPE};
use gptimg_domain::ids::RandomSource;
use gptimg_domain::stripe::event::{interpret, Head};
use gptimg_domain::stripe::signature::{self, SignatureError};
use gptimg_domain::time::UnixMillis;
use gptimg_domain::DomainError;

use super::error::CoreError;
use crate::config::Config;
use crate::store::billing::{self, InvoiceRows, NewRows};
use crate::store::event_record::{self, EventRecord};
use crate::store::reversals::{self, Reclaim};
use crate::store::{billing_problems, invoice_payments, Db};

/// What became of one delivery.
pub struct Applied {
    pub event_id: String,
    pub event_type: String,
    /// As recorded in `stripe_events` (e.g. `granted`, `duplicate`, `needs_attention`), or `ignored_event_type`.
    pub outcome: String,
    problem: Option<Problem>,
}

impl Applied {
    /// The refusal that makes Stripe deliver the event again, while its problem is open (not once an admin
    /// dismissed it: then the outcome is no longer `needs_attention`).
    pub fn refusal(&self) -> Option<DomainError> {
        Problem::refusal_while_open(self.problem.as_ref(), &self.outcome)
    }
}

fn refused(e: SignatureError) -> DomainError {
    DomainError::bad_request(e.code(), format!("Refused: {e}."))
}

/// The 400 for a delivery without a `Stripe-Signature` header (refused before its body is read).
pub fn unsigned() -> CoreError {
    refused(SignatureError::Missing).into()
}

/// Verifies, interprets and applies one signed delivery; a bad signature or an unreadable event is a 400.
pub async fn apply_stripe_event(
    db: &Db,
    config: &Config,
    signature_header: Option<&str>,
    body: &[u8],
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<Applied, CoreError> {
    signature::verify(signature_header, body, config.stripe_webhook_secret.expose(), now.as_secs()).map_err(refused)?;
    let malformed = || DomainError::bad_request("malformed_event", "The event could not be read.");
    let head = Head::parse(body).map_err(|_| malformed())?;
    if head.mode_mismatch(config.stripe_secret_key.expose()) {
        return Err(DomainError::bad_request(
            "livemode_mismatch",
            "Refused: the event's livemode does not match the Stripe key's mode.",
        )
        .into());
    }
    // A type we never act on is acknowledged without parsing its object or writing to D1: recording it would cost
    // a write per delivery for nothing we use (Stripe's dashboard keeps every delivery). Known types we decide to
    // skip are recorded.
    if !head.acted_on() {
        let (event_id, event_type) = (head.id.into_owned(), head.event_type.into_owned());
        return Ok(Applied { event_id, event_type, outcome: IGNORED_EVENT_TYPE.to_owned(), problem: None });
    }
    let envelope = head.into_envelope().map_err(|_| malformed())?;
    let event = interpret(&envelope).map_err(|_| malformed())?;
    let decision = decide(&event, &config.plans);
    let record = EventRecord { id: &envelope.id, event_type: &envelope.event_type, created: envelope.created, now };
    let (outcome, problem) = apply(db, config, decision, &record, random).await?;
    Ok(Applied { event_id: envelope.id, event_type: envelope.event_type, outcome, problem })
}

/// Applies the decision; returns the recorded outcome and the problem the event would be (if it can be one).
async fn apply(
    db: &Db,
    config: &Config,
    decision: Decision,
    record: &EventRecord<'_>,
    random: &mut dyn RandomSource,
) -> worker::Result<(String, Option<Problem>)> {
    let ledger_entry_id = LedgerEntryId::generate(random);
    let payment_id = PaymentId::generate(random);
    let plan_name = |plan_id: &str| config.plans.name_or_id(plan_id);
    let outcome = match decision {
        Decision::Grant(grant) => {
            let rows = NewRows { ledger_entry_id: ledger_entry_id.as_str(), payment_id: payment_id.as_str() };
            let unknown_account = Problem::unknown_account(&grant.payment);
            let outcome = billing::grant(db, &grant, &rows, &unknown_account, record).await?;
            return Ok((outcome, Some(unknown_account)));
        }
        Decision::InvoiceCredits(credits) => {
            let change_entry_id = LedgerEntryId::generate(random);
            let rows = InvoiceRows {
                period_entry_id: ledger_entry_id.as_str(),
                change_entry_id: change_entry_id.as_str(),
                payment_id: payment_id.as_str(),
            };
            let unknown_account = Problem::unknown_account(&credits.payment);
            let outcome = billing::grant_invoice(db, &credits, &rows, &unknown_account, record).await?;
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
            let reclaim = Reclaim {
                ledger_entry_id: ledger_entry_id.as_str(),
                payment_id: &payment.id,
                target: reversal.reclaim_target(payment.credits_granted, payment.amount_cents),
                description: &LedgerKind::Reclaim.description(&plan_name(&payment.plan_id)),
            };
            reversals::reclaim(db, &reversal, &reclaim, record).await
        }
        Decision::RestoreDispute(restore) => {
            let outcome = reversals::record_dispute_outcome(db, &restore.closed, record)?;
            // Not known yet: the dispute's outcome is kept (a `created` arriving later takes nothing back), and the
            // event is refused so Stripe delivers it again once the payment's own events have arrived.
            let Some(payment) = reversals::find_payment_by_intent(db, &restore.payment_intent_id).await? else {
                let problem = Problem::unknown_dispute_payment(&restore);
                let outcome = billing_problems::record_with(db, &problem, vec![outcome], record).await?;
                return Ok((outcome, Some(problem)));
            };
            let restored = Reclaim {
                ledger_entry_id: ledger_entry_id.as_str(),
                payment_id: &payment.id,
                target: 0,
                description: &LedgerKind::DisputeWon.description(&plan_name(&payment.plan_id)),
            };
            reversals::restore_dispute(db, &restore, &restored, outcome, record).await
        }
        Decision::RecordDisputeOutcome(closed, outcome) => {
            let statement = reversals::record_dispute_outcome(db, &closed, record)?;
            event_record::record_with(db, vec![statement], record, outcome).await
        }
        Decision::Ignore(outcome) => event_record::record_only(db, record, outcome).await,
    }?;
    Ok((outcome, None))
}
