//! The gallery: filtered pages, favourites, and deleting many generations at once.

use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::Cursor;
use gptimg_domain::gallery::{delete_outcome, well_formed, DeleteOutcome, GalleryFilter};
use gptimg_domain::generation::{not_found, GenerationId};
use gptimg_domain::time::UnixMillis;
use worker::Bucket;

use super::error::CoreError;
use crate::jobs;
use crate::store::gallery::GenerationRow;
use crate::store::{gallery_bulk, gallery_list, Db};

/// One page of the caller's generations matching `filter`, newest first, and the cursor to the next.
pub async fn list(
    db: &Db,
    account: &AccountId,
    filter: &GalleryFilter,
    cursor: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<GenerationRow>, Option<Cursor>), CoreError> {
    Ok(gallery_list::page(db, account, filter, cursor, limit).await?)
}

/// Marks (or unmarks) the caller's generation as a favourite; doing it twice changes nothing more.
pub async fn set_favourite(
    db: &Db,
    id: &GenerationId,
    account: &AccountId,
    favourite: bool,
) -> Result<GenerationRow, CoreError> {
    Ok(gallery_bulk::set_favourite(db, id, account, favourite).await?.ok_or_else(not_found)?)
}

/// Deletes the caller's finished generations among `ids` (already checked by `gallery::delete_ids`) in one batch,
/// then their R2 objects now if R2 agrees (otherwise the cron sweep does), exactly as a single delete does.
pub async fn delete_many(
    db: &Db,
    bucket: &Bucket,
    ids: &[String],
    account: &AccountId,
    now: UnixMillis,
) -> Result<DeleteOutcome, CoreError> {
    let parsed = well_formed(ids);
    if parsed.is_empty() {
        return Ok(delete_outcome(ids, &[], &[]));
    }
    let done = gallery_bulk::delete_finished(db, &parsed, account, now).await?;
    if !done.r2_keys.is_empty() {
        jobs::r2_cleanup::delete_now(db, bucket, &done.r2_keys).await;
    }
    Ok(delete_outcome(ids, &done.deleted, &done.still_there))
}
