//! Applies Stripe billing facts to D1. Each fact is ONE batch: ledger row (the dedupe key), balance,
//! payment, subscription and event record change together, and a replay changes nothing.

use gptimg_domain::billing::ledger::LedgerKind;
use gptimg_domain::billing::{Grant, InvoiceCredits, PaymentFacts, Problem, SubscriptionLink, SubscriptionUpdate};
use gptimg_domain::time::UnixMillis;
use worker::D1PreparedStatement;

use super::event_record::{run_recorded, EventRecord, Marker};
use super::ledger::net_after;
use super::{billing_problems, int, opt_text, text, Db};

/// Fresh ids for the rows a fact may write; a replay's ids simply go unused.
pub struct NewRows<'a> {
    pub ledger_entry_id: &'a str,
    pub payment_id: &'a str,
}

// The account is named by metadata, or else found by its Stripe customer. Credits pay a debt first (the net
// balance moves by the amount; `store::ledger::net_after`).
const INSERT_GRANT_ENTRY: &str = concat!(
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT ?1, a.id, ?2, ?3, ?4, ",
    net_after!("?4"),
    ", ?5, ?6 FROM accounts a \
 WHERE a.id = COALESCE((SELECT id FROM accounts WHERE id = ?7), (SELECT id FROM accounts WHERE stripe_customer_id = ?8 LIMIT 1)) \
 AND a.deletion_started_at IS NULL ON CONFLICT (kind, source_id) DO NOTHING"
);

// Credits the grant and links the Stripe customer in one statement; a replay (no new ledger row) changes nothing.
const APPLY_GRANT: &str = "UPDATE accounts SET credits = (SELECT balance_after FROM credit_ledger WHERE id = ?1), \
 credit_debt = (SELECT debt_after FROM credit_ledger WHERE id = ?1), \
 stripe_customer_id = COALESCE(stripe_customer_id, ?2) WHERE id = (SELECT account_id FROM credit_ledger WHERE id = ?1)";

const LINK_CUSTOMER: &str = "UPDATE accounts SET stripe_customer_id = ?2 \
 WHERE id = ?1 AND stripe_customer_id IS NULL AND ?2 IS NOT NULL";

// An invoice's PaymentIntent comes from `invoice_payment.paid`, which may have arrived first.
const INSERT_PAID_PAYMENT: &str =
    "INSERT INTO payments (id, account_id, plan_id, kind, cause_id, stripe_payment_intent_id, \
 stripe_subscription_id, amount_cents, currency, credits_granted, status, created_at, updated_at) \
 SELECT ?1, account_id, ?2, ?3, ?4, \
 COALESCE(?5, (SELECT payment_intent_id FROM invoice_payments WHERE invoice_id = ?4 ORDER BY created_at LIMIT 1)), \
 ?6, ?7, ?8, amount, 'paid', ?9, ?9 FROM credit_ledger WHERE id = ?10 \
 ON CONFLICT (cause_id) DO UPDATE SET status = 'paid', credits_granted = excluded.credits_granted, \
 stripe_payment_intent_id = excluded.stripe_payment_intent_id, amount_cents = excluded.amount_cents, \
 updated_at = excluded.updated_at WHERE payments.status = 'failed'";

/// Grants once per cause. If no account matches, `unknown_account` records the problem in the same batch.
pub async fn grant(
    db: &Db,
    g: &Grant,
    rows: &NewRows<'_>,
    unknown_account: &Problem,
    event: &EventRecord<'_>,
) -> worker::Result<String> {
    let now = int(event.now.0);
    let p = &g.payment;
    let mut statements = vec![
        db.prepare(INSERT_GRANT_ENTRY).bind(&[
            text(rows.ledger_entry_id),
            text(g.ledger_kind.as_str()),
            text(&p.cause_id),
            int(g.credits),
            text(&g.description()),
            now.clone(),
            opt_text(p.account_id.as_deref()),
            opt_text(p.customer_id.as_deref()),
        ])?,
        db.prepare(APPLY_GRANT).bind(&[text(rows.ledger_entry_id), opt_text(p.customer_id.as_deref())])?,
        db.prepare(INSERT_PAID_PAYMENT).bind(&[
            text(rows.payment_id),
            text(&p.plan_id),
            text(p.payment_kind()),
            text(&p.cause_id),
            opt_text(p.payment_intent_id.as_deref()),
            opt_text(p.subscription_id.as_deref()),
            int(p.amount_cents),
            text(&p.currency),
            now,
            text(rows.ledger_entry_id),
        ])?,
    ];
    statements.push(billing_problems::grant_statement(db, unknown_account, &p.cause_id, event)?);
    statements.push(super::ledger::settle_debt_problems(db, rows.ledger_entry_id, event.now)?);
    let marker = Marker { ledger_entry_id: Some(rows.ledger_entry_id), subscription_id: None };
    run_recorded(db, statements, event, marker, "already_applied").await
}

/// Fresh ids for the rows a paid invoice may write.
pub struct InvoiceRows<'a> {
    pub period_entry_id: &'a str,
    pub change_entry_id: &'a str,
    pub payment_id: &'a str,
}

// The first invoice to claim its period is the one whose period credits count.
const CLAIM_PERIOD: &str = "INSERT INTO subscription_periods (period_key, invoice_id, created_at) VALUES (?1, ?2, ?3) \
 ON CONFLICT (period_key) DO NOTHING";

// INSERT_GRANT_ENTRY, only for the invoice holding the period's claim (?9).
const INSERT_PERIOD_ENTRY: &str = concat!(
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT ?1, a.id, ?2, ?3, ?4, ",
    net_after!("?4"),
    ", ?5, ?6 FROM accounts a \
 WHERE a.id = COALESCE((SELECT id FROM accounts WHERE id = ?7), (SELECT id FROM accounts WHERE stripe_customer_id = ?8 LIMIT 1)) \
 AND a.deletion_started_at IS NULL AND EXISTS (SELECT 1 FROM subscription_periods WHERE period_key = ?9 AND invoice_id = ?3) \
 ON CONFLICT (kind, source_id) DO NOTHING"
);

// The payment row of an invoice, whatever it granted (a refund finds it; a plan change credited back grants none).
const INSERT_INVOICE_PAYMENT: &str =
    "INSERT INTO payments (id, account_id, plan_id, kind, cause_id, stripe_payment_intent_id, \
 stripe_subscription_id, amount_cents, currency, credits_granted, status, created_at, updated_at) \
 SELECT ?1, a.id, ?2, 'subscription', ?3, \
 COALESCE(?4, (SELECT payment_intent_id FROM invoice_payments WHERE invoice_id = ?3 ORDER BY created_at LIMIT 1)), \
 ?5, ?6, ?7, COALESCE((SELECT amount FROM credit_ledger WHERE id = ?8), 0) \
 + MAX(COALESCE((SELECT amount FROM credit_ledger WHERE id = ?9), 0), 0), 'paid', ?10, ?10 FROM accounts a \
 WHERE a.id = COALESCE((SELECT id FROM accounts WHERE id = ?11), (SELECT id FROM accounts WHERE stripe_customer_id = ?12 LIMIT 1)) \
 AND a.deletion_started_at IS NULL \
 ON CONFLICT (cause_id) DO UPDATE SET status = 'paid', credits_granted = excluded.credits_granted, \
 stripe_payment_intent_id = excluded.stripe_payment_intent_id, amount_cents = excluded.amount_cents, \
 updated_at = excluded.updated_at WHERE payments.status = 'failed'";

/// A paid subscription invoice: its period's credits if it is the first to claim the period, its plan change's
/// credits (either sign; taking back more than is left leaves a debt), the payment row, in ONE batch.
pub async fn grant_invoice(
    db: &Db,
    c: &InvoiceCredits,
    rows: &InvoiceRows<'_>,
    unknown_account: &Problem,
    event: &EventRecord<'_>,
) -> worker::Result<String> {
    let now = int(event.now.0);
    let p = &c.payment;
    let (account, customer) = (opt_text(p.account_id.as_deref()), opt_text(p.customer_id.as_deref()));
    let mut statements = Vec::with_capacity(10);
    if let Some(period) = &c.period {
        statements.push(db.prepare(CLAIM_PERIOD).bind(&[text(&period.key), text(&p.cause_id), now.clone()])?);
        statements.push(db.prepare(INSERT_PERIOD_ENTRY).bind(&[
            text(rows.period_entry_id),
            text(LedgerKind::SubscriptionCredits.as_str()),
            text(&p.cause_id),
            int(period.credits),
            text(&c.period_description()),
            now.clone(),
            account.clone(),
            customer.clone(),
            text(&period.key),
        ])?);
        statements.push(db.prepare(APPLY_GRANT).bind(&[text(rows.period_entry_id), customer.clone()])?);
    }
    if c.plan_change != 0 {
        statements.push(db.prepare(INSERT_GRANT_ENTRY).bind(&[
            text(rows.change_entry_id),
            text(c.plan_change_kind().as_str()),
            text(&p.cause_id),
            int(c.plan_change),
            text(&c.plan_change_description()),
            now.clone(),
            account.clone(),
            customer.clone(),
        ])?);
        statements.push(db.prepare(APPLY_GRANT).bind(&[text(rows.change_entry_id), customer.clone()])?);
        statements.push(super::ledger::debt_problem(db, rows.change_entry_id, event)?);
    }
    statements.push(db.prepare(INSERT_INVOICE_PAYMENT).bind(&[
        text(rows.payment_id),
        text(&p.plan_id),
        text(&p.cause_id),
        opt_text(p.payment_intent_id.as_deref()),
        opt_text(p.subscription_id.as_deref()),
        int(p.amount_cents),
        text(&p.currency),
        text(rows.period_entry_id),
        text(rows.change_entry_id),
        now,
        account,
        customer,
    ])?);
    statements.push(billing_problems::grant_statement(db, unknown_account, &p.cause_id, event)?);
    for entry in [rows.period_entry_id, rows.change_entry_id] {
        statements.push(super::ledger::settle_debt_problems(db, entry, event.now)?);
    }
    let marker_entry = if c.period.is_some() { rows.period_entry_id } else { rows.change_entry_id };
    let marker = Marker { ledger_entry_id: Some(marker_entry), subscription_id: None };
    run_recorded(db, statements, event, marker, "already_applied").await
}

/// A payment that failed: recorded in the history, no credits.
const INSERT_FAILED_PAYMENT: &str = "INSERT INTO payments (id, account_id, plan_id, kind, cause_id, stripe_payment_intent_id, \
 stripe_subscription_id, amount_cents, currency, credits_granted, status, created_at, updated_at) \
 SELECT ?1, a.id, ?2, ?3, ?4, ?5, ?6, ?9, ?10, 0, 'failed', ?11, ?11 FROM accounts a \
 WHERE a.id = COALESCE((SELECT id FROM accounts WHERE id = ?7), (SELECT id FROM accounts WHERE stripe_customer_id = ?8 LIMIT 1)) \
 ON CONFLICT (cause_id) DO NOTHING";

pub async fn record_failed_payment(
    db: &Db,
    f: &PaymentFacts,
    payment_id: &str,
    event: &EventRecord<'_>,
) -> worker::Result<String> {
    let statement = db.prepare(INSERT_FAILED_PAYMENT).bind(&[
        text(payment_id),
        text(&f.plan_id),
        text(f.payment_kind()),
        text(&f.cause_id),
        opt_text(f.payment_intent_id.as_deref()),
        opt_text(f.subscription_id.as_deref()),
        opt_text(f.account_id.as_deref()),
        opt_text(f.customer_id.as_deref()),
        int(f.amount_cents),
        text(&f.currency),
        int(event.now.0),
    ])?;
    run_recorded(db, vec![statement], event, Marker::default(), "payment_failed_recorded").await
}

// Absolute state, applied only if this event is newer (or the same second and a later life stage).
const UPSERT_SUBSCRIPTION: &str = "INSERT INTO subscriptions (id, account_id, customer_id, plan_id, status, current_period_end, \
 cancel_at_period_end, state_event_created, state_rank, updated_at) \
 SELECT ?1, acc, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM (SELECT COALESCE((SELECT id FROM accounts WHERE id = ?2), \
 (SELECT account_id FROM subscriptions WHERE id = ?1), (SELECT id FROM accounts WHERE stripe_customer_id = ?3 LIMIT 1)) AS acc) \
 WHERE acc IS NOT NULL \
 ON CONFLICT (id) DO UPDATE SET customer_id = COALESCE(excluded.customer_id, subscriptions.customer_id), \
 plan_id = COALESCE(excluded.plan_id, subscriptions.plan_id), status = excluded.status, \
 current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end, \
 state_event_created = excluded.state_event_created, state_rank = excluded.state_rank, updated_at = excluded.updated_at \
 WHERE excluded.state_event_created > subscriptions.state_event_created \
 OR (excluded.state_event_created = subscriptions.state_event_created AND excluded.state_rank >= subscriptions.state_rank)";

const LINK_CUSTOMER_BY_SUBSCRIPTION: &str = "UPDATE accounts SET stripe_customer_id = ?2 \
 WHERE id = (SELECT account_id FROM subscriptions WHERE id = ?1) AND stripe_customer_id IS NULL AND ?2 IS NOT NULL";

// A subscription Stripe recorded after its account's deletion began (a late checkout, a resubscription in flight)
// would bill every month: its account's deletion is reopened so the cron's next run cancels it with the deletion's
// own retried cancellation (it lists every subscription of the account that must be cancelled), and the operator
// sees it as a billing problem (`event_id:deleted_account`; the event itself was applied).
const REOPEN_DELETION: &str = concat!(
    "UPDATE accounts SET deleted_at = NULL, deletion_retry_at = NULL \
 WHERE deletion_started_at IS NOT NULL AND id = (SELECT account_id FROM subscriptions WHERE id = ?1 AND status IN ",
    gptimg_domain::cancel_on_deletion_statuses_sql!(),
    ")"
);

const AFTER_DELETION_PROBLEM: &str = concat!(
    "INSERT INTO billing_problems (event_id, event_type, reason, facts, first_seen_at, last_seen_at) \
 SELECT ?2 || ':deleted_account', ?3, 'subscription_after_deletion', json_object('subscription', s.id, \
 'customer', s.customer_id, 'status', s.status, 'account_id', s.account_id, 'cancellation', 'queued'), ?4, ?4 \
 FROM subscriptions s JOIN accounts a ON a.id = s.account_id \
 WHERE s.id = ?1 AND a.deletion_started_at IS NOT NULL AND s.status IN ",
    gptimg_domain::cancel_on_deletion_statuses_sql!(),
    " ON CONFLICT (event_id) DO NOTHING"
);

/// The statements that queue the cancellation of a subscription recorded after its account's deletion began.
fn cancel_if_account_deleted(
    db: &Db,
    subscription_id: &str,
    event: &EventRecord<'_>,
) -> worker::Result<[D1PreparedStatement; 2]> {
    Ok([
        db.prepare(AFTER_DELETION_PROBLEM).bind(&[
            text(subscription_id),
            text(event.id),
            text(event.event_type),
            int(event.now.0),
        ])?,
        db.prepare(REOPEN_DELETION).bind(&[text(subscription_id)])?,
    ])
}

/// Subscription state as Stripe last reported it.
pub async fn update_subscription(
    db: &Db,
    update: &SubscriptionUpdate,
    event: &EventRecord<'_>,
) -> worker::Result<String> {
    let s = &update.state;
    let mut statements = vec![
        db.prepare(UPSERT_SUBSCRIPTION).bind(&[
            text(&s.id),
            opt_text(s.account_id.as_deref()),
            opt_text(s.customer_id.as_deref()),
            opt_text(update.plan_id.as_deref()),
            text(&s.status),
            s.current_period_end.map_or(worker::wasm_bindgen::JsValue::NULL, int),
            int(i64::from(s.cancel_at_period_end)),
            int(event.created),
            int(s.status_rank()),
            int(event.now.0),
        ])?,
        db.prepare(LINK_CUSTOMER_BY_SUBSCRIPTION).bind(&[text(&s.id), opt_text(s.customer_id.as_deref())])?,
    ];
    statements.extend(cancel_if_account_deleted(db, &s.id, event)?);
    let marker = Marker { ledger_entry_id: None, subscription_id: Some(&s.id) };
    run_recorded(db, statements, event, marker, "stale_or_unmatched").await
}

/// A subscription checkout completed: link the subscription and customer to the account. Credits come from invoices.
const LINK_SUBSCRIPTION: &str =
    "INSERT INTO subscriptions (id, account_id, customer_id, plan_id, status, current_period_end, \
 cancel_at_period_end, state_event_created, state_rank, updated_at) \
 SELECT ?1, id, ?3, ?4, 'incomplete', NULL, 0, 0, 0, ?5 FROM accounts WHERE id = ?2 \
 ON CONFLICT (id) DO UPDATE SET plan_id = COALESCE(subscriptions.plan_id, excluded.plan_id), \
 customer_id = COALESCE(subscriptions.customer_id, excluded.customer_id)";

pub async fn link_subscription(db: &Db, l: &SubscriptionLink, event: &EventRecord<'_>) -> worker::Result<String> {
    let mut statements = vec![
        db.prepare(LINK_SUBSCRIPTION).bind(&[
            text(&l.subscription_id),
            text(&l.account_id),
            opt_text(l.customer_id.as_deref()),
            opt_text(l.plan_id.as_deref()),
            int(event.now.0),
        ])?,
        db.prepare(LINK_CUSTOMER).bind(&[text(&l.account_id), opt_text(l.customer_id.as_deref())])?,
    ];
    statements.extend(cancel_if_account_deleted(db, &l.subscription_id, event)?);
    run_recorded(db, statements, event, Marker::default(), "subscription_linked").await
}

/// How long a Stripe event's record is kept (pruned by the retention sweep): Stripe retries a delivery for up to 3 days, and a replay of an
/// older event is refused by its signature's timestamp anyway; the rest is for operators looking back.
const STRIPE_EVENT_RETENTION_SECS: i64 = 90 * 24 * 60 * 60;
/// At most this many records go per sweep, so one cron run stays small whatever the backlog.
const STRIPE_EVENT_PRUNE_LIMIT: i64 = 500;

/// The oldest event records past the retention, a bounded number (run in the retention sweep's batch).
pub fn prune_stripe_events(db: &Db, now: UnixMillis) -> worker::Result<D1PreparedStatement> {
    let cutoff = now.plus_secs(-STRIPE_EVENT_RETENTION_SECS);
    db.prepare(include_str!("sql/prune_stripe_events.sql")).bind(&[int(cutoff.0), int(STRIPE_EVENT_PRUNE_LIMIT)])
}
