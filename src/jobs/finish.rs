//! Looking at a running task and finishing it: ONE code path for the poller and for callbacks. The finisher
//! first claims the generation's current attempt (a conditional D1 update), and settles it only while that
//! claim is still the current one, so a poll, a callback, a duplicate callback and a finisher re-queued after
//! a claim expired finish it exactly once, and only the winner's objects stay in R2. A success is recorded with
//! its images' WebP renditions already made (`store_results`), so a generation is never reported succeeded
//! while its previews are still being made. A callback claims before it answers and finishes after the answer
//! (`Claimed::finish_later`); the poller finishes at once (`check`).

use std::rc::Rc;

use gptimg_domain::apipod::{self, completed_at_ms};
use gptimg_domain::generation::{
    after_result_problem, next_step, AfterResultProblem, Failure, GenerationStatus, ImageId, NextStep, ResultProblem,
    IMAGES_PAID_PER_GENERATION,
};
use gptimg_domain::ids::RequestId;
use gptimg_domain::images::RESULT_LIMITS;
use gptimg_domain::time::UnixMillis;
use gptimg_domain::Cause;
use serde_json::json;
use worker::{Bucket, Delay, Env};

use super::{enqueue_poll, log_provider_error, renditions};
use crate::blobs::{self, PutError};
use crate::clients::apipod as client;
use crate::config::Config;
use crate::log;
use crate::platform::{self, CryptoRandom};
use crate::store::generations::{self as store, Renditions, RunningGeneration, StoredImage};
use crate::store::Db;
use crate::usecases::error::CoreError;

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
    /// This call claimed it and finished it, or finishes it (succeeded, or failed and refunded).
    Finished,
    /// Someone else claimed it first.
    AlreadyHandled,
}

/// What a look found: a task this call has claimed and must now finish, or nothing to finish.
pub enum Looked {
    Claimed(Claimed),
    Not(Checked),
}

/// A generation whose task has ended and whose current attempt this call holds: finishing it stores the results
/// (or fails and refunds), settled only while the claim is still the current one.
pub struct Claimed {
    row: RunningGeneration,
    claimed: i64,
    ending: Result<Vec<String>, Failure>,
}

/// A claim outlives a crashed finisher by this much before the sweep re-queues a poll.
const CLAIM_SECS: i64 = 60;
/// The pause before the finisher's second try at an image's renditions.
const RENDITIONS_RETRY_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

/// Looks at the task and, if it has ended, finishes it now.
pub async fn check(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    trigger: Trigger,
    request_id: &RequestId,
) -> Result<Checked, CoreError> {
    match look(db, env, config, row, trigger, request_id).await? {
        Looked::Claimed(claimed) => {
            claimed.finish(db, env, config, request_id).await?;
            Ok(Checked::Finished)
        }
        Looked::Not(checked) => Ok(checked),
    }
}

/// Reads the task's status (never trusting a callback's body) and claims the generation if the task has ended;
/// otherwise schedules the next poll (polls only).
pub async fn look(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    trigger: Trigger,
    request_id: &RequestId,
) -> Result<Looked, CoreError> {
    let Some(task_id) = row.apipod_task_id.as_deref() else { return Ok(Looked::Not(Checked::AlreadyHandled)) };
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
                && store::claim(db, &row.id, GenerationStatus::Running, row.poll_attempts, next, now).await?
            {
                enqueue_poll(env, &row.id, row.poll_attempts + 1, delay).await?;
            }
            return Ok(Looked::Not(Checked::StillRunning { readable }));
        }
    };
    let claim_until = now.plus_secs(CLAIM_SECS);
    if !store::claim(db, &row.id, GenerationStatus::Running, row.poll_attempts, claim_until, now).await? {
        return Ok(Looked::Not(Checked::AlreadyHandled));
    }
    let provider_done = answer.as_ref().ok().and_then(|a| completed_at_ms(&a.body));
    log::event(
        request_id.as_str(),
        "apipod_task_done",
        json!({ "generation_id": row.id, "trigger": format!("{trigger:?}"), "provider_completed_at": provider_done,
            "lag_ms": provider_done.map(|at| now.0 - at) }),
    );
    Ok(Looked::Claimed(Claimed { row: row.clone(), claimed: row.poll_attempts + 1, ending }))
}

impl Claimed {
    pub async fn finish(self, db: &Db, env: &Env, config: &Config, request_id: &RequestId) -> Result<(), CoreError> {
        match &self.ending {
            Ok(urls) => store_results(db, env, config, &self.row, self.claimed, urls, request_id).await,
            Err(failure) => fail_claimed(db, config, &self.row, self.claimed, failure).await,
        }
    }

    /// `finish`, after the response (`RequestContext::after_response`). An error is logged; the claim then
    /// expires and the cron sweep re-queues a poll that finishes the generation.
    pub async fn finish_later(self, env: Env, config: Rc<Config>, request_id: RequestId) {
        let id = self.row.id.clone();
        let result = match Db::from_env(&env) {
            Ok(db) => self.finish(&db, &env, &config, &request_id).await,
            Err(error) => Err(error.into()),
        };
        if let Err(error) = result {
            log::fault(
                request_id.as_str(),
                "generation_finish_failed",
                &format!("{}: {}", id.as_str(), Cause::of(&error)),
            );
        }
    }
}

/// Streams the paid-for result(s) into R2 (size-capped, checked while streaming) under keys only this attempt
/// can produce, makes each one's WebP renditions (a failure only leaves them to the cron sweep, the original is
/// served meanwhile), then records success with the images and their renditions only if this attempt still holds
/// the claim (`claimed` attempts). Whoever loses, or meets a bad result, deletes only the objects it wrote itself.
async fn store_results(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    claimed: i64,
    urls: &[String],
    request_id: &RequestId,
) -> Result<(), CoreError> {
    let bucket = blobs::bucket(env)?;
    let mut stored: Vec<StoredImage> = Vec::with_capacity(urls.len());
    let mut renditions_ms = 0;
    for (position, url) in urls.iter().take(IMAGES_PAID_PER_GENERATION).enumerate() {
        let id = ImageId::generate(&mut CryptoRandom);
        let outcome = match client::download(url, RESULT_LIMITS.max_bytes, request_id).await {
            Err(error) => Err((error.problem, error.cause)),
            Ok(download) => {
                let key = blobs::output_key(&row.account_id, &row.id, &id);
                match blobs::put_checked(&bucket, &key, download.chunks, download.declared, RESULT_LIMITS).await {
                    Ok(object) => Ok((key, object)),
                    // Cut at the download's deadline (the stream errored, so R2 stored nothing).
                    Err(_) if (download.timed_out)() => {
                        Err((ResultProblem::Unreachable, "result not complete before the download's deadline".into()))
                    }
                    Err(PutError::Refused(refusal)) => Err((ResultProblem::NotImage, refusal.code.into_owned())),
                    Err(PutError::Storage(error)) => Err((ResultProblem::Unreachable, error.to_string())),
                }
            }
        };
        let (key, object) = match outcome {
            Ok(found) => found,
            Err((problem, cause)) => {
                log::event(
                    request_id.as_str(),
                    "result_not_stored",
                    json!({ "generation_id": row.id, "problem": format!("{problem:?}"), "cause": cause }),
                );
                blobs::delete_all(&bucket, &keys_of(&stored)).await?;
                return after_problem(db, env, config, row, claimed, problem).await;
            }
        };
        let info = object.image.info;
        let started = platform::now();
        let renditions = make_renditions(env, &bucket, id.as_str(), &key, info.width, info.height).await;
        renditions_ms += platform::now().0 - started.0;
        stored.push(StoredImage {
            id,
            position: position as i64,
            r2_key: key,
            content_type: info.format.content_type(),
            size_bytes: object.image.size_bytes as i64,
            width: i64::from(info.width),
            height: i64::from(info.height),
            etag: object.etag,
            renditions,
        });
    }
    let won = store::complete(db, &row.id, claimed, &stored, platform::now()).await?;
    if !won {
        // Another attempt settled it (a later claim, or the deadline sweep): remove only what this one wrote,
        // renditions included.
        blobs::delete_all(&bucket, &keys_of(&stored)).await?;
    }
    log::event(
        request_id.as_str(),
        "generation_settled",
        json!({ "generation_id": row.id, "won": won, "attempt": claimed, "renditions_ms": renditions_ms }),
    );
    Ok(())
}

fn keys_of(stored: &[StoredImage]) -> Vec<String> {
    stored.iter().flat_map(StoredImage::keys).collect()
}

/// The medium and the preview of a just-stored original, to be recorded with it. If the binding fails twice, the
/// failed attempt is recorded instead and the cron retries it later (`next_rendition_try`).
async fn make_renditions(
    env: &Env,
    bucket: &Bucket,
    image_id: &str,
    r2_key: &str,
    width: u32,
    height: u32,
) -> Renditions {
    let source = renditions::Source { image_id, r2_key, width, height };
    let mut made = renditions::make_stored(env, bucket, &source).await;
    if made.is_err() {
        // Once more, shortly: the usual failure is a dropped connection to the binding, and a success recorded
        // without renditions serves the original until the cron's retry a minute later.
        Delay::from(RENDITIONS_RETRY_AFTER).await;
        made = renditions::make_stored(env, bucket, &source).await;
    }
    match made {
        Ok((medium, preview)) => Renditions::Made { medium, preview },
        Err(error) => Renditions::Failed { retry_at: renditions::log_failure(image_id, 1, &error, platform::now()) },
    }
}

/// A result that could not be stored: looked at again later (the claim handed back to the poll chain, which
/// downloads it again) while that may help and the deadline allows, else failed and refunded.
async fn after_problem(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    claimed: i64,
    problem: ResultProblem,
) -> Result<(), CoreError> {
    let now = platform::now();
    let attempt = u32::try_from(claimed).unwrap_or(u32::MAX);
    match after_result_problem(problem, attempt, now.as_secs(), UnixMillis(row.deadline_at).as_secs()) {
        AfterResultProblem::LookAgainAfter(delay) => {
            let next = now.plus_secs(i64::from(delay));
            if store::claim(db, &row.id, GenerationStatus::Running, claimed, next, now).await? {
                enqueue_poll(env, &row.id, claimed + 1, delay).await?;
            }
            Ok(())
        }
        AfterResultProblem::Fail(failure) => fail_claimed(db, config, row, claimed, &failure).await,
    }
}

/// Fails and refunds, but only while this attempt still holds its claim.
async fn fail_claimed(
    db: &Db,
    config: &Config,
    row: &RunningGeneration,
    claimed: i64,
    failure: &Failure,
) -> Result<(), CoreError> {
    super::fail_if(db, config, &row.id, &row.model_id, failure, Some(claimed)).await
}
