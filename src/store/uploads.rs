//! Reference uploads in D1: recorded under a per-user quota, and looked up for signed links.

use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{UploadId, MAX_UPLOADS_PER_USER};
use gptimg_domain::idempotency::StoredAnswer;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::idempotency::{self, Claim};
use super::{int, text, Db};

#[derive(Debug, Deserialize)]
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

// ?11: the request's Idempotency-Key (NULL without one), which it must hold for the row to be written.
const INSERT_WITHIN_QUOTA: &str = concat!(
    "INSERT INTO uploads (id, account_id, r2_key, content_type, size_bytes, sha256, width, height, created_at) \
 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE (SELECT COUNT(*) FROM uploads WHERE account_id = ?2) < ?10",
    crate::idempotency_held!("create_upload", "2", "11", "1")
);

/// Whether the upload was recorded: yes, no (the account is at its quota), or no because another request holds
/// its Idempotency-Key (that request's stored answer).
pub enum Inserted {
    Yes,
    OverQuota,
    KeyTaken(StoredAnswer),
}

const CREATED: &str = "SELECT COUNT(*) AS created FROM uploads WHERE id = ?1";

#[derive(Deserialize)]
struct Created {
    created: i64,
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
    let Some(claim) = claim else {
        return Ok(if db.run_changed(insert).await? { Inserted::Yes } else { Inserted::OverQuota });
    };
    let statements = vec![
        idempotency::claim(db, claim)?,
        insert,
        idempotency::release(db, claim)?,
        idempotency::find(db, claim)?,
        db.prepare(CREATED).bind(&[text(upload.id.as_str())])?,
    ];
    let results = db.batch(statements).await?;
    let created = results.last().map(|r| r.results::<Created>()).transpose()?.and_then(|mut rows| rows.pop());
    if created.is_some_and(|row| row.created != 0) {
        return Ok(Inserted::Yes);
    }
    let taken = results.get(3).map(idempotency::answer).transpose()?.flatten();
    Ok(taken.map_or(Inserted::OverQuota, Inserted::KeyTaken))
}

fn insert_statement(
    db: &Db,
    account_id: &AccountId,
    upload: &Upload,
    now: UnixMillis,
    claim: Option<&Claim<'_>>,
) -> worker::Result<worker::D1PreparedStatement> {
    db.prepare(INSERT_WITHIN_QUOTA).bind(&[
        text(upload.id.as_str()),
        text(account_id.as_str()),
        text(&upload.r2_key),
        text(&upload.content_type),
        int(upload.size_bytes),
        text(&upload.sha256),
        int(upload.width),
        int(upload.height),
        int(now.0),
        int(MAX_UPLOADS_PER_USER),
        idempotency::key_bind(claim),
    ])
}

const FIND: &str =
    "SELECT id, r2_key, content_type, size_bytes, sha256, width, height, created_at FROM uploads WHERE id = ?1";

pub async fn find(db: &Db, id: &UploadId) -> worker::Result<Option<Upload>> {
    db.first::<Upload>(db.prepare(FIND).bind(&[text(id.as_str())])?).await
}
