//! Featured images in D1: the operator's picks for the landing page, each a shared generation's first image. The
//! public list checks the share itself on every read, so an unshared, deleted or erasing account's image never
//! shows even if its row were still there.

use gptimg_domain::gallery::featured::{FeatureAttempt, MAX_FEATURED};
use gptimg_domain::generation::{GenerationId, ImageId};
use serde::Deserialize;
use serde_json::Value;

use gptimg_domain::account::AccountId;
use gptimg_domain::time::UnixMillis;

use super::admin::{audit, AuditEntry};
use super::{int, sqlite_bool, text, Db};

/// A featured image as the list shows it: the share's token (for its public URLs), the first image's sizes and
/// versions, and the prompt only if the owner chose to show it on the share page (NULL otherwise, in SQL).
#[derive(Debug, Deserialize)]
pub struct FeaturedRow {
    pub generation_id: GenerationId,
    pub featured_at: i64,
    pub share_token: String,
    pub shown_prompt: Option<String>,
    pub image_id: ImageId,
    pub medium_etag: Option<String>,
    pub preview_etag: Option<String>,
    pub width: i64,
    pub height: i64,
}

// A live share: a token, a success, an owner whose deletion has not begun, and an image.
macro_rules! live_share {
    () => {
        "g.share_token IS NOT NULL AND g.status = 'succeeded' \
 AND (SELECT deletion_started_at FROM accounts WHERE id = g.account_id) IS NULL"
    };
}

// The medium's size once it is made (the URL serves it), else the original's, as the share page does.
const LIST: &str = concat!(
    "SELECT f.generation_id, f.featured_at, g.share_token, \
 CASE WHEN g.share_shows_prompt = 1 THEN g.prompt END AS shown_prompt, i.id AS image_id, i.medium_etag, i.preview_etag, \
 CASE WHEN i.medium_key IS NOT NULL AND i.medium_width IS NOT NULL THEN i.medium_width ELSE i.width END AS width, \
 CASE WHEN i.medium_key IS NOT NULL AND i.medium_height IS NOT NULL THEN i.medium_height ELSE i.height END AS height \
 FROM featured_images f JOIN generations g ON g.id = f.generation_id \
 JOIN generation_images i ON i.id = (SELECT id FROM generation_images WHERE generation_id = g.id ORDER BY position LIMIT 1) \
 WHERE ",
    live_share!(),
    " ORDER BY f.position, f.featured_at LIMIT ?1"
);

/// The featured images still shared, in the order shown (at most `MAX_FEATURED`).
pub async fn list(db: &Db) -> worker::Result<Vec<FeaturedRow>> {
    db.all(db.prepare(LIST).bind(&[int(MAX_FEATURED as i64)])?).await?.results::<FeaturedRow>()
}

// Appended after the last one, only for a live share with an image, and only while fewer than ?3 are featured
// (counting only rows still shared). Featuring it again changes nothing.
const FEATURE: &str = concat!(
    "INSERT INTO featured_images (generation_id, position, featured_at) \
 SELECT g.id, COALESCE((SELECT MAX(position) FROM featured_images), 0) + 1, ?2 FROM generations g \
 WHERE g.share_token = ?1 AND ",
    live_share!(),
    " AND EXISTS (SELECT 1 FROM generation_images WHERE generation_id = g.id) \
 AND (SELECT count(*) FROM featured_images f JOIN generations s ON s.id = f.generation_id \
 WHERE s.share_token IS NOT NULL) < ?3 \
 ON CONFLICT (generation_id) DO NOTHING"
);

// Written only when the image is featured now (newly, or already).
const FEATURE_AUDIT: &str = "INSERT INTO audit_log (id, admin_account_id, action, target_id, details, created_at) \
 SELECT ?1, ?2, ?3, f.generation_id, ?5, ?6 FROM featured_images f JOIN generations g ON g.id = f.generation_id \
 WHERE g.share_token = ?4 AND f.featured_at = ?6";

const ATTEMPT: &str = concat!(
    "SELECT EXISTS (SELECT 1 FROM generations g WHERE g.share_token = ?1 AND ",
    live_share!(),
    ") AS shared, EXISTS (SELECT 1 FROM featured_images f JOIN generations g ON g.id = f.generation_id \
 WHERE g.share_token = ?1) AS featured"
);

#[derive(Deserialize)]
struct AttemptRow {
    #[serde(deserialize_with = "sqlite_bool")]
    shared: bool,
    #[serde(deserialize_with = "sqlite_bool")]
    featured: bool,
}

/// Features the generation shared under `token` (its audit entry in the same batch, `entry.target_id` being the
/// token until the row names the generation) and reads back what holds now.
pub async fn feature(db: &Db, token: &str, entry: &AuditEntry, now: UnixMillis) -> worker::Result<FeatureAttempt> {
    let results = db
        .batch(vec![
            db.prepare(FEATURE).bind(&[text(token), int(now.0), int(MAX_FEATURED as i64)])?,
            audit(db, FEATURE_AUDIT, entry, now)?,
            db.prepare(ATTEMPT).bind(&[text(token)])?,
        ])
        .await?;
    let row = results.get(2).map(|r| r.results::<AttemptRow>()).transpose()?.and_then(|rows| rows.into_iter().next());
    Ok(row.map_or(FeatureAttempt { shared: false, featured: false }, |r| FeatureAttempt {
        shared: r.shared,
        featured: r.featured,
    }))
}

const UNFEATURE_AUDIT: &str = "INSERT INTO audit_log (id, admin_account_id, action, target_id, details, created_at) \
 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM featured_images WHERE generation_id = ?4)";

/// Takes a generation off the landing page, with its audit entry; false if it was not featured.
pub async fn unfeature(db: &Db, entry: &AuditEntry, now: UnixMillis) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            audit(db, UNFEATURE_AUDIT, entry, now)?,
            db.prepare("DELETE FROM featured_images WHERE generation_id = ?1 RETURNING generation_id")
                .bind(&[text(&entry.target_id)])?,
        ])
        .await?;
    Ok(!results[1].results::<Value>()?.is_empty())
}

/// The statement `gallery::unshare` runs in its batch: the owner's generation leaves the landing page with its link.
pub fn unfeature_unshared(
    db: &Db,
    id: &GenerationId,
    account_id: &AccountId,
) -> worker::Result<worker::D1PreparedStatement> {
    db.prepare(
        "DELETE FROM featured_images WHERE generation_id = \
         (SELECT id FROM generations WHERE id = ?1 AND account_id = ?2)",
    )
    .bind(&[text(id.as_str()), text(account_id.as_str())])
}
