//! Making a stored result's WebP renditions (medium, then the preview from the medium) with the Images binding
//! and storing them in R2 next to the original, under keys only this call writes. The finisher makes them before
//! it records the success, so they are recorded in the same batch as the image (`make_stored`); the cron makes
//! whatever that missed (a failed binding) and those of older generations, and records them with a conditional
//! update (`make`). A failure never touches the generation: the original is served until the renditions exist.

use gptimg_domain::ids::random_token;
use gptimg_domain::images::sizes::{next_rendition_try, target_dimensions, ImageSize, RENDITIONS};
use gptimg_domain::images::{inspect, ImageFormat, RENDITION_LIMITS};
use gptimg_domain::time::UnixMillis;
use serde_json::json;
use worker::{Bucket, Env, ResponseBody};

use crate::blobs;
use crate::images_binding;
use crate::log;
use crate::meter;
use crate::platform::{self, CryptoRandom};
use crate::store::renditions::{self as store, Due, Made};
use crate::store::Db;
use crate::usecases::error::CoreError;

/// Images the cron makes renditions for per run.
pub const PER_RUN: usize = 5;
/// The most subrequests one image costs: the original's read, two binding calls, two puts, the D1 write and a
/// clean-up delete.
const WORST_SUBREQUESTS: u32 = 7;
/// Kept for the cron's own bookkeeping after this step.
const RESERVE: u32 = 20;

/// The original the renditions are made from.
pub struct Source<'a> {
    pub image_id: &'a str,
    pub r2_key: &'a str,
    pub width: u32,
    pub height: u32,
}

/// Both renditions, made and stored but not recorded: the caller records them (or deletes their keys if it
/// cannot). On failure whatever this call had already written is deleted again.
pub async fn make_stored(env: &Env, bucket: &Bucket, source: &Source<'_>) -> Result<(Made, Made), CoreError> {
    let mut written: Vec<String> = Vec::new();
    let outcome = make_both(env, bucket, source, &mut written).await;
    if outcome.is_err() {
        clean_up(bucket, &written).await;
    }
    outcome
}

/// Makes, stores and records both renditions of an image already recorded (the cron). `Ok(false)`: made but
/// someone else recorded theirs first (or the image is gone), and this call's objects were deleted again.
pub async fn make(db: &Db, env: &Env, bucket: &Bucket, source: &Source<'_>) -> Result<bool, CoreError> {
    let (medium, preview) = make_stored(env, bucket, source).await?;
    let recorded = store::record(db, source.image_id, &medium, &preview).await;
    if !matches!(recorded, Ok(true)) {
        clean_up(bucket, &[medium.key, preview.key]).await;
    }
    Ok(recorded?)
}

/// Deletes objects this call wrote and will not record.
pub async fn clean_up(bucket: &Bucket, keys: &[String]) {
    if keys.is_empty() {
        return;
    }
    if let Err(error) = blobs::delete_all(bucket, keys).await {
        // Still under the account's prefix, which account deletion sweeps.
        log::event("-", "renditions_not_cleaned", json!({ "keys": keys, "cause": error.to_string() }));
    }
}

async fn make_both(
    env: &Env,
    bucket: &Bucket,
    source: &Source<'_>,
    written: &mut Vec<String>,
) -> Result<(Made, Made), CoreError> {
    let object = blobs::get(bucket, source.r2_key, None)
        .await?
        .ok_or_else(|| CoreError::internal(format!("original {} is missing", source.r2_key)))?;
    let body = object.body().ok_or_else(|| CoreError::internal("original has no body"))?;
    let ResponseBody::Stream(original) = body.response_body()? else {
        return Err(CoreError::internal("original is not a stream"));
    };
    let [large, small] = RENDITIONS;
    let (medium, medium_bytes) = one(env, bucket, &original, source, large, written).await?;
    let smaller = images_binding::stream_of(&medium_bytes)?;
    let (preview, _) = one(env, bucket, &smaller, source, small, written).await?;
    Ok((medium, preview))
}

/// One rendition of `input`, checked (a WebP of the asked size) and stored under a key only this call uses.
async fn one(
    env: &Env,
    bucket: &Bucket,
    input: &worker::web_sys::ReadableStream,
    source: &Source<'_>,
    size: ImageSize,
    written: &mut Vec<String>,
) -> Result<(Made, Vec<u8>), CoreError> {
    let long_side = size.long_side().unwrap_or(u32::MAX);
    let (width, height) = target_dimensions(source.width, source.height, long_side);
    let bytes = images_binding::webp(env, input, width, height).await?;
    let info = inspect(&bytes, RENDITION_LIMITS)
        .map_err(|refusal| CoreError::internal(format!("{} rendition refused: {}", size.as_str(), refusal.code)))?;
    if info.format != ImageFormat::Webp {
        return Err(CoreError::internal(format!("{} rendition is not WebP", size.as_str())));
    }
    let key = format!("{}.{}.{}.webp", source.r2_key, size.as_str(), random_token(&mut CryptoRandom));
    let stored = bucket.put(&key, bytes.clone()).execute().await?;
    written.push(key.clone());
    let etag = stored.ok_or_else(|| CoreError::internal(format!("R2 did not store {key}")))?.http_etag();
    let made =
        Made { key, etag, bytes: bytes.len() as i64, width: i64::from(info.width), height: i64::from(info.height) };
    Ok((made, bytes))
}

/// Logs a failed attempt and says when the next one is due (`None`: given up, the original stays).
pub fn log_failure(image_id: &str, failed_tries: u32, error: &CoreError, now: UnixMillis) -> Option<UnixMillis> {
    let next = next_rendition_try(failed_tries, now);
    log::event(
        "-",
        "renditions_failed",
        json!({ "image_id": image_id, "tries": failed_tries, "cause": error.to_string(),
        "retry_at": next.map(|t| t.0) }),
    );
    next
}

/// After a failed attempt of the cron: logged, counted, and retried later with backoff (or given up).
pub async fn note_failure(db: &Db, image_id: &str, failed_tries: u32, error: &CoreError, now: UnixMillis) {
    let next = log_failure(image_id, failed_tries, error, now);
    if let Err(error) = store::failed(db, image_id, next).await {
        log::event("-", "renditions_failure_unrecorded", json!({ "image_id": image_id, "cause": error.to_string() }));
    }
}

/// The cron step: renditions for images still missing them (new ones the finisher could not make, and the
/// backfill of older generations), a bounded number per run and only while the subrequest budget allows.
/// Returns how many were made.
pub async fn sweep(env: &Env, now: UnixMillis) -> Result<usize, CoreError> {
    let db = Db::from_env(env)?;
    let bucket = blobs::bucket(env)?;
    let mut made = 0;
    for due in store::due(&db, now, PER_RUN).await? {
        if meter::remaining(RESERVE) < WORST_SUBREQUESTS {
            break;
        }
        if make_due(&db, env, &bucket, &due).await {
            made += 1;
        }
    }
    Ok(made)
}

async fn make_due(db: &Db, env: &Env, bucket: &Bucket, due: &Due) -> bool {
    let dimension = |d: i64| u32::try_from(d).unwrap_or(0);
    let source =
        Source { image_id: &due.id, r2_key: &due.r2_key, width: dimension(due.width), height: dimension(due.height) };
    match make(db, env, bucket, &source).await {
        Ok(recorded) => recorded,
        Err(error) => {
            let tries = u32::try_from(due.renditions_tries + 1).unwrap_or(u32::MAX);
            note_failure(db, &due.id, tries, &error, platform::now()).await;
            false
        }
    }
}
