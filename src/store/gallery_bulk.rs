//! Marking favourites and deleting many generations at once, each in one D1 round trip.

use gptimg_domain::account::AccountId;
use gptimg_domain::gallery::Remaining;
use gptimg_domain::generation::GenerationId;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::gallery::{GenerationRow, ONE};
use super::{int, json_text, sqlite_bool, text, Db};

const SET_FAVOURITE: &str = "UPDATE generations SET favourite = ?3 WHERE id = ?1 AND account_id = ?2";

/// Marks or unmarks the caller's generation and reads it back, in one batch; `None` if it is not the caller's.
pub async fn set_favourite(
    db: &Db,
    id: &GenerationId,
    account_id: &AccountId,
    favourite: bool,
) -> worker::Result<Option<GenerationRow>> {
    let (id, account) = (text(id.as_str()), text(account_id.as_str()));
    let results = db
        .batch(vec![
            db.prepare(SET_FAVOURITE).bind(&[id.clone(), account.clone(), int(i64::from(favourite))])?,
            db.prepare(ONE).bind(&[id, account])?,
        ])
        .await?;
    match results.get(1) {
        Some(read) => Ok(read.results::<GenerationRow>()?.into_iter().next()),
        None => Ok(None),
    }
}

// ?1 is a JSON array of generation ids, ?2 the account, ?3 now. The key listing and the to-do insert run before the
// delete in the same batch (one transaction), so they see exactly the rows it deletes: the caller's finished ones
// whose images are no reference of a generation still running (as `r2_deletions::not_a_running_reference`).
macro_rules! mine_finished {
    () => {
        "SELECT g.id FROM generations g WHERE g.id IN (SELECT value FROM json_each(?1)) AND g.account_id = ?2 \
 AND g.status IN ('succeeded', 'failed') AND NOT EXISTS (SELECT 1 FROM generations r, json_each(r.reference_image_ids) j \
 JOIN generation_images ri ON ri.id = j.value WHERE r.account_id = ?2 AND r.status IN ('queued', 'running') \
 AND ri.generation_id = g.id)"
    };
}
const IMAGE_KEYS: &str = concat!(
    "SELECT k.value AS r2_key FROM ",
    super::r2_deletions::image_objects!(),
    " WHERE i.account_id = ?2 AND k.value IS NOT NULL AND i.generation_id IN (",
    mine_finished!(),
    ")"
);
const REMEMBER_KEYS: &str = concat!(
    "INSERT INTO r2_deletions (r2_key, created_at) SELECT k.value, ?3 FROM ",
    super::r2_deletions::image_objects!(),
    " WHERE i.account_id = ?2 AND k.value IS NOT NULL AND i.generation_id IN (",
    mine_finished!(),
    ") ON CONFLICT (r2_key) DO NOTHING"
);
// RETURNING, not meta.changes: D1 reports no changes for a DELETE whose rows cascade.
const DELETE_FINISHED: &str = concat!("DELETE FROM generations WHERE id IN (", mine_finished!(), ") RETURNING id");
const STILL_MINE: &str = "SELECT id, status IN ('queued', 'running') AS in_progress FROM generations \
 WHERE id IN (SELECT value FROM json_each(?1)) AND account_id = ?2";

#[derive(Debug, Deserialize)]
struct IdRow {
    id: String,
}

#[derive(Debug, Deserialize)]
struct RemainingRow {
    id: String,
    #[serde(deserialize_with = "sqlite_bool")]
    in_progress: bool,
}

#[derive(Debug, Deserialize)]
struct KeyRow {
    r2_key: String,
}

/// What one multi-delete batch did.
pub struct DeletedMany {
    pub deleted: Vec<String>,
    /// The caller's requested generations still there afterwards: unfinished, or in use as a reference.
    pub still_there: Vec<Remaining>,
    /// Every R2 object of the deleted generations (originals and renditions), listed on the deletion to-do.
    pub r2_keys: Vec<String>,
}

/// Deletes the caller's finished generations among `ids` (their image rows cascade) and lists their R2 keys on the
/// deletion to-do, all in one batch, as a single delete does for one.
pub async fn delete_finished(
    db: &Db,
    ids: &[GenerationId],
    account_id: &AccountId,
    now: UnixMillis,
) -> worker::Result<DeletedMany> {
    let ids: Vec<&str> = ids.iter().map(GenerationId::as_str).collect();
    let (ids, account) = (json_text(&ids)?, text(account_id.as_str()));
    let results = db
        .batch(vec![
            db.prepare(IMAGE_KEYS).bind(&[ids.clone(), account.clone()])?,
            db.prepare(REMEMBER_KEYS).bind(&[ids.clone(), account.clone(), int(now.0)])?,
            db.prepare(DELETE_FINISHED).bind(&[ids.clone(), account.clone()])?,
            db.prepare(STILL_MINE).bind(&[ids, account])?,
        ])
        .await?;
    let column = |i: usize| -> worker::Result<Vec<String>> {
        Ok(results[i].results::<IdRow>()?.into_iter().map(|row| row.id).collect())
    };
    Ok(DeletedMany {
        r2_keys: results[0].results::<KeyRow>()?.into_iter().map(|k| k.r2_key).collect(),
        deleted: column(2)?,
        still_there: results[3]
            .results::<RemainingRow>()?
            .into_iter()
            .map(|row| Remaining { id: row.id, in_progress: row.in_progress })
            .collect(),
    })
}
