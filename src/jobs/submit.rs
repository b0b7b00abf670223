//! Submitting a generation to APIPod: the same body and Idempotency-Key on every attempt, so a retry after a
//! timeout, a lost connection or a transient 5xx can never start a second paid task (APIPod replays the first
//! one's id). The first attempt runs after the response only if it fits in what is left of the platform's 30 s
//! for such work; otherwise, and for every retry, it runs from the queue.

use std::rc::Rc;

use gptimg_domain::apipod::{self, callback, SubmitOutcome, TaskRequest};
use gptimg_domain::generation::{
    poll_delay_secs, submit_fits_after_response, AdmittedGeneration, GenerationStatus, ImageId, SubmitAttempt,
    UploadId, REFERENCE_URL_LIFETIME_SECS, SUBMIT_WINDOW_SECS,
};
use gptimg_domain::ids::{RandomSource, RequestId};
use gptimg_domain::links;
use gptimg_domain::time::UnixMillis;
use gptimg_domain::Cause;
use serde_json::json;
use worker::Env;

use super::{enqueue_poll, fail, log_provider_error};
use crate::clients::apipod as client;
use crate::config::Config;
use crate::log;
use crate::platform::{self, CryptoRandom};
use crate::store::generations::{self as store, RunningGeneration};
use crate::store::Db;
use crate::usecases::error::CoreError;

/// Signed links APIPod uses to fetch the reference images: uploads, then generated images (each the object
/// already in R2, never a copy). They expire a fixed time after the generation was created (not after this
/// attempt), so a retried submission sends exactly the same body.
fn reference_urls(config: &Config, upload_ids: &[UploadId], image_ids: &[ImageId], created: UnixMillis) -> Vec<String> {
    let expires = created.as_secs() + REFERENCE_URL_LIFETIME_SECS;
    let secret = config.session_secret.expose().as_bytes();
    let signed = |id: &str, path: String| config.app_url.join(&links::signed_path(secret, id, &path, expires));
    let uploads = upload_ids.iter().map(|id| signed(id, links::upload_content_path(id)));
    uploads.chain(image_ids.iter().map(|id| signed(id, links::image_content_path(id)))).collect()
}

fn body_of(config: &Config, generation: &AdmittedGeneration) -> String {
    let spec = &generation.spec;
    let image_urls = reference_urls(config, &spec.references, &spec.image_references, generation.admitted_at);
    let callback_url =
        config.app_url.join(&callback::path(config.session_secret.expose().as_bytes(), generation.id.as_str()));
    apipod::submit_body(&TaskRequest {
        model: &spec.apipod_model,
        prompt: &spec.prompt,
        aspect_ratio: spec.aspect_ratio.as_str(),
        quality: spec.quality.as_ref().map(|quality| quality.as_str()),
        image_urls: &image_urls,
        callback_url: Some(&callback_url),
    })
}

/// The first submission, after the response. Whatever happens is settled without the caller: a submit that would
/// not finish inside the platform's limit for work after a response is handed to the queue instead, an unanswered
/// or transient answer is retried from the queue, a refused one fails and refunds once, and if even recording the
/// outcome fails, the generation stays `queued` and the cron sweep submits it again (`sweep_action`).
pub async fn submit(env: Env, config: Rc<Config>, admitted: AdmittedGeneration, request_id: RequestId) {
    let elapsed_ms = platform::now().0 - admitted.admitted_at.0;
    let result = if submit_fits_after_response(elapsed_ms, client::CALL_TIMEOUT_MS as i64) {
        match Db::from_env(&env) {
            Ok(db) => attempt(&db, &env, &config, &admitted, 0, &request_id).await,
            Err(error) => Err(error.into()),
        }
    } else {
        log::event(
            request_id.as_str(),
            "apipod_submit_queued",
            json!({ "generation_id": admitted.id, "elapsed_ms": elapsed_ms }),
        );
        enqueue_poll(&env, &admitted.id, 0, 0).await
    };
    if let Err(error) = result {
        let cause = format!("{}: {}", admitted.id.as_str(), Cause::of(&error));
        log::fault(request_id.as_str(), "apipod_submit_failed", &cause);
    }
}

/// A later attempt, from the queue, for a generation still `queued`.
pub async fn retry(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    request_id: &RequestId,
) -> Result<(), CoreError> {
    attempt(db, env, config, &row.admitted(), row.poll_attempts, request_id).await
}

async fn attempt(
    db: &Db,
    env: &Env,
    config: &Config,
    generation: &AdmittedGeneration,
    attempt: i64,
    request_id: &RequestId,
) -> Result<(), CoreError> {
    let id = &generation.id;
    let key = apipod::idempotency_key(id.as_str());
    let answer = client::submit(config, body_of(config, generation), &key, request_id).await;
    if let Err(error) = &answer {
        log::event(
            request_id.as_str(),
            "apipod_submit_unanswered",
            json!({ "generation_id": id, "attempt": attempt, "cause": error.0 }),
        );
    }
    let now = platform::now();
    let mut draw = [0u8; 2];
    CryptoRandom.fill(&mut draw);
    let clock = SubmitAttempt {
        number: u32::try_from(attempt).unwrap_or(u32::MAX),
        now_secs: now.as_secs(),
        window_end_secs: generation.admitted_at.as_secs() + SUBMIT_WINDOW_SECS,
        jitter_permille: u32::from(u16::from_le_bytes(draw)) % 1000,
    };
    let outcome = apipod::submit_outcome(answer.as_ref().ok().map(|a| a.view()), clock);
    match outcome {
        SubmitOutcome::Accepted(task_id) => {
            let first_delay = poll_delay_secs(0);
            if store::mark_running(db, id, &task_id, attempt, now.plus_secs(i64::from(first_delay)), now).await? {
                enqueue_poll(env, id, attempt, first_delay).await?;
            }
            Ok(())
        }
        SubmitOutcome::RetryAfter { secs, error } => {
            if let Some(error) = &error {
                log_provider_error(id, "apipod_submit_deferred", error, request_id);
            }
            log::event(
                request_id.as_str(),
                "apipod_submit_retry",
                json!({ "generation_id": id, "attempt": attempt, "after_secs": secs }),
            );
            if store::claim(db, id, GenerationStatus::Queued, attempt, now.plus_secs(i64::from(secs)), now).await? {
                enqueue_poll(env, id, attempt + 1, secs).await?;
            }
            Ok(())
        }
        SubmitOutcome::Fail { failure, error } => {
            if let Some(error) = &error {
                log_provider_error(id, "apipod_submit_refused", error, request_id);
            }
            fail(db, config, id, &generation.spec.model, &failure).await
        }
    }
}
