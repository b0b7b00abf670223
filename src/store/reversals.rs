//! Applies refunds, disputes and won disputes to D1: each ONE batch of ledger row (keyed by the reversal), balance,
//! payment (forward-only status) and event record, so a replay changes nothing.

use gptimg_domain::billing::{payment_status_ranks_json, DisputeRestore, Reversal, ReversalKind};
use gptimg_domain::stripe::event::DisputeClosed;
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::event_record::{run_recorded, EventRecord, Marker};
use super::ledger::{debt_problem, net_after, APPLY_NET_ENTRY};
use super::{billing_problems, int, text, Db};

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

// Takes back what this cause's target (?3) still lacks — less what earlier states of the same charge (`charge:n`
// rows, ?7) already took — and never more than the payment has left to take. Credits already spent become a
// debt (the balance goes negative; `store::ledger::net_after`). A dispute already closed with the money kept
// (its outcome recorded first) takes nothing.
const INSERT_RECLAIM_ENTRY: &str = concat!(
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT ?1, a.id, 'reclaim', ?2, -t.take, ",
    net_after!("(-t.take)"),
    ", ?4, ?5 \
 FROM payments p JOIN accounts a ON a.id = p.account_id, \
 (SELECT MIN(MAX(?3 + COALESCE((SELECT SUM(amount) FROM credit_ledger WHERE kind = 'reclaim' \
   AND source_id >= ?7 || ':' AND source_id < ?7 || ';'), 0), 0), credits_granted - credits_reclaimed) AS take \
   FROM payments WHERE id = ?6) AS t \
 WHERE p.id = ?6 AND t.take > 0 \
 AND NOT EXISTS (SELECT 1 FROM dispute_outcomes WHERE dispute_id = ?2 AND money_kept = 1) \
 ON CONFLICT (kind, source_id) DO NOTHING"
);

// Forward only: the reversed amount never shrinks and the status never moves back in the domain's order (?6 holds
// the ranks as JSON), so a late partial refund cannot turn `refunded` back into `partially_refunded`. A ledger row
// written in this batch (?1) moves credits_reclaimed: down for a reclaim (negative amount), up for a restore.
// ?7 is what a refund justifies taking back in total (0 for a dispute or a restore), kept as the largest seen.
const UPDATE_REVERSED_PAYMENT: &str = "UPDATE payments SET \
 credits_reclaimed = credits_reclaimed - COALESCE((SELECT amount FROM credit_ledger WHERE id = ?1), 0), \
 credits_refund_target = MAX(credits_refund_target, MIN(?7, credits_granted)), \
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
            text(&reversal.charge.cause_id),
        ])?,
        db.prepare(APPLY_NET_ENTRY).bind(&[text(r.ledger_entry_id)])?,
        debt_problem(db, r.ledger_entry_id, event)?,
        db.prepare(UPDATE_REVERSED_PAYMENT).bind(&[
            text(r.ledger_entry_id),
            int(reversal.charge.amount_reversed),
            text(reversal.payment_status()),
            now,
            text(r.payment_id),
            text(&payment_status_ranks_json()),
            int(match reversal.kind {
                ReversalKind::Refund => r.target,
                ReversalKind::Dispute => 0,
            }),
        ])?,
        billing_problems::resolve(db, event)?,
    ];
    let marker = Marker { ledger_entry_id: Some(r.ledger_entry_id), subscription_id: None };
    run_recorded(db, statements, event, marker, "nothing_left_to_reclaim").await
}

// Gives back what the dispute's reclaim took (its ledger row, keyed by the dispute id), once: the restore is keyed
// by the same dispute id under its own kind — less what the payment's refunds justify keeping (a refund delivered
// after the dispute found nothing left to take). An account deleted (or being deleted) since gets nothing. What is
// given back pays the account's debt first.
const INSERT_RESTORE_ENTRY: &str = concat!(
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT ?1, a.id, 'dispute_won', r.source_id, g.back, ",
    net_after!("g.back"),
    ", ?3, ?4 \
 FROM credit_ledger r JOIN accounts a ON a.id = r.account_id, \
 (SELECT MIN(-(SELECT amount FROM credit_ledger WHERE kind = 'reclaim' AND source_id = ?2), \
   MAX(credits_reclaimed - credits_refund_target, 0)) AS back FROM payments WHERE id = ?5) AS g \
 WHERE r.kind = 'reclaim' AND r.source_id = ?2 AND r.amount < 0 AND g.back > 0 \
 AND a.deleted_at IS NULL AND a.deletion_started_at IS NULL \
 ON CONFLICT (kind, source_id) DO NOTHING"
);

// A dispute's final status, whichever order its events arrive in; a later event's status wins.
const RECORD_DISPUTE_OUTCOME: &str =
    "INSERT INTO dispute_outcomes (dispute_id, payment_intent_id, status, money_kept, \
 event_created, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (dispute_id) DO UPDATE SET \
 status = excluded.status, money_kept = excluded.money_kept, event_created = excluded.event_created, \
 updated_at = excluded.updated_at, payment_intent_id = COALESCE(excluded.payment_intent_id, payment_intent_id) \
 WHERE excluded.event_created >= dispute_outcomes.event_created";

/// Records how a dispute closed, so a `charge.dispute.created` arriving after it takes nothing back if it was won.
pub fn record_dispute_outcome(
    db: &Db,
    closed: &DisputeClosed,
    event: &EventRecord<'_>,
) -> worker::Result<D1PreparedStatement> {
    db.prepare(RECORD_DISPUTE_OUTCOME).bind(&[
        text(&closed.dispute_id),
        super::opt_text(closed.payment_intent_id.as_deref()),
        text(&closed.status),
        int(i64::from(closed.money_kept())),
        int(event.created),
        int(event.now.0),
    ])
}

/// A dispute closed with the money kept: restore its reclaim, and move the payment to `dispute_won`.
pub async fn restore_dispute(
    db: &Db,
    restore: &DisputeRestore,
    r: &Reclaim<'_>,
    outcome: D1PreparedStatement,
    event: &EventRecord<'_>,
) -> worker::Result<String> {
    let now = int(event.now.0);
    let statements = vec![
        outcome,
        db.prepare(INSERT_RESTORE_ENTRY).bind(&[
            text(r.ledger_entry_id),
            text(&restore.dispute_id),
            text(r.description),
            now.clone(),
            text(r.payment_id),
        ])?,
        db.prepare(APPLY_NET_ENTRY).bind(&[text(r.ledger_entry_id)])?,
        super::ledger::settle_debt_problems(db, r.ledger_entry_id, event.now)?,
        db.prepare(UPDATE_REVERSED_PAYMENT).bind(&[
            text(r.ledger_entry_id),
            int(0),
            text(DisputeRestore::PAYMENT_STATUS),
            now,
            text(r.payment_id),
            text(&payment_status_ranks_json()),
            int(0),
        ])?,
        billing_problems::resolve(db, event)?,
    ];
    let marker = Marker { ledger_entry_id: Some(r.ledger_entry_id), subscription_id: None };
    run_recorded(db, statements, event, marker, "nothing_to_restore").await
}
