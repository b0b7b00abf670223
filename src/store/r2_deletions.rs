//! The durable to-do list of R2 objects to delete (`r2_deletions`): keys are added in the same D1 batch that
//! forgets the rows naming them, and leave it only after R2 confirmed their deletion.

use gptimg_domain::account::AccountId;
use gptimg_domain::generation::GenerationId;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::{int, json_text, text, Db};

const NEXT: &str = include_str!("sql/r2_deletions_next.sql");
const DONE: &str = include_str!("sql/r2_deletions_done.sql");
const DONE_KEYS: &str = "DELETE FROM r2_deletions WHERE r2_key IN (SELECT value FROM json_each(?1))";

/// Every R2 object of an image row `i`, as `k.value`: the original and whichever renditions were made.
macro_rules! image_objects {
    () => {
        "generation_images i, json_each(json_array(i.r2_key, i.medium_key, i.preview_key)) k"
    };
}
pub(crate) use image_objects;

/// `AND` a guard: generation `?1`'s images are no reference of an unfinished generation of account `?2`. APIPod
/// fetches a reference from the object itself, so the object stays until the generation using it has ended, as
/// a used upload does.
macro_rules! not_a_running_reference {
    () => {
        "AND NOT EXISTS (SELECT 1 FROM generations r, json_each(r.reference_image_ids) j \
 JOIN generation_images ri ON ri.id = j.value WHERE r.account_id = ?2 AND r.status IN ('queued', 'running') \
 AND ri.generation_id = ?1)"
    };
}
pub(crate) use not_a_running_reference;

/// Put first in a batch that deletes a finished generation: its images' keys (originals and renditions), only
/// if it will be deleted.
const OF_FINISHED_GENERATION: &str = concat!(
    "INSERT INTO r2_deletions (r2_key, created_at) SELECT k.value, ?3 FROM ",
    image_objects!(),
    " WHERE i.generation_id = ?1 AND i.account_id = ?2 AND k.value IS NOT NULL \
 AND EXISTS (SELECT 1 FROM generations WHERE id = ?1 AND account_id = ?2 AND status IN ('succeeded', 'failed')) ",
    not_a_running_reference!(),
    " ON CONFLICT (r2_key) DO NOTHING"
);
pub fn remember_finished_generation(
    db: &Db,
    id: &GenerationId,
    account_id: &AccountId,
    now: UnixMillis,
) -> worker::Result<D1PreparedStatement> {
    db.prepare(OF_FINISHED_GENERATION).bind(&[text(id.as_str()), text(account_id.as_str()), int(now.0)])
}

#[derive(Debug, Deserialize)]
pub struct Pending {
    pub id: i64,
    pub r2_key: String,
}

/// The next keys to delete, oldest first, after the row id `after`.
pub async fn next(db: &Db, after: i64, limit: usize) -> worker::Result<Vec<Pending>> {
    db.all(db.prepare(NEXT).bind(&[int(after), int(limit as i64)])?).await?.results()
}

/// Forgets keys whose objects R2 has deleted.
pub async fn done(db: &Db, ids: &[i64]) -> worker::Result<()> {
    db.run(db.prepare(DONE).bind(&[json_text(ids)?])?).await?;
    Ok(())
}

/// Forgets these keys (their objects are gone).
pub async fn done_keys(db: &Db, keys: &[String]) -> worker::Result<()> {
    db.run(db.prepare(DONE_KEYS).bind(&[json_text(keys)?])?).await?;
    Ok(())
}
