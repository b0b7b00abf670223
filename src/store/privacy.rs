//! Privacy rights in D1: consent, the two resumable halves of account deletion, (the export is `export.rs`, what an admin
//! sees of stuck deletions `stuck_deletions.rs`, retention `retention.rs`).

use gptimg_domain::account::consent::TERMS_VERSION;
use gptimg_domain::account::deletion::{ERASED_ADJUSTMENT_TEXT, ERASE_ROWS_PER_CHUNK};
use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::LedgerKind;
use gptimg_domain::images::uploads::upload_rate_scope;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::{int, text, Db, APPLY_LEDGER_ENTRY};

const RECORD_CONSENT: &str = "UPDATE accounts SET terms_version = ?2, terms_accepted_at = ?3, age_confirmed_at = ?3, updated_at = ?3 WHERE id = ?1";

pub async fn record_consent(db: &Db, account_id: &AccountId, now: UnixMillis) -> worker::Result<()> {
    db.run(db.prepare(RECORD_CONSENT).bind(&[text(account_id), text(TERMS_VERSION), int(now.0)])?).await?;
    Ok(())
}

/// A subscription deletion must cancel with Stripe (`SubscriptionStatus::must_cancel_on_deletion`).
#[derive(Debug, Deserialize)]
pub struct LiveSubscription {
    pub id: String,
}

const SUBSCRIPTIONS_TO_CANCEL: &str = concat!(
    "SELECT id FROM subscriptions WHERE account_id = ?1 AND status IN ",
    gptimg_domain::cancel_on_deletion_statuses_sql!()
);

/// The account's Google subject while it is still there (deletion replaces it with `deleted:<id>`).
pub async fn google_subject(db: &Db, account_id: &AccountId) -> worker::Result<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        google_sub: String,
    }
    let row: Option<Row> =
        db.first(db.prepare("SELECT google_sub FROM accounts WHERE id = ?1").bind(&[text(account_id)])?).await?;
    Ok(row.map(|r| r.google_sub).filter(|sub| !sub.starts_with("deleted:")))
}

// Keeps the keyed hash of the subject if the account ever had its signup grant (the sign-in batch records it
// too; this covers accounts granted before that table existed).
const KEEP_SIGNUP_SUBJECT: &str = "INSERT INTO signup_grants (subject_hash, granted_at) \
 SELECT ?1, ?2 WHERE ?1 != '' AND EXISTS (SELECT 1 FROM credit_ledger WHERE kind = ?3 AND source_id = ?4) \
 ON CONFLICT (subject_hash) DO NOTHING";

/// The gate, one bounded batch (each statement touches the account row, its sessions and keys, or a few support
/// messages): mark the deletion begun, end every session and API key (the account is refused from now on), keep the
/// keyed hash of the Google subject so signup credits are never granted to it again, tie anonymous support messages
/// sent from its email to it (the email goes next), forfeit unspent credits (ledger entry), erase the account row's
/// personal fields and free the Google account to sign up afresh. Everything else goes in `erase_chunk`s. Billing
/// rows stay under the now-anonymous id. Returns the Stripe subscriptions still to cancel.
pub async fn begin_deletion(
    db: &Db,
    account_id: &AccountId,
    ledger_entry_id: &str,
    subject_hash: Option<&str>,
    now: UnixMillis,
) -> worker::Result<Vec<LiveSubscription>> {
    let now_js = int(now.0);
    let mut statements = vec![
        db.prepare("UPDATE accounts SET deletion_started_at = COALESCE(deletion_started_at, ?2) WHERE id = ?1")
            .bind(&[text(account_id), now_js.clone()])?,
        db.prepare("DELETE FROM sessions WHERE account_id = ?1").bind(&[text(account_id)])?,
        db.prepare("DELETE FROM api_rate_windows WHERE scope = ?1")
            .bind(&[text(&upload_rate_scope(account_id))])?,
        db.prepare(KEEP_SIGNUP_SUBJECT).bind(&[
            text(subject_hash.unwrap_or("")),
            now_js.clone(),
            text(LedgerKind::SignupGrant.as_str()),
            text(account_id),
        ])?,
        db.prepare(
            "UPDATE support_messages SET account_id = ?1 WHERE account_id IS NULL \
             AND email = (SELECT email FROM accounts WHERE id = ?1 AND email != '')",
        )
        .bind(&[text(account_id)])?,
        db.prepare(
            // The entry's balance is what the account keeps: no credits, and a recorded debt as it stands.
            "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, \
             created_at) SELECT ?2, id, ?3, id, -credits, 0, credit_debt, ?4, ?5 FROM accounts WHERE id = ?1 AND credits > 0 \
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
        db.prepare(SUBSCRIPTIONS_TO_CANCEL).bind(&[text(account_id)])?,
    ];
    // Keys die with the sessions (after them in the batch): the account's every credential at once.
    statements.splice(2..2, super::api_keys::delete_for_account(db, account_id)?);
    let results = db.batch(statements).await?;
    results.last().map_or(Ok(Vec::new()), |r| r.results::<LiveSubscription>())
}

// The rows one chunk takes, the same subquery in each statement of its batch (one transaction: the same rows).
macro_rules! chunk_of_generations {
    () => {
        "(SELECT id FROM generations INDEXED BY generations_by_account WHERE account_id = ?1 \
 ORDER BY created_at DESC, id DESC LIMIT ?3)"
    };
}
macro_rules! chunk_of_uploads {
    () => {
        "(SELECT id FROM uploads WHERE account_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?3)"
    };
}
macro_rules! chunk_of_support {
    () => {
        "(SELECT id FROM support_messages WHERE account_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?3)"
    };
}

/// One chunk of an erasure, in this order in one batch (account ?1, now ?2, chunk size ?3): the R2 keys of a chunk
/// of generations' images go on the to-do before their rows (shares go with them), then a chunk of uploads the
/// same way, stored Idempotency-Key answers (they repeat prompts), support messages with their replies; last, whether
/// any of these rows is left.
const ERASE_CHUNK: [&str; 9] = [
    concat!(
        "INSERT INTO r2_deletions (r2_key, created_at) SELECT k.value, ?2 FROM ",
        super::r2_deletions::image_objects!(),
        " WHERE i.generation_id IN ",
        chunk_of_generations!(),
        " AND k.value IS NOT NULL ON CONFLICT (r2_key) DO NOTHING"
    ),
    concat!("DELETE FROM generation_images WHERE generation_id IN ", chunk_of_generations!()),
    concat!("DELETE FROM generations WHERE id IN ", chunk_of_generations!()),
    concat!(
        "INSERT INTO r2_deletions (r2_key, created_at) SELECT r2_key, ?2 FROM uploads WHERE id IN ",
        chunk_of_uploads!(),
        " ON CONFLICT (r2_key) DO NOTHING"
    ),
    concat!("DELETE FROM uploads WHERE id IN ", chunk_of_uploads!()),
    "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE account_id = ?1 LIMIT ?3)",
    concat!("DELETE FROM support_replies WHERE message_id IN ", chunk_of_support!()),
    concat!("DELETE FROM support_messages WHERE id IN ", chunk_of_support!()),
    "SELECT EXISTS (SELECT 1 FROM generations WHERE account_id = ?1) OR EXISTS (SELECT 1 FROM uploads WHERE account_id = ?1) \
 OR EXISTS (SELECT 1 FROM idempotency_keys WHERE account_id = ?1) \
 OR EXISTS (SELECT 1 FROM support_messages WHERE account_id = ?1) AS rows_left",
];

#[derive(Deserialize)]
struct RowsLeft {
    rows_left: i64,
}

/// Erases one bounded chunk of the account's rows (see `ERASE_CHUNK`); whether any is left.
pub async fn erase_chunk(db: &Db, account_id: &AccountId, now: UnixMillis) -> worker::Result<bool> {
    let binds = [text(account_id), int(now.0), int(ERASE_ROWS_PER_CHUNK)];
    let statements = ERASE_CHUNK
        .iter()
        .map(|sql| {
            // SQLite counts parameters up to the highest number a statement names.
            let used = if sql.contains("?3") {
                3
            } else if sql.contains("?2") {
                2
            } else {
                1
            };
            db.prepare(*sql).bind(&binds[..used])
        })
        .collect::<worker::Result<Vec<_>>>()?;
    let results = db.batch(statements).await?;
    let left = results.last().map(|r| r.results::<RowsLeft>()).transpose()?.and_then(|mut rows| rows.pop());
    Ok(left.is_some_and(|row| row.rows_left != 0))
}

const ERASE_ADJUSTMENT_TEXTS: &str = "UPDATE credit_ledger SET description = ?2 WHERE id IN \
 (SELECT id FROM credit_ledger WHERE account_id = ?1 AND kind = ?3 AND description != ?2 LIMIT ?4)";

/// The free text of up to a chunk of the account's admin adjustments in its ledger (the lines themselves are money
/// records and stay); whether a full chunk was changed (then there may be more).
pub async fn erase_ledger_texts(db: &Db, account_id: &AccountId) -> worker::Result<bool> {
    let statement = db.prepare(ERASE_ADJUSTMENT_TEXTS).bind(&[
        text(account_id),
        text(ERASED_ADJUSTMENT_TEXT),
        text(LedgerKind::AdminAdjustment.as_str()),
        int(ERASE_ROWS_PER_CHUNK),
    ])?;
    let changed = db.run(statement).await?.meta()?.and_then(|m| m.changes).unwrap_or(0);
    Ok(changed as i64 >= ERASE_ROWS_PER_CHUNK)
}

/// Nothing of the account is left in D1 or R2 (the caller checked R2): recorded once, unless a row appeared since.
pub async fn mark_erased(db: &Db, account_id: &AccountId, now: UnixMillis) -> worker::Result<bool> {
    let sql = "UPDATE accounts SET deletion_erased_at = COALESCE(deletion_erased_at, ?2) WHERE id = ?1 \
     AND deletion_started_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM generations WHERE account_id = ?1) \
     AND NOT EXISTS (SELECT 1 FROM uploads WHERE account_id = ?1)";
    db.run_changed(db.prepare(sql).bind(&[text(account_id), int(now.0)])?).await
}

/// Deletions whose data is not erased yet, whatever their Stripe cancellations wait for; oldest first.
pub async fn erasing(db: &Db, limit: i64) -> worker::Result<Vec<AccountRef>> {
    let sql = "SELECT id FROM accounts INDEXED BY accounts_erasing WHERE deletion_started_at IS NOT NULL \
     AND deletion_erased_at IS NULL AND deleted_at IS NULL ORDER BY deletion_started_at LIMIT ?1";
    db.all(db.prepare(sql).bind(&[int(limit)])?).await?.results()
}

#[derive(Debug, Deserialize)]
pub struct AccountRef {
    pub id: AccountId,
}

/// Second half: no session survives, and the account is marked deleted.
pub async fn finish_deletion(db: &Db, account_id: &AccountId, now: UnixMillis) -> worker::Result<()> {
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
    pub id: AccountId,
    pub deletion_attempts: u32,
}

/// Deletions started more than a minute ago, never finished, due for a retry and not stuck on a problem an
/// admin must look at; oldest first, at most `limit`.
pub async fn pending_deletions(db: &Db, now: UnixMillis, limit: i64) -> worker::Result<Vec<PendingDeletion>> {
    db.all(db.prepare(include_str!("sql/pending_deletions.sql")).bind(&[int(now.0), int(limit)])?).await?.results()
}

/// A failed deletion attempt: a passing failure counts and waits until `retry_at`; a permanent `problem` stops
/// the retries until an admin asks for another.
pub async fn deletion_failed(
    db: &Db,
    account_id: &AccountId,
    retry_at: UnixMillis,
    problem: Option<&str>,
) -> worker::Result<()> {
    let sql = "UPDATE accounts SET deletion_attempts = deletion_attempts + 1, deletion_retry_at = ?2, \
     deletion_problem = ?3 WHERE id = ?1 AND deleted_at IS NULL";
    db.run(db.prepare(sql).bind(&[text(account_id), int(retry_at.0), super::opt_text(problem)])?).await?;
    Ok(())
}
