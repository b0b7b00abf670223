//! Applies refunds, disputes and won disputes to D1: each ONE batch of ledger row (keyed by the reversal), balance,
//! payment (forward-only status) and event record, so a replay changes nothing.

use gptimg_domain::billing::{payment_status_ranks_json, DisputeRestore, Reversal};
use serde::Deserialize;

use super::billing::{run_recorded, EventRecord, Marker};
use super::{billing_problems, int, text, Db, APPLY_LEDGER_ENTRY};

/// The purchase a refund or dispute reverses.
#[derive(Debug, Deserialize)]
pub struct ReversiblePayment {
    pub id: String,
    pub plan_id: String,
    pub amount_cents: i64,
    pub credits_granted: i64,
}

// A subscription payment is also found through its invoice_payments link (several intents can pay one invoice).
const FIND_PAYMENT_BY_INTENT: &str = "SELECT id, plan_id, amount_cents, credits_granted FROM payments \
 WHERE status != 'failed' AND (stripe_payment_intent_id = ?1 \
 OR cause_id IN (SELECT invoice_id FROM invoice_payments WHERE payment_intent_id = ?1)) \
 ORDER BY created_at DESC LIMIT 1";

pub async fn find_payment_by_intent(db: &Db, payment_intent_id: &str) -> worker::Result<Option<ReversiblePayment>> {
    db.first::<ReversiblePayment>(db.prepare(FIND_PAYMENT_BY_INTENT).bind(&[text(payment_intent_id)])?).await
}

/// How much a reversal takes back, computed by the domain from the payment it reverses.
pub struct Reclaim<'a> {
    pub ledger_entry_id: &'a str,
    pub payment_id: &'a str,
    /// Credits that should have been taken back in total once this reversal is applied.
    pub target: i64,
    pub description: &'a str,
}

// Takes back what the target still lacks, but never more than the unspent balance: MIN(credits, ...).
const INSERT_RECLAIM_ENTRY: &str =
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at) \
 SELECT ?1, a.id, 'reclaim', ?2, -MIN(a.credits, MAX(?3 - p.credits_reclaimed, 0)), \
 a.credits - MIN(a.credits, MAX(?3 - p.credits_reclaimed, 0)), ?4, ?5 \
 FROM payments p JOIN accounts a ON a.id = p.account_id \
 WHERE p.id = ?6 AND MIN(a.credits, MAX(?3 - p.credits_reclaimed, 0)) > 0 \
 ON CONFLICT (kind, source_id) DO NOTHING";

// Forward only: the reversed amount never shrinks and the status never moves back in the domain's order (?6 holds
// the ranks as JSON), so a late partial refund cannot turn `refunded` back into `partially_refunded`. A ledger row
// written in this batch (?1) moves credits_reclaimed: down for a reclaim (negative amount), up for a restore.
const UPDATE_REVERSED_PAYMENT: &str = "UPDATE payments SET \
 credits_reclaimed = credits_reclaimed - COALESCE((SELECT amount FROM credit_ledger WHERE id = ?1), 0), \
 amount_reversed_cents = MAX(amount_reversed_cents, ?2), \
 status = CASE WHEN COALESCE(json_extract(?6, '$.' || ?3), -1) >= COALESCE(json_extract(?6, '$.' || status), -1) \
 THEN ?3 ELSE status END, updated_at = ?4 WHERE id = ?5";

pub async fn reclaim(db: &Db, reversal: &Reversal, r: &Reclaim<'_>, event: &EventRecord<'_>) -> worker::Result<String> {
    let now = int(event.now.0);
    let statements = vec![
        db.prepare(INSERT_RECLAIM_ENTRY).bind(&[
            text(r.ledger_entry_id),
            text(&reversal.source_id()),
            int(r.target),
            text(r.description),
            now.clone(),
            text(r.payment_id),
        ])?,
        db.prepare(APPLY_LEDGER_ENTRY).bind(&[text(r.ledger_entry_id)])?,
        db.prepare(UPDATE_REVERSED_PAYMENT).bind(&[
            text(r.ledger_entry_id),
            int(reversal.charge.amount_reversed),
            text(reversal.payment_status()),
            now,
            text(r.payment_id),
            text(&payment_status_ranks_json()),
        ])?,
        billing_problems::resolve(db, event)?,
    ];
    let marker = Marker { ledger_entry_id: Some(r.ledger_entry_id), subscription_id: None };
    run_recorded(db, statements, event, marker, "nothing_left_to_reclaim").await
}

// Gives back exactly what the dispute's reclaim took (its ledger row, keyed by the dispute id), once: the restore
// is keyed by the same dispute id under its own kind. An account deleted (or being deleted) since gets nothing.
const INSERT_RESTORE_ENTRY: &str =
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at) \
 SELECT ?1, a.id, 'dispute_won', r.source_id, -r.amount, a.credits - r.amount, ?3, ?4 \
 FROM credit_ledger r JOIN accounts a ON a.id = r.account_id \
 WHERE r.kind = 'reclaim' AND r.source_id = ?2 AND r.amount < 0 \
 AND a.deleted_at IS NULL AND a.deletion_started_at IS NULL \
 ON CONFLICT (kind, source_id) DO NOTHING";

/// A dispute closed with the money kept: restore its reclaim, and move the payment to `dispute_won`.
pub async fn restore_dispute(
    db: &Db,
    restore: &DisputeRestore,
    r: &Reclaim<'_>,
    event: &EventRecord<'_>,
) -> worker::Result<String> {
    let now = int(event.now.0);
    let statements = vec![
        db.prepare(INSERT_RESTORE_ENTRY).bind(&[
            text(r.ledger_entry_id),
            text(&restore.dispute_id),
            text(r.description),
            now.clone(),
        ])?,
        db.prepare(APPLY_LEDGER_ENTRY).bind(&[text(r.ledger_entry_id)])?,
        db.prepare(UPDATE_REVERSED_PAYMENT).bind(&[
            text(r.ledger_entry_id),
            int(0),
            text(DisputeRestore::PAYMENT_STATUS),
            now,
            text(r.payment_id),
            text(&payment_status_ranks_json()),
        ])?,
    ];
    let marker = Marker { ledger_entry_id: Some(r.ledger_entry_id), subscription_id: None };
    run_recorded(db, statements, event, marker, "nothing_to_restore").await
}
