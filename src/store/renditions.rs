//! The WebP renditions recorded on `generation_images` (migration 0009): which images still need theirs, and
//! recording them (or a failed attempt) once, conditionally, so a finisher and the sweep never both record.

use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::{int, opt_int, text, Db};

const DUE: &str = include_str!("sql/renditions_due.sql");

/// A stored original whose renditions are missing.
#[derive(Debug, Deserialize)]
pub struct Due {
    pub id: String,
    pub r2_key: String,
    pub width: i64,
    pub height: i64,
    pub renditions_tries: i64,
}

/// One made rendition, stored in R2.
pub struct Made {
    pub key: String,
    pub etag: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
}

// Only while none is recorded: a second maker (the sweep after a slow finisher) loses and deletes its objects.
const RECORD: &str = "UPDATE generation_images SET medium_key = ?2, medium_etag = ?3, medium_bytes = ?4, \
 medium_width = ?5, medium_height = ?6, preview_key = ?7, preview_etag = ?8, preview_bytes = ?9, preview_width = ?10, \
 preview_height = ?11, renditions_due_at = NULL WHERE id = ?1 AND medium_key IS NULL RETURNING id";

const FAILED: &str = "UPDATE generation_images SET renditions_tries = renditions_tries + 1, renditions_due_at = ?2 \
 WHERE id = ?1 AND medium_key IS NULL";

/// Images due for their renditions at `now`, longest waiting first.
pub async fn due(db: &Db, now: UnixMillis, limit: usize) -> worker::Result<Vec<Due>> {
    db.all(db.prepare(DUE).bind(&[int(now.0), int(limit as i64)])?).await?.results()
}

/// Records the medium and the preview; `false` if the image is gone or someone else recorded theirs first.
pub async fn record(db: &Db, image_id: &str, medium: &Made, preview: &Made) -> worker::Result<bool> {
    let mut values = vec![text(image_id)];
    for made in [medium, preview] {
        values.extend([text(&made.key), text(&made.etag), int(made.bytes), int(made.width), int(made.height)]);
    }
    let result = db.all(db.prepare(RECORD).bind(&values)?).await?;
    Ok(!result.results::<serde_json::Value>()?.is_empty())
}

/// Counts a failed attempt; `next_try` `None` gives up (the original stays the only size served).
pub async fn failed(db: &Db, image_id: &str, next_try: Option<UnixMillis>) -> worker::Result<()> {
    db.run(db.prepare(FAILED).bind(&[text(image_id), opt_int(next_try.map(|t| t.0))])?).await?;
    Ok(())
}
