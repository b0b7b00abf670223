//! Privacy rights in D1: consent, the full export, and the two resumable halves of account deletion.

use gptimg_domain::account::consent::TERMS_VERSION;
use gptimg_domain::account::deletion::{ERASED_ADJUSTMENT_TEXT, ERASE_ROWS_PER_CHUNK};
use gptimg_domain::account::AccountId;
use gptimg_domain::admin::AuditAction;
use gptimg_domain::billing::ledger::LedgerKind;
use gptimg_domain::ids::AuditId;
use gptimg_domain::images::uploads::upload_rate_scope;
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{int, json_column, text, Db, APPLY_LEDGER_ENTRY};

const RECORD_CONSENT: &str = "UPDATE accounts SET terms_version = ?2, terms_accepted_at = ?3, age_confirmed_at = ?3, updated_at = ?3 WHERE id = ?1";

pub async fn record_consent(db: &Db, account_id: &AccountId, now: UnixMillis) -> worker::Result<()> {
    db.run(db.prepare(RECORD_CONSENT).bind(&[text(account_id), text(TERMS_VERSION), int(now.0)])?).await?;
    Ok(())
}

/// One category of the export: its rows, newest first. A paged category is read `EXPORT_PAGE_ROWS` at a time by its
/// (`created_at`, `id`) keyset (binds: account ?1, cursor ?2 ?3, `LIMIT` ?4); the others are small by the product's
/// own limits and read in one query (bind: account ?1).
pub struct ExportCategory {
    pub name: &'static str,
    sql: &'static str,
    paged: bool,
}

/// Rows per page of a paged category: one D1 query each, so memory holds one page, never the account.
pub const EXPORT_PAGE_ROWS: i64 = 500;

const fn paged(name: &'static str, sql: &'static str) -> ExportCategory {
    ExportCategory { name, sql, paged: true }
}
const fn whole(name: &'static str, sql: &'static str) -> ExportCategory {
    ExportCategory { name, sql, paged: false }
}

/// Every category the privacy policy lists, in the document's order.
pub const EXPORT_CATEGORIES: [ExportCategory; 10] = [
    // Balances as the person sees them everywhere else: net of a recorded debt (negative while one is open).
    whole("account", "SELECT id, email, name, picture_url, credits - credit_debt AS credits, credit_debt, created_at, updated_at, last_sign_in_at, stripe_customer_id, \
     terms_version, terms_accepted_at, age_confirmed_at FROM accounts WHERE id = ?1"),
    paged("sessions", "SELECT id, created_at, expires_at, revoked_at FROM sessions WHERE account_id = ?1 \
     AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    paged("generations", "SELECT g.id, g.prompt, g.model_id, g.aspect_ratio, g.quality, g.reference_upload_ids, g.cost, g.status, \
     g.failure_code, g.failure_message, g.share_token IS NOT NULL AS shared, g.created_at, g.finished_at, \
     g.batch_id, g.reference_image_ids, g.share_shows_prompt, g.favourite, \
     (SELECT COALESCE(json_group_array(json_object('id', i.id, 'content_type', i.content_type, 'width', i.width, 'height', i.height, \
     'size_bytes', i.size_bytes, \
     'medium', json(CASE WHEN i.medium_key IS NOT NULL THEN json_object('content_type', 'image/webp', 'width', i.medium_width, \
     'height', i.medium_height, 'size_bytes', i.medium_bytes) END), \
     'preview', json(CASE WHEN i.preview_key IS NOT NULL THEN json_object('content_type', 'image/webp', 'width', i.preview_width, \
     'height', i.preview_height, 'size_bytes', i.preview_bytes) END))), '[]') FROM generation_images i WHERE i.generation_id = g.id) AS images \
     FROM generations g INDEXED BY generations_by_account WHERE g.account_id = ?1 AND (g.created_at, g.id) < (?2, ?3) \
     ORDER BY g.created_at DESC, g.id DESC LIMIT ?4"),
    paged("uploads", "SELECT id, content_type, size_bytes, sha256, width, height, created_at, last_used_at FROM uploads \
     WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    paged("credit_ledger", "SELECT id, kind, source_id, amount, balance_after - debt_after AS balance_after, debt_after, description, \
     created_at FROM credit_ledger \
     WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    paged("payments", "SELECT id, plan_id, kind, cause_id, stripe_payment_intent_id, stripe_subscription_id, amount_cents, currency, \
     credits_granted, credits_reclaimed, amount_reversed_cents, status, created_at, updated_at FROM payments \
     WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"),
    whole("subscriptions", "SELECT id, customer_id, plan_id, status, current_period_end, cancel_at_period_end, updated_at FROM subscriptions WHERE account_id = ?1"),
    whole("support_messages", "SELECT id, email, subject, message, status, created_at, updated_at FROM support_messages \
     WHERE account_id = ?1 OR email = (SELECT email FROM accounts WHERE id = ?1) ORDER BY created_at DESC"),
    whole("support_replies", "SELECT r.message_id, r.body, r.created_at FROM support_replies r JOIN support_messages m ON m.id = r.message_id \
     WHERE m.account_id = ?1 OR m.email = (SELECT email FROM accounts WHERE id = ?1) ORDER BY r.created_at"),
    // Metadata only: the key's hash (let alone its secret) is never exported.
    whole("api_keys", "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE account_id = ?1 ORDER BY created_at DESC"),
];

/// Where a paged category goes on from: the last row's (`created_at`, `id`).
#[derive(Debug, Clone)]
pub struct ExportCursor {
    pub created_at: i64,
    pub id: String,
}

/// One page of `category`: its rows (JSON columns parsed) and the cursor to the next page, `None` when this was
/// the last.
pub async fn export_page(
    db: &Db,
    category: &ExportCategory,
    account_id: &AccountId,
    after: Option<&ExportCursor>,
) -> worker::Result<(Vec<Value>, Option<ExportCursor>)> {
    let statement = if category.paged {
        let (created_at, id) = after.map_or(super::PAGE_START, |c| (c.created_at, c.id.as_str()));
        db.prepare(category.sql).bind(&[text(account_id), int(created_at), text(id), int(EXPORT_PAGE_ROWS)])?
    } else {
        db.prepare(category.sql).bind(&[text(account_id)])?
    };
    let mut rows = db.all(statement).await?.results::<Value>()?;
    rows.iter_mut().for_each(parse_json_columns);
    let next = match (category.paged, rows.len() as i64 == EXPORT_PAGE_ROWS, rows.last()) {
        (true, true, Some(last)) => Some(ExportCursor {
            created_at: last["created_at"].as_i64().unwrap_or_default(),
            id: last["id"].as_str().unwrap_or_default().to_owned(),
        }),
        _ => None,
    };
    Ok((rows, next))
}

/// Generation columns holding JSON text: the export shows them as JSON (an empty or unreadable one as `[]`).
const EXPORT_JSON_COLUMNS: [&str; 3] = ["images", "reference_upload_ids", "reference_image_ids"];

fn parse_json_columns(row: &mut Value) {
    for column in EXPORT_JSON_COLUMNS {
        if let Some(cell) = row.get_mut(column) {
            *cell = cell.as_str().and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_else(|| json!([]));
        }
    }
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

/// A deletion an admin should see: refused for good, or failing again and again. No personal data is left.
#[derive(Debug, Deserialize, Serialize)]
pub struct StuckDeletion {
    pub id: AccountId,
    pub deletion_started_at: i64,
    pub deletion_attempts: i64,
    pub deletion_retry_at: Option<i64>,
    pub problem: Option<String>,
    /// The subscriptions it still has to cancel.
    #[serde(deserialize_with = "json_column")]
    pub live_subscriptions: Vec<String>,
}

const STUCK_DELETIONS: &str = concat!(
    "SELECT a.id, a.deletion_started_at, a.deletion_attempts, a.deletion_retry_at, a.deletion_problem AS problem, \
 (SELECT json_group_array(s.id) FROM subscriptions s WHERE s.account_id = a.id AND s.status IN ",
    gptimg_domain::cancel_on_deletion_statuses_sql!(),
    ") AS live_subscriptions FROM accounts a WHERE a.deletion_started_at IS NOT NULL AND a.deleted_at IS NULL \
 AND (a.deletion_problem IS NOT NULL OR a.deletion_attempts >= 5) ORDER BY a.deletion_started_at LIMIT 100"
);

pub async fn stuck_deletions(db: &Db) -> worker::Result<Vec<StuckDeletion>> {
    db.all(db.prepare(STUCK_DELETIONS)).await?.results()
}

/// An admin's "try again": clears the problem and the backoff, with its audit entry, in one batch. False if the
/// account has no unfinished deletion.
pub async fn retry_deletion(
    db: &Db,
    account_id: &AccountId,
    audit_id: &AuditId,
    admin_id: &AccountId,
    now: UnixMillis,
) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO audit_log (id, admin_account_id, action, target_id, details, created_at) \
             SELECT ?1, ?2, ?5, id, json_object('problem', deletion_problem, 'attempts', deletion_attempts), ?4 \
             FROM accounts WHERE id = ?3 AND deletion_started_at IS NOT NULL AND deleted_at IS NULL",
            )
            .bind(&[
                text(audit_id),
                text(admin_id),
                text(account_id),
                int(now.0),
                text(AuditAction::DeletionRetry.as_str()),
            ])?,
            db.prepare(
                "UPDATE accounts SET deletion_problem = NULL, deletion_retry_at = NULL, deletion_attempts = 0 \
             WHERE id = ?1 AND deletion_started_at IS NOT NULL AND deleted_at IS NULL RETURNING id",
            )
            .bind(&[text(account_id)])?,
        ])
        .await?;
    Ok(!results[1].results::<Value>()?.is_empty())
}

/// Uploads never used that one retention run forgets (their keys move to the R2 deletion to-do).
pub const MAX_UPLOADS_PER_RUN: i64 = 500;

/// Retention, one batch: expired or revoked sessions past their grace period, the oldest uploads never used (whose R2
/// keys are listed on the deletion to-do before their rows go), old Stripe event records and support network hashes.
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
        super::billing::prune_stripe_events(db, now)?,
        super::support::forget_sender_hashes(db, now)?,
        super::idempotency::prune(db, now)?,
    ])
    .await?;
    Ok(())
}

/// The export document around its `data`: what it is and when its links expire, before; what derived data it
/// holds and what is kept after deletion, after. `data` is streamed between the two (`usecases::export`).
pub fn export_frame(now: UnixMillis, links_expire_at_secs: i64) -> (String, String) {
    let head = json!({ "exported_at": now.0, "format": "gptimg-export-v1", "links_expire_at": links_expire_at_secs });
    let tail = json!({
    "links": "Each upload's and image's `download_url` is a signed link to its bytes that works without signing in \
     until `links_expire_at` (Unix seconds); export again for fresh links. `url` is the image in the app, for you \
     signed in.",
    "derived_data": {
        "image_renditions": "Each generated image's `medium` and `preview` are smaller WebP copies made from it for \
         faster pages. They hold nothing the image does not, and are deleted with it."
    },
    "retained_after_deletion": {
        "signup_grant": "For fraud prevention we keep a keyed one-way hash (HMAC-SHA256) of your Google account id \
         once you have received the sign-up credits, also after you delete your account, so that the sign-up \
         credits are given once per Google account. It cannot be turned back into your Google account id."
    } });
    // `{"exported_at":…,"links_expire_at":…` + `,"data":{` … `}` + `,"links":…}`.
    let head = head.to_string();
    let tail = tail.to_string();
    (format!("{},\"data\":{{", &head[..head.len() - 1]), format!("}},{}", &tail[1..]))
}
