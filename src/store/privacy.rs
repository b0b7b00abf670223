//! Privacy rights in D1: consent, the full export, and the two resumable halves of account deletion.

use gptimg_domain::ledger::LedgerKind;
use gptimg_domain::privacy::TERMS_VERSION;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{int, text, Db, APPLY_LEDGER_ENTRY};

const RECORD_CONSENT: &str = "UPDATE accounts SET terms_version = ?2, terms_accepted_at = ?3, age_confirmed_at = ?3, updated_at = ?3 WHERE id = ?1";

pub async fn record_consent(db: &Db, account_id: &str, now: UnixMillis) -> worker::Result<()> {
    db.run(db.prepare(RECORD_CONSENT).bind(&[text(account_id), text(TERMS_VERSION), int(now.0)])?).await?;
    Ok(())
}

/// Every category the privacy policy lists, one SELECT each, in one batch.
const EXPORT_QUERIES: [(&str, &str); 9] = [
    ("account", "SELECT id, email, name, picture_url, credits, created_at, updated_at, last_sign_in_at, stripe_customer_id, \
     terms_version, terms_accepted_at, age_confirmed_at FROM accounts WHERE id = ?1"),
    ("sessions", "SELECT id, created_at, expires_at, revoked_at FROM sessions WHERE account_id = ?1 ORDER BY created_at DESC"),
    ("generations", "SELECT g.id, g.prompt, g.model_id, g.aspect_ratio, g.quality, g.reference_upload_ids, g.cost, g.status, \
     g.failure_code, g.failure_message, g.share_token IS NOT NULL AS shared, g.created_at, g.finished_at, \
     (SELECT COALESCE(json_group_array(json_object('id', i.id, 'content_type', i.content_type, 'width', i.width, 'height', i.height, \
     'size_bytes', i.size_bytes)), '[]') FROM generation_images i WHERE i.generation_id = g.id) AS images \
     FROM generations g WHERE g.account_id = ?1 ORDER BY g.created_at DESC"),
    ("uploads", "SELECT id, content_type, size_bytes, sha256, width, height, created_at, last_used_at FROM uploads WHERE account_id = ?1 ORDER BY created_at DESC"),
    ("credit_ledger", "SELECT id, kind, source_id, amount, balance_after, description, created_at FROM credit_ledger WHERE account_id = ?1 ORDER BY created_at DESC, id DESC"),
    ("payments", "SELECT id, plan_id, kind, cause_id, stripe_payment_intent_id, stripe_subscription_id, amount_cents, currency, \
     credits_granted, credits_reclaimed, amount_reversed_cents, status, created_at, updated_at FROM payments WHERE account_id = ?1 ORDER BY created_at DESC"),
    ("subscriptions", "SELECT id, customer_id, plan_id, status, current_period_end, cancel_at_period_end, updated_at FROM subscriptions WHERE account_id = ?1"),
    ("support_messages", "SELECT id, email, subject, message, status, created_at, updated_at FROM support_messages \
     WHERE account_id = ?1 OR email = (SELECT email FROM accounts WHERE id = ?1) ORDER BY created_at DESC"),
    ("support_replies", "SELECT r.message_id, r.body, r.created_at FROM support_replies r JOIN support_messages m ON m.id = r.message_id \
     WHERE m.account_id = ?1 OR m.email = (SELECT email FROM accounts WHERE id = ?1) ORDER BY r.created_at"),
];

/// Everything held about the account, keyed by category.
pub async fn export(db: &Db, account_id: &str) -> worker::Result<Map<String, Value>> {
    let statements = EXPORT_QUERIES
        .iter()
        .map(|(_, sql)| db.prepare(*sql).bind(&[text(account_id)]))
        .collect::<worker::Result<Vec<_>>>()?;
    let results = db.batch(statements).await?;
    let mut export = Map::new();
    for ((name, _), result) in EXPORT_QUERIES.iter().zip(results) {
        export.insert((*name).to_owned(), Value::Array(result.results::<Value>()?));
    }
    Ok(export)
}

#[derive(Debug, Deserialize)]
pub struct LiveSubscription {
    pub id: String,
}

/// First half of deletion, one batch: erase every personal field and record, forfeit unspent credits (ledger
/// entry), and free the Google account to sign up afresh. Keeps billing rows under the now-anonymous id.
/// Returns the Stripe subscriptions still to cancel.
pub async fn begin_deletion(
    db: &Db,
    account_id: &str,
    ledger_entry_id: &str,
    now: UnixMillis,
) -> worker::Result<Vec<LiveSubscription>> {
    let now_js = int(now.0);
    let statements = vec![
        db.prepare("UPDATE accounts SET deletion_started_at = COALESCE(deletion_started_at, ?2) WHERE id = ?1")
            .bind(&[text(account_id), now_js.clone()])?,
        db.prepare("DELETE FROM support_messages WHERE account_id = ?1 OR email = (SELECT email FROM accounts WHERE id = ?1 AND email != '')")
            .bind(&[text(account_id)])?,
        super::r2_deletions::remember_account_images(db, account_id, now)?,
        super::r2_deletions::remember_account_uploads(db, account_id, now)?,
        db.prepare("DELETE FROM generations WHERE account_id = ?1").bind(&[text(account_id)])?,
        db.prepare("DELETE FROM uploads WHERE account_id = ?1").bind(&[text(account_id)])?,
        db.prepare(
            "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at) \
             SELECT ?2, id, ?3, id, -credits, 0, ?4, ?5 FROM accounts WHERE id = ?1 AND credits > 0 \
             ON CONFLICT (kind, source_id) DO NOTHING",
        )
        .bind(&[
            text(account_id),
            text(ledger_entry_id),
            text(LedgerKind::AccountDeletion.as_str()),
            text(&LedgerKind::AccountDeletion.description("")),
            now_js.clone(),
        ])?,
        db.prepare(APPLY_LEDGER_ENTRY)
            .bind(&[text(ledger_entry_id)])?,
        db.prepare(
            "UPDATE accounts SET email = '', name = 'Deleted account', name_source = 'google', picture_url = NULL, \
             google_sub = 'deleted:' || id, updated_at = ?2 WHERE id = ?1",
        )
        .bind(&[text(account_id), now_js])?,
        db.prepare("SELECT id FROM subscriptions WHERE account_id = ?1 AND status IN ('active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'paused')")
            .bind(&[text(account_id)])?,
    ];
    let results = db.batch(statements).await?;
    results.last().map_or(Ok(Vec::new()), |r| r.results::<LiveSubscription>())
}

/// Second half: no session survives, and the account is marked deleted.
pub async fn finish_deletion(db: &Db, account_id: &str, now: UnixMillis) -> worker::Result<()> {
    db.batch(vec![
        db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(&[text(account_id)])?,
        db.prepare("UPDATE accounts SET deleted_at = COALESCE(deleted_at, ?2) WHERE id = ?1")
            .bind(&[text(account_id), int(now.0)])?,
    ])
    .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct PendingDeletion {
    pub id: String,
}

/// Deletions started more than a minute ago and never finished (the request was interrupted).
pub async fn pending_deletions(db: &Db, now: UnixMillis) -> worker::Result<Vec<PendingDeletion>> {
    db.all(db.prepare(include_str!("sql/pending_deletions.sql")).bind(&[int(now.0)])?).await?.results()
}

/// Uploads never used that one retention run forgets (their keys move to the R2 deletion to-do).
pub const MAX_UPLOADS_PER_RUN: i64 = 500;

/// Retention, one batch: expired or revoked sessions past their grace period, and the oldest uploads never used,
/// whose R2 keys are listed on the deletion to-do before their rows go.
pub async fn purge_expired(
    db: &Db,
    session_cutoff: UnixMillis,
    upload_cutoff: UnixMillis,
    now: UnixMillis,
) -> worker::Result<()> {
    let uploads = [int(upload_cutoff.0), int(now.0), int(MAX_UPLOADS_PER_RUN)];
    db.batch(vec![
        db.prepare(include_str!("sql/purge_sessions.sql")).bind(&[int(session_cutoff.0)])?,
        db.prepare(include_str!("sql/forget_unused_uploads.sql")).bind(&uploads)?,
        db.prepare(include_str!("sql/purge_unused_uploads.sql")).bind(&uploads)?,
    ])
    .await?;
    Ok(())
}

/// A JSON document describing the export itself.
pub fn export_document(data: Map<String, Value>, now: UnixMillis) -> Value {
    json!({ "exported_at": now.0, "format": "gptimg-export-v1", "data": data })
}
