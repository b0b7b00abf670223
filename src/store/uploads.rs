//! Reference uploads in D1: recorded under a per-user quota, and looked up for signed links.

use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{UploadId, MAX_UPLOADS_PER_USER};
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

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

const INSERT_WITHIN_QUOTA: &str =
    "INSERT INTO uploads (id, account_id, r2_key, content_type, size_bytes, sha256, width, height, created_at) \
 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE (SELECT COUNT(*) FROM uploads WHERE account_id = ?2) < ?10";

/// Records the upload unless the account is at its quota. Returns whether it was recorded.
pub async fn insert(db: &Db, account_id: &AccountId, upload: &Upload, now: UnixMillis) -> worker::Result<bool> {
    db.run_changed(db.prepare(INSERT_WITHIN_QUOTA).bind(&[
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
    ])?)
    .await
}

const FIND: &str =
    "SELECT id, r2_key, content_type, size_bytes, sha256, width, height, created_at FROM uploads WHERE id = ?1";

pub async fn find(db: &Db, id: &UploadId) -> worker::Result<Option<Upload>> {
    db.first::<Upload>(db.prepare(FIND).bind(&[text(id.as_str())])?).await
}
