//! The record of each Stripe event in `stripe_events`, written in the same batch as what the event changed, and
//! the outcome that batch proves.

use gptimg_domain::time::UnixMillis;
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::{int, text, Db};

/// The event being applied, recorded with its outcome in the same batch.
pub struct EventRecord<'a> {
    pub id: &'a str,
    pub event_type: &'a str,
    pub created: i64,
    pub now: UnixMillis,
}

// The outcome is derived inside the batch: a ledger row written under this batch's fresh id means
// credits moved; a subscription row carrying this event's timestamp means its state was applied.
// An open billing problem for the event (written earlier in the batch) makes it `needs_attention`. That outcome is
// the only one a later delivery replaces, so the record never stands in the way of the retry that applies it.
const RECORD_EVENT: &str =
    "INSERT INTO stripe_events (id, type, created, outcome, first_received_at, last_received_at) \
 VALUES (?1, ?2, ?3, COALESCE( \
   (SELECT CASE WHEN kind = 'dispute_won' THEN 'credits_restored' WHEN amount > 0 THEN 'credits_granted' \
    ELSE 'credits_reclaimed' END FROM credit_ledger WHERE id = ?5), \
   (SELECT 'subscription_updated' FROM subscriptions WHERE id = ?7 AND state_event_created = ?3), \
   (SELECT CASE WHEN resolved_at IS NULL THEN 'needs_attention' WHEN resolution = 'dismissed' THEN 'dismissed_by_admin' END \
    FROM billing_problems WHERE event_id = ?1), ?6), ?4, ?4) \
 ON CONFLICT (id) DO UPDATE SET deliveries = deliveries + 1, last_received_at = excluded.last_received_at, \
 outcome = CASE WHEN stripe_events.outcome = 'needs_attention' THEN excluded.outcome ELSE stripe_events.outcome END \
 RETURNING outcome";

#[derive(Deserialize)]
struct OutcomeRow {
    outcome: String,
}

/// Appends the event record (which returns the outcome), runs the batch, and returns the outcome.
pub(super) async fn run_recorded(
    db: &Db,
    mut statements: Vec<D1PreparedStatement>,
    event: &EventRecord<'_>,
    marker: Marker<'_>,
    fallback_outcome: &str,
) -> worker::Result<String> {
    statements.push(db.prepare(RECORD_EVENT).bind(&[
        text(event.id),
        text(event.event_type),
        int(event.created),
        int(event.now.0),
        text(marker.ledger_entry_id.unwrap_or("")),
        text(fallback_outcome),
        text(marker.subscription_id.unwrap_or("")),
    ])?);
    let results = db.batch(statements).await?;
    let outcome = results.last().map(|r| r.results::<OutcomeRow>()).transpose()?.and_then(|mut rows| rows.pop());
    Ok(outcome.map_or_else(|| fallback_outcome.to_owned(), |row| row.outcome))
}

/// What, written in this batch, proves the event changed something.
#[derive(Default, Clone, Copy)]
pub struct Marker<'a> {
    pub ledger_entry_id: Option<&'a str>,
    pub subscription_id: Option<&'a str>,
}

/// Records an event that changes nothing (unknown type, or nothing to act on).
pub async fn record_only(db: &Db, event: &EventRecord<'_>, outcome: &str) -> worker::Result<String> {
    record_with(db, Vec::new(), event, outcome).await
}

/// Records an event with the statements that are all it changes (no credits, no subscription state).
pub async fn record_with(
    db: &Db,
    statements: Vec<D1PreparedStatement>,
    event: &EventRecord<'_>,
    outcome: &str,
) -> worker::Result<String> {
    run_recorded(db, statements, event, Marker::default(), outcome).await
}
