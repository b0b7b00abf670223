//! Looking at a running task and finishing it: ONE code path for the poller and for callbacks. The finisher
//! first claims the generation's current attempt (a conditional D1 update), and settles it only while that
//! claim is still the current one, so a poll, a callback, a duplicate callback and a finisher re-queued after
//! a claim expired finish it exactly once, and only the winner's objects stay in R2.

use gptimg_domain::apipod::{self, completed_at_ms};
use gptimg_domain::generation::{
    next_step, Failure, FailureReason, GenerationStatus, ImageId, NextStep, IMAGES_PAID_PER_GENERATION,
};
use gptimg_domain::ids::RequestId;
use gptimg_domain::images::RESULT_LIMITS;
use gptimg_domain::time::UnixMillis;
use serde_json::json;
use worker::Env;

use super::{enqueue_poll, log_provider_error, renditions};
use crate::blobs::{self, PutError};
use crate::clients::apipod as client;
use crate::config::Config;
use crate::log;
use crate::platform::{self, CryptoRandom};
use crate::store::generations::{self as store, RunningGeneration, StoredImage};
use crate::store::Db;

/// Who is looking: the queue's poll chain (which schedules the next poll) or a callback (which never does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Poll,
    Callback,
}

/// What a look at the task did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// Not finished yet (or the status could not be read and polling will try again).
    StillRunning { readable: bool },
    /// This call finished it (succeeded or failed and refunded).
    Finished,
    /// Someone else claimed it first.
    AlreadyHandled,
}

/// A claim outlives a crashed finisher by this much before the sweep re-queues a poll.
const CLAIM_SECS: i64 = 60;

pub async fn check(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    trigger: Trigger,
    request_id: &RequestId,
) -> worker::Result<Checked> {
    let Some(task_id) = row.apipod_task_id.as_deref() else { return Ok(Checked::AlreadyHandled) };
    let answer = client::status(config, task_id, request_id).await;
    if let Err(error) = &answer {
        log::event(request_id.as_str(), "apipod_poll_unanswered", json!({ "generation_id": row.id, "cause": error.0 }));
    }
    let (status, min_delay, error) = apipod::poll_answer(answer.as_ref().ok().map(|a| a.view()));
    if let Some(error) = &error {
        log_provider_error(&row.id, "apipod_poll_refused", error, request_id);
    }
    let readable = status.is_some();
    let now = platform::now();
    let attempt = u32::try_from(row.poll_attempts).unwrap_or(u32::MAX);
    let step = next_step(status, min_delay, attempt, now.as_secs(), UnixMillis(row.deadline_at).as_secs());
    let ending: Result<Vec<String>, Failure> = match step {
        NextStep::StoreResults(urls) => Ok(urls),
        NextStep::Fail(failure) => Err(failure),
        NextStep::PollAgainAfter(delay) => {
            let next = now.plus_secs(i64::from(delay));
            if trigger == Trigger::Poll
                && store::record_poll(db, &row.id, GenerationStatus::Running, row.poll_attempts, next, now).await?
            {
                enqueue_poll(env, &row.id, row.poll_attempts + 1, delay).await?;
            }
            return Ok(Checked::StillRunning { readable });
        }
    };
    let claim_until = now.plus_secs(CLAIM_SECS);
    if !store::record_poll(db, &row.id, GenerationStatus::Running, row.poll_attempts, claim_until, now).await? {
        return Ok(Checked::AlreadyHandled);
    }
    let provider_done = answer.as_ref().ok().and_then(|a| completed_at_ms(&a.body));
    log::event(
        request_id.as_str(),
        "apipod_task_done",
        json!({ "generation_id": row.id, "trigger": format!("{trigger:?}"), "provider_completed_at": provider_done,
            "lag_ms": provider_done.map(|at| now.0 - at) }),
    );
    let claimed = row.poll_attempts + 1;
    match ending {
        Ok(urls) => store_results(db, env, config, row, claimed, &urls, request_id).await?,
        Err(failure) => fail_claimed(db, config, row, claimed, &failure).await?,
    }
    Ok(Checked::Finished)
}

/// Streams the paid-for result(s) into R2 (size-capped, checked while streaming) under keys only this attempt
/// can produce, then records success only if this attempt still holds the claim (`claimed` attempts). Whoever
/// loses, or meets a bad result, deletes only the objects it wrote itself.
async fn store_results(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    claimed: i64,
    urls: &[String],
    request_id: &RequestId,
) -> worker::Result<()> {
    let bucket = blobs::bucket(env)?;
    let mut stored: Vec<StoredImage> = Vec::with_capacity(urls.len());
    for (position, url) in urls.iter().take(IMAGES_PAID_PER_GENERATION).enumerate() {
        let id = ImageId::generate(&mut CryptoRandom);
        let outcome = match client::download(url, RESULT_LIMITS.max_bytes, request_id).await {
            Err(error) => Err((FailureReason::ResultUnavailable, error.0)),
            Ok((body, length)) => {
                let key = blobs::output_key(&row.account_id, &row.id, &id);
                match blobs::put_checked(&bucket, &key, body, length, RESULT_LIMITS).await {
                    Ok(object) => Ok((key, object)),
                    Err(PutError::Refused(refusal)) => Err((FailureReason::ResultNotImage, refusal.code.into_owned())),
                    Err(PutError::Storage(error)) => Err((FailureReason::ResultUnavailable, error.to_string())),
                }
            }
        };
        let (key, object) = match outcome {
            Ok(found) => found,
            Err((reason, cause)) => {
                log::event(request_id.as_str(), "result_not_stored", json!({ "generation_id": row.id, "cause": cause }));
                blobs::delete_all(&bucket, &stored.into_iter().map(|s| s.r2_key).collect::<Vec<_>>()).await?;
                return fail_claimed(db, config, row, claimed, &Failure::from(reason)).await;
            }
        };
        let info = object.image.info;
        stored.push(StoredImage {
            id,
            position: position as i64,
            r2_key: key,
            content_type: info.format.content_type(),
            size_bytes: object.image.size_bytes as i64,
            width: i64::from(info.width),
            height: i64::from(info.height),
            etag: object.etag,
        });
    }
    let won = store::complete(db, &row.id, claimed, &stored, platform::now()).await?;
    if !won {
        // Another attempt settled it (a later claim, or the deadline sweep): remove only what this one wrote.
        blobs::delete_all(&bucket, &stored.iter().map(|s| s.r2_key.clone()).collect::<Vec<_>>()).await?;
    }
    log::event(request_id.as_str(), "generation_settled", json!({ "generation_id": row.id, "won": won, "attempt": claimed }));
    if won {
        make_renditions(db, env, &bucket, &stored).await;
    }
    Ok(())
}

/// The previews, made once now that the result is recorded. The generation has already succeeded: a failure
/// is only noted, and the cron sweep makes them later (the original is served meanwhile).
async fn make_renditions(db: &Db, env: &Env, bucket: &worker::Bucket, stored: &[StoredImage]) {
    for image in stored {
        let dimension = |d: i64| u32::try_from(d).unwrap_or(0);
        let source = renditions::Source {
            image_id: image.id.as_str(),
            r2_key: &image.r2_key,
            width: dimension(image.width),
            height: dimension(image.height),
        };
        if let Err(error) = renditions::make(db, env, bucket, &source).await {
            renditions::note_failure(db, image.id.as_str(), 1, &error, platform::now()).await;
        }
    }
}

/// Fails and refunds, but only while this attempt still holds its claim.
async fn fail_claimed(
    db: &Db,
    config: &Config,
    row: &RunningGeneration,
    claimed: i64,
    failure: &Failure,
) -> worker::Result<()> {
    super::fail_if(db, config, &row.id, &row.model_id, failure, Some(claimed)).await
}
