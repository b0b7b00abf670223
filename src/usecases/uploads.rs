//! Reference images: store one (admitted by rate and quota first, then checked while it streams into R2), delete
//! one, and serve one through the signed expiring link APIPod fetches.

use gptimg_domain::account::{refuse_if_deleting, AccountId};
use gptimg_domain::generation::{upload_quota_exceeded, UploadId};
use gptimg_domain::idempotency::{upload_fingerprint, IdempotencyKey, Operation};
use gptimg_domain::ids::RandomSource;
use gptimg_domain::images::uploads::{admit_upload, upload_not_found, UploadDeletion};
use gptimg_domain::images::UPLOAD_LIMITS;
use gptimg_domain::links;
use gptimg_domain::time::UnixMillis;
use worker::{Bucket, Object};

use super::error::CoreError;
use crate::blobs::{self, PutError};
use crate::body::Body;
use crate::jobs::r2_cleanup;
use crate::store::idempotency::Claim;
pub use crate::store::uploads::Upload;
use crate::store::uploads::{self, Inserted};
use crate::store::Db;
use crate::usecases::idempotent::{self, Idempotent};

/// Streams `body` into R2 while checking it (the bytes decide the type, never a header), then records it. Anything
/// refused leaves no object and no row. With an Idempotency-Key the upload is stored with the key in the row's
/// batch; a repeated key gets the first upload back (409 for other bytes) and its own copy of the bytes is deleted.
pub async fn create(
    db: &Db,
    bucket: &Bucket,
    account: &AccountId,
    body: Body,
    key: Option<&IdempotencyKey>,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<Idempotent<Upload>, CoreError> {
    // Refused before a byte is stored: over the minute's rate, or at the quota.
    let admission = uploads::admission(db, account, key, now).await?;
    admit_upload(admission, now)?;
    let id = UploadId::generate(random);
    let r2_key = blobs::upload_key(account, &id);
    let declared = body.declared;
    let (chunks, leftover) = body.lend();
    let stored = match blobs::put_checked(bucket, &r2_key, chunks, declared, UPLOAD_LIMITS).await {
        Ok(stored) => stored,
        Err(PutError::Refused(refusal)) => {
            leftover.discard().await;
            return Err(refusal.into());
        }
        Err(PutError::Storage(error)) => return Err(error.into()),
    };
    let info = stored.image.info;
    let upload = Upload {
        id,
        r2_key,
        content_type: info.format.content_type().to_owned(),
        size_bytes: stored.image.size_bytes as i64,
        sha256: stored.image.sha256,
        width: i64::from(info.width),
        height: i64::from(info.height),
        created_at: now.0,
    };
    let fingerprint = upload_fingerprint(&upload.sha256);
    let answer = match key {
        Some(_) => idempotent::value_text(&upload)?,
        None => String::new(),
    };
    let claim = key.map(|key| Claim {
        account,
        operation: Operation::CreateUpload,
        key,
        fingerprint: &fingerprint,
        claim: upload.id.as_str(),
        status: 201,
        answer: &answer,
        now,
    });
    let inserted = uploads::insert(db, account, &upload, now, claim.as_ref()).await?;
    if !matches!(inserted, Inserted::Yes) {
        // The insert's batch listed the object on the R2 to-do; the cron deletes it if this does not.
        r2_cleanup::delete_now(db, bucket, std::slice::from_ref(&upload.r2_key)).await;
    }
    match inserted {
        Inserted::Yes => Ok(Idempotent::Done(upload)),
        // A concurrent upload took the last place.
        Inserted::OverQuota => Err(upload_quota_exceeded().into()),
        Inserted::AccountClosing => Err(refuse_if_deleting(true).expect_err("a deletion that began refuses").into()),
        Inserted::KeyTaken(stored) => {
            idempotent::replay(&stored, &fingerprint, now, |body| Ok(idempotent::stored_value::<Upload>(body)))
        }
    }
}

/// Deletes one of the caller's uploads and its stored bytes (through the R2 to-do, then at once if R2 answers): 404
/// `upload_not_found` for a malformed id or someone else's, 409 `upload_in_use` while an unfinished generation
/// uses it.
pub async fn delete(
    db: &Db,
    bucket: &Bucket,
    account: &AccountId,
    raw_id: &str,
    now: UnixMillis,
) -> Result<(), CoreError> {
    let id = UploadId::parse(raw_id).ok_or_else(upload_not_found)?;
    match uploads::delete(db, &id, account, now).await? {
        Ok(r2_key) => {
            r2_cleanup::delete_now(db, bucket, &[r2_key]).await;
            Ok(())
        }
        Err(kept) => Ok(UploadDeletion::of(false, kept).result()?),
    }
}

/// The upload and its bytes, only through a link we signed that has not expired; `None` for anything else.
pub async fn signed_content(
    db: &Db,
    bucket: &Bucket,
    secret: &[u8],
    id: &UploadId,
    expires_secs: i64,
    signature: &str,
    now: UnixMillis,
) -> Result<Option<(Upload, Object)>, CoreError> {
    if !links::verify(secret, id.as_str(), expires_secs, signature, now.as_secs()) {
        return Ok(None);
    }
    let Some(upload) = uploads::find(db, id).await? else { return Ok(None) };
    let object = blobs::get(bucket, &upload.r2_key, None).await?;
    Ok(object.map(|object| (upload, object)))
}
