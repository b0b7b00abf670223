//! Reading, deleting and sharing a user's generations and their images.

use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{AdmittedBatch, BatchId, GenerationId, GenerationStatus, ImageId, UploadId};
use gptimg_domain::images::sizes::{ImageSize, RENDITION_CONTENT_TYPE};
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::{int, json_column, opt_text, sqlite_bool, text, Db};

/// A generation as the API shows it, every column typed; a corrupt column fails the read instead of showing as empty.
#[derive(Debug, Deserialize)]
pub struct GenerationRow {
    pub id: GenerationId,
    pub status: GenerationStatus,
    pub prompt: String,
    pub model_id: String,
    pub aspect_ratio: String,
    pub quality: Option<String>,
    #[serde(deserialize_with = "json_column")]
    pub reference_upload_ids: Vec<UploadId>,
    pub cost: i64,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub share_token: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    #[serde(rename = "images_json", deserialize_with = "json_column")]
    pub images: Vec<ImageRow>,
    #[serde(deserialize_with = "sqlite_bool")]
    pub favourite: bool,
    /// `None` for generations admitted before batches existed.
    pub batch_id: Option<BatchId>,
    #[serde(deserialize_with = "json_column")]
    pub reference_image_ids: Vec<ImageId>,
    #[serde(deserialize_with = "sqlite_bool")]
    pub share_shows_prompt: bool,
    /// Which references still exist (read with the row, so a page of generations is still one query).
    #[serde(rename = "reference_uploads_json", deserialize_with = "json_column")]
    pub existing_uploads: Vec<UploadId>,
    #[serde(rename = "reference_images_json", deserialize_with = "json_column")]
    pub existing_images: Vec<ReferenceImage>,
}

/// A generated image used as a reference that still exists, with what its preview URL needs.
#[derive(Debug, Deserialize)]
pub struct ReferenceImage {
    pub id: ImageId,
    pub preview_etag: Option<String>,
}

impl GenerationRow {
    /// The row admission just wrote for `id` of `batch`, in the status the submission left it: known, so not read
    /// back.
    pub fn admitted(batch: &AdmittedBatch, id: &GenerationId, status: GenerationStatus) -> Self {
        let spec = &batch.spec;
        Self {
            id: id.clone(),
            status,
            prompt: spec.prompt.clone(),
            model_id: spec.model.as_str().to_owned(),
            aspect_ratio: spec.aspect_ratio.as_str().to_owned(),
            quality: spec.quality.as_ref().map(|quality| quality.as_str().to_owned()),
            reference_upload_ids: spec.references.clone(),
            cost: spec.cost,
            failure_code: None,
            failure_message: None,
            share_token: None,
            created_at: batch.admitted_at.0,
            finished_at: None,
            images: Vec::new(),
            favourite: false,
            batch_id: Some(batch.batch_id.clone()),
            reference_image_ids: spec.image_references.clone(),
            share_shows_prompt: false,
            // Admission just checked that every reference is the caller's.
            existing_uploads: spec.references.clone(),
            // Unversioned preview links: their versions are not read back for the 202.
            existing_images: spec
                .image_references
                .iter()
                .map(|id| ReferenceImage { id: id.clone(), preview_etag: None })
                .collect(),
        }
    }
}

/// One stored output of a generation, in position order.
#[derive(Debug, Deserialize)]
pub struct ImageRow {
    pub id: ImageId,
    pub width: i64,
    pub height: i64,
    pub content_type: String,
    pub size_bytes: i64,
    /// The versions of each size's bytes; a rendition's is `None` until it is made.
    pub etag: String,
    pub medium_etag: Option<String>,
    pub preview_etag: Option<String>,
}

macro_rules! generation_select {
    () => {
        "SELECT g.id, g.status, g.prompt, g.model_id, g.aspect_ratio, g.quality, g.reference_upload_ids, g.cost, g.failure_code, \
 g.failure_message, g.share_token, g.created_at, g.finished_at, \
 (SELECT COALESCE(json_group_array(json_object('id', i.id, 'width', i.width, 'height', i.height, 'content_type', i.content_type, \
 'size_bytes', i.size_bytes, 'etag', i.etag, 'medium_etag', i.medium_etag, 'preview_etag', i.preview_etag)), '[]') FROM (SELECT * FROM generation_images WHERE generation_id = g.id ORDER BY position) i) AS images_json, \
 g.batch_id, g.reference_image_ids, g.share_shows_prompt, \
 (SELECT json_group_array(u.id) FROM uploads u WHERE u.account_id = g.account_id AND u.id IN (SELECT value FROM json_each(g.reference_upload_ids))) AS reference_uploads_json, \
 (SELECT json_group_array(json_object('id', r.id, 'preview_etag', r.preview_etag)) FROM generation_images r \
 WHERE r.account_id = g.account_id AND r.id IN (SELECT value FROM json_each(g.reference_image_ids))) AS reference_images_json, \
 g.favourite \
 FROM generations g "
    };
}
pub(crate) use generation_select;

pub(super) const ONE: &str = concat!(generation_select!(), "WHERE g.id = ?1 AND g.account_id = ?2");

/// The caller's generation; someone else's is indistinguishable from a missing one.
pub async fn find(db: &Db, id: &GenerationId, account_id: &AccountId) -> worker::Result<Option<GenerationRow>> {
    db.first::<GenerationRow>(db.prepare(ONE).bind(&[text(id.as_str()), text(account_id.as_str())])?).await
}

#[derive(Debug, Deserialize)]
struct KeyRow {
    r2_key: String,
}

const IMAGE_KEYS: &str = concat!(
    "SELECT k.value AS r2_key FROM ",
    super::r2_deletions::image_objects!(),
    " WHERE i.generation_id = ?1 AND i.account_id = ?2 AND k.value IS NOT NULL"
);
// RETURNING, not meta.changes: D1 reports no changes for a DELETE whose rows cascade.
const DELETE_FINISHED: &str = concat!(
    "DELETE FROM generations WHERE id = ?1 AND account_id = ?2 AND status IN ('succeeded', 'failed') ",
    super::r2_deletions::not_a_running_reference!(),
    " RETURNING id"
);

/// Deletes a finished generation (its image rows cascade) and, in the same batch, lists its R2 keys (originals
/// and renditions) on the deletion to-do; returns them for an immediate delete. `None` if there was nothing of
/// the caller's to delete.
pub async fn delete_finished(
    db: &Db,
    id: &GenerationId,
    account_id: &AccountId,
    now: UnixMillis,
) -> worker::Result<Option<Vec<String>>> {
    let (id_text, account) = (text(id.as_str()), text(account_id.as_str()));
    let results = db
        .batch(vec![
            db.prepare(IMAGE_KEYS).bind(&[id_text.clone(), account.clone()])?,
            super::r2_deletions::remember_finished_generation(db, id, account_id, now)?,
            db.prepare(DELETE_FINISHED).bind(&[id_text, account])?,
        ])
        .await?;
    let keys: Vec<KeyRow> = results[0].results()?;
    let deleted = !results[2].results::<serde_json::Value>()?.is_empty();
    Ok(deleted.then(|| keys.into_iter().map(|k| k.r2_key).collect()))
}

const CLEAR_SHARE: &str =
    "UPDATE generations SET share_token = NULL, updated_at = ?3 WHERE id = ?1 AND account_id = ?2";

/// Turns on the generation's public link (an existing token is kept; the prompt shown or not as chosen) and reads
/// the generation back, in one round trip; `None` if it is not the caller's finished success (only those ever get
/// a token).
pub async fn share(
    db: &Db,
    id: &GenerationId,
    account_id: &AccountId,
    new_token: &str,
    show_prompt: bool,
    now: UnixMillis,
) -> worker::Result<Option<GenerationRow>> {
    let results = db
        .batch(vec![
            super::share_pages::set_share(db, id, account_id, new_token, show_prompt, now)?,
            db.prepare(ONE).bind(&[text(id.as_str()), text(account_id.as_str())])?,
        ])
        .await?;
    let row = match results.get(1) {
        Some(read) => read.results::<GenerationRow>()?.into_iter().next(),
        None => None,
    };
    Ok(row.filter(|row| row.share_token.is_some()))
}

/// Revokes the link and, in the same batch, takes the image off the landing page if it was featured; false if the
/// generation is not the caller's.
pub async fn unshare(db: &Db, id: &GenerationId, account_id: &AccountId, now: UnixMillis) -> worker::Result<bool> {
    let (id_text, account) = (text(id.as_str()), text(account_id.as_str()));
    let results = db
        .batch(vec![
            super::featured::unfeature_unshared(db, id, account_id)?,
            db.prepare(CLEAR_SHARE).bind(&[id_text, account, int(now.0)])?,
        ])
        .await?;
    Ok(results.get(1).and_then(|result| result.meta().ok().flatten()).and_then(|meta| meta.changes).unwrap_or(0) > 0)
}

/// One stored size of an image.
#[derive(Debug)]
pub struct StoredSize {
    pub r2_key: String,
    pub content_type: String,
    pub etag: String,
    pub size_bytes: i64,
}

/// An image the caller may read (theirs by session, or shared by its generation's token): the original, and the
/// renditions made so far.
#[derive(Debug, Deserialize)]
pub struct ReadableImage {
    pub r2_key: String,
    pub content_type: String,
    pub etag: String,
    pub size_bytes: i64,
    pub medium_key: Option<String>,
    pub medium_etag: Option<String>,
    pub medium_bytes: Option<i64>,
    pub preview_key: Option<String>,
    pub preview_etag: Option<String>,
    pub preview_bytes: Option<i64>,
}

impl ReadableImage {
    pub fn original(&self) -> StoredSize {
        StoredSize {
            r2_key: self.r2_key.clone(),
            content_type: self.content_type.clone(),
            etag: self.etag.clone(),
            size_bytes: self.size_bytes,
        }
    }

    /// The stored bytes for `size`, or `None` if that rendition is not made (yet).
    pub fn rendition(&self, size: ImageSize) -> Option<StoredSize> {
        let (key, etag, bytes) = match size {
            ImageSize::Original => return None,
            ImageSize::Medium => (&self.medium_key, &self.medium_etag, self.medium_bytes),
            ImageSize::Preview => (&self.preview_key, &self.preview_etag, self.preview_bytes),
        };
        Some(StoredSize {
            r2_key: key.clone()?,
            content_type: RENDITION_CONTENT_TYPE.to_owned(),
            etag: etag.clone()?,
            size_bytes: bytes?,
        })
    }
}

// One query decides access: the session's account owns it, the API key's account (?5, already authenticated) owns
// it, or the share token matches (and the owner's deletion has not begun: a deleting account shares nothing).
const READABLE_IMAGE: &str = "SELECT i.r2_key, i.content_type, i.etag, i.size_bytes, i.medium_key, i.medium_etag, \
 i.medium_bytes, i.preview_key, i.preview_etag, i.preview_bytes FROM generation_images i JOIN generations g ON g.id = i.generation_id \
 WHERE i.id = ?1 AND ( \
   i.account_id = (SELECT account_id FROM sessions WHERE token_hash = ?2 AND revoked_at IS NULL AND expires_at > ?4) \
   OR i.account_id = ?5 \
   OR (g.share_token IS NOT NULL AND g.share_token = ?3 \
       AND (SELECT deletion_started_at FROM accounts WHERE id = g.account_id) IS NULL))";

pub async fn readable_image(
    db: &Db,
    image_id: &str,
    session_hash: Option<&str>,
    share_token: Option<&str>,
    key_account: Option<&str>,
    now: UnixMillis,
) -> worker::Result<Option<ReadableImage>> {
    db.first::<ReadableImage>(db.prepare(READABLE_IMAGE).bind(&[
        text(image_id),
        opt_text(session_hash),
        opt_text(share_token),
        int(now.0),
        opt_text(key_account),
    ])?)
    .await
}

/// Where an image's original and its medium are, for a signed reference link (the signature, not a session,
/// authorises it).
#[derive(Debug, Deserialize)]
pub struct SignedImage {
    pub r2_key: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub medium_key: Option<String>,
}

pub async fn signed_image(db: &Db, id: &ImageId) -> worker::Result<Option<SignedImage>> {
    let query = "SELECT r2_key, content_type, size_bytes, medium_key FROM generation_images WHERE id = ?1";
    db.first::<SignedImage>(db.prepare(query).bind(&[text(id.as_str())])?).await
}
