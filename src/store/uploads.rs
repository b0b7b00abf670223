//! Reference uploads in D1: recorded under a per-user quota, and looked up for signed links.

use gptimg_domain::generation::MAX_UPLOADS_PER_USER;
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};

use super::{int, text, Db};

#[derive(Debug, Serialize, Deserialize)]
pub struct Upload {
    pub id: String,
    #[serde(skip_serializing)]
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
pub async fn insert(db: &Db, account_id: &str, upload: &Upload, now: UnixMillis) -> worker::Result<bool> {
    db.run_changed(db.prepare(INSERT_WITHIN_QUOTA).bind(&[
        text(&upload.id),
        text(account_id),
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

pub async fn find(db: &Db, id: &str) -> worker::Result<Option<Upload>> {
    db.first::<Upload>(db.prepare(FIND).bind(&[text(id)])?).await
}
