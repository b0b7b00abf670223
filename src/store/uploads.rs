//! Reference uploads in D1: admitted (rate, quota) before their bytes are stored, recorded under the per-user
//! quota, deleted through the R2 to-do, and looked up for signed links.

use gptimg_domain::account::api_key::window_start;
use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{UploadId, MAX_UPLOADS_PER_USER};
use gptimg_domain::idempotency::{expired_at_or_before, IdempotencyKey, StoredAnswer};
use gptimg_domain::images::uploads::{upload_rate_scope, UploadAdmission};
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};

use super::idempotency::{self, Claim};
use super::{int, text, Db};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub id: UploadId,
    pub r2_key: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub width: i64,
    pub height: i64,
    pub created_at: i64,
}

// The request's Idempotency-Key (NULL without one) must be held for the row to be written. An account whose
// deletion began while the bytes streamed gets no row (its erasure may already have passed).
const INSERT_WITHIN_QUOTA: &str = concat!(
    "INSERT INTO uploads (id, account_id, r2_key, content_type, size_bytes, sha256, width, height, created_at) \
 SELECT :id, :account, :r2_key, :content_type, :size_bytes, :sha256, :width, :height, :now \
 WHERE (SELECT COUNT(*) FROM uploads WHERE account_id = :account) < :quota \
 AND EXISTS (SELECT 1 FROM accounts WHERE id = :account AND deletion_started_at IS NULL)",
    crate::idempotency_held!("create_upload")
);

/// Last in the insert's batch: a streamed object that got no row goes on the R2 to-do, so it is deleted even if
/// the request's own delete never happens.
const UNRECORDED_OBJECT: &str = "INSERT INTO r2_deletions (r2_key, created_at) SELECT ?2, ?3 \
 WHERE NOT EXISTS (SELECT 1 FROM uploads WHERE id = ?1) ON CONFLICT (r2_key) DO NOTHING";

/// Whether the upload was recorded: yes, no (the account is at its quota, or its deletion began), or no because
/// another request holds its Idempotency-Key (that request's stored answer). Unless yes, its object is listed on
/// the R2 to-do.
pub enum Inserted {
    Yes,
    OverQuota,
    AccountClosing,
    KeyTaken(StoredAnswer),
}

// ?1 account, ?2 its upload scope, ?3 window start, ?4 the request's Idempotency-Key (or NULL), ?5 its expiry.
const FORGET_OLD_WINDOW: &str = "DELETE FROM api_rate_windows WHERE scope = ?2 AND window_start < ?3";
const COUNT_UPLOAD: &str = "INSERT INTO api_rate_windows (scope, window_start, count) SELECT ?2, ?3, 1 \
 WHERE true ON CONFLICT (scope, window_start) DO UPDATE SET count = count + 1";
const ADMISSION: &str =
    "SELECT (SELECT count FROM api_rate_windows WHERE scope = ?2 AND window_start = ?3) AS window_count, \
 (SELECT COUNT(*) FROM uploads WHERE account_id = ?1) AS stored, \
 EXISTS (SELECT 1 FROM idempotency_keys WHERE account_id = ?1 AND operation = 'create_upload' AND idem_key = ?4 \
 AND created_at > ?5) AS key_answered";

#[derive(Deserialize)]
struct AdmissionRow {
    window_count: i64,
    stored: i64,
    key_answered: i64,
}

/// Before any byte is stored, one batch: counts this upload in the account's minute and reads that count, how many
/// uploads the account keeps, and whether the request's Idempotency-Key already has an answer.
pub async fn admission(
    db: &Db,
    account_id: &AccountId,
    key: Option<&IdempotencyKey>,
    now: UnixMillis,
) -> worker::Result<UploadAdmission> {
    let binds = [
        text(account_id.as_str()),
        text(&upload_rate_scope(account_id)),
        int(window_start(now)),
        key.map_or(worker::wasm_bindgen::JsValue::NULL, |k| text(k.as_str())),
        int(expired_at_or_before(now).0),
    ];
    let results = db
        .batch(vec![
            db.prepare(FORGET_OLD_WINDOW).bind(&binds[..3])?,
            db.prepare(COUNT_UPLOAD).bind(&binds[..3])?,
            db.prepare(ADMISSION).bind(&binds)?,
        ])
        .await?;
    let row = results.last().map(|r| r.results::<AdmissionRow>()).transpose()?.and_then(|mut rows| rows.pop());
    let row = row.ok_or_else(|| worker::Error::RustError("the admission read no row".into()))?;
    Ok(UploadAdmission { window_count: row.window_count, stored: row.stored, key_answered: row.key_answered != 0 })
}

const CREATED: &str = "SELECT COUNT(*) AS created, \
 COALESCE((SELECT deletion_started_at IS NOT NULL FROM accounts WHERE id = ?2), 1) AS closing FROM uploads WHERE id = ?1";

#[derive(Deserialize)]
struct Created {
    created: i64,
    closing: i64,
}

/// Records the upload unless the account is at its quota, with its Idempotency-Key's answer if it has one (claim,
/// insert, release, answer: one batch).
pub async fn insert(
    db: &Db,
    account_id: &AccountId,
    upload: &Upload,
    now: UnixMillis,
    claim: Option<&Claim<'_>>,
) -> worker::Result<Inserted> {
    let insert = insert_statement(db, account_id, upload, now, claim)?;
    let unrecorded =
        db.prepare(UNRECORDED_OBJECT).bind(&[text(upload.id.as_str()), text(&upload.r2_key), int(now.0)])?;
    let created = db.prepare(CREATED).bind(&[text(upload.id.as_str()), text(account_id.as_str())])?;
    let statements = match claim {
        None => vec![insert, unrecorded, created],
        Some(claim) => vec![
            idempotency::claim(db, claim)?,
            insert,
            idempotency::release(db, claim)?,
            idempotency::find(db, claim)?,
            unrecorded,
            created,
        ],
    };
    let results = db.batch(statements).await?;
    let created = results.last().map(|r| r.results::<Created>()).transpose()?.and_then(|mut rows| rows.pop());
    match created {
        Some(row) if row.created != 0 => return Ok(Inserted::Yes),
        Some(row) if row.closing != 0 => return Ok(Inserted::AccountClosing),
        _ => {}
    }
    let taken = match claim {
        Some(_) => results.get(3).map(idempotency::answer).transpose()?.flatten(),
        None => None,
    };
    Ok(taken.map_or(Inserted::OverQuota, Inserted::KeyTaken))
}

fn insert_statement(
    db: &Db,
    account_id: &AccountId,
    upload: &Upload,
    now: UnixMillis,
    claim: Option<&Claim<'_>>,
) -> worker::Result<worker::D1PreparedStatement> {
    db.named(
        INSERT_WITHIN_QUOTA,
        &[
            ("id", text(upload.id.as_str())),
            ("account", text(account_id.as_str())),
            ("r2_key", text(&upload.r2_key)),
            ("content_type", text(&upload.content_type)),
            ("size_bytes", int(upload.size_bytes)),
            ("sha256", text(&upload.sha256)),
            ("width", int(upload.width)),
            ("height", int(upload.height)),
            ("now", int(now.0)),
            ("quota", int(MAX_UPLOADS_PER_USER)),
            ("idem_key", idempotency::key_bind(claim)),
        ],
    )
}

const FIND: &str =
    "SELECT id, r2_key, content_type, size_bytes, sha256, width, height, created_at FROM uploads WHERE id = ?1";

pub async fn find(db: &Db, id: &UploadId) -> worker::Result<Option<Upload>> {
    db.first::<Upload>(db.prepare(FIND).bind(&[text(id.as_str())])?).await
}

// ?1 upload, ?2 account, ?3 now. Kept while a generation that has not finished names it (APIPod may still fetch it).
macro_rules! deletable {
    () => {
        "EXISTS (SELECT 1 FROM uploads WHERE id = ?1 AND account_id = ?2) AND NOT EXISTS (SELECT 1 FROM generations g, \
 json_each(g.reference_upload_ids) j WHERE g.account_id = ?2 AND g.status IN ('queued', 'running') AND j.value = ?1)"
    };
}
const LIST_OBJECT: &str = concat!(
    "INSERT INTO r2_deletions (r2_key, created_at) SELECT r2_key, ?3 FROM uploads WHERE id = ?1 AND ",
    deletable!(),
    " ON CONFLICT (r2_key) DO NOTHING"
);
const DELETE: &str = concat!("DELETE FROM uploads WHERE id = ?1 AND ", deletable!(), " RETURNING r2_key");
const KEPT: &str = "SELECT EXISTS (SELECT 1 FROM uploads WHERE id = ?1 AND account_id = ?2) AS kept";

#[derive(Deserialize)]
struct Deleted {
    r2_key: String,
}

#[derive(Deserialize)]
struct Kept {
    kept: i64,
}

/// Deletes the account's upload unless an unfinished generation uses it, its R2 key listed on the to-do first in the
/// same batch. `Ok(key)` when deleted; else whether the caller's upload was kept (`Err(true)`: it is in use).
pub async fn delete(
    db: &Db,
    id: &UploadId,
    account_id: &AccountId,
    now: UnixMillis,
) -> worker::Result<Result<String, bool>> {
    let binds = [text(id.as_str()), text(account_id.as_str()), int(now.0)];
    let results = db
        .batch(vec![
            db.prepare(LIST_OBJECT).bind(&binds)?,
            db.prepare(DELETE).bind(&binds[..2])?,
            db.prepare(KEPT).bind(&binds[..2])?,
        ])
        .await?;
    if let Some(deleted) = results[1].results::<Deleted>()?.pop() {
        return Ok(Ok(deleted.r2_key));
    }
    let kept = results[2].results::<Kept>()?.pop().is_some_and(|row| row.kept != 0);
    Ok(Err(kept))
}
