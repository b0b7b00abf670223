//! Drives generations to exactly one end: submit after admission, poll APIPod from the queue with backoff,
//! copy results into R2, or fail and refund once; the cron sweep settles whatever the queue lost.

use gptimg_domain::apipod;
use gptimg_domain::generation::ImageId;
use gptimg_domain::generation::{next_step, FailureReason, NextStep, ValidGeneration, REFERENCE_URL_LIFETIME_SECS};
use gptimg_domain::images::{inspect, MAX_RESULT_BYTES};
use gptimg_domain::ledger::{LedgerEntryId, LedgerKind};
use gptimg_domain::links;
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{Env, MessageBuilder};

use crate::blobs;
use crate::clients::apipod as client;
use crate::config::Config;
use crate::log;
use crate::platform::{self, CryptoRandom};
use crate::store::generations::{self as store, RunningGeneration, StoredImage};
use crate::store::Db;

/// One poll of one generation; `attempt` must match the row's count or the message is a stale duplicate.
#[derive(Debug, Serialize, Deserialize)]
pub struct PollMessage {
    pub generation_id: String,
    pub attempt: i64,
}

async fn enqueue_poll(env: &Env, generation_id: &str, attempt: i64, delay_secs: u32) -> worker::Result<()> {
    let message = PollMessage { generation_id: generation_id.to_owned(), attempt };
    env.queue("GENERATION_QUEUE")?.send(MessageBuilder::new(message).delay_seconds(delay_secs).build()).await
}

fn model_name<'a>(config: &'a Config, model_id: &'a str) -> &'a str {
    config.models.by_id(model_id).map_or(model_id, |m| m.name.as_str())
}

/// Marks the generation failed and refunds it, once, whoever calls first.
pub async fn fail(
    db: &Db,
    config: &Config,
    generation_id: &str,
    model_id: &str,
    reason: FailureReason,
) -> worker::Result<()> {
    let entry = LedgerEntryId::generate(&mut CryptoRandom);
    let description = LedgerKind::GenerationRefund.description(model_name(config, model_id));
    store::fail_and_refund(db, generation_id, reason, entry.as_str(), &description, platform::now()).await?;
    log::event("-", "generation_failed", json!({ "generation_id": generation_id, "reason": reason.code() }));
    Ok(())
}

/// Signed links APIPod uses to fetch the reference images.
fn reference_urls(config: &Config, generation: &ValidGeneration<'_>, now: UnixMillis) -> Vec<String> {
    let expires = now.as_secs() + REFERENCE_URL_LIFETIME_SECS;
    let secret = config.session_secret.expose().as_bytes();
    generation
        .references
        .iter()
        .map(|id| {
            let sig = links::sign(secret, id.as_str(), expires);
            config.app_url.join(&format!("/uploads/{id}/content?exp={expires}&sig={sig}"))
        })
        .collect()
}

/// What the caller knows after a submission without reading the generation back.
pub enum Submitted {
    /// APIPod took the task and this submission moved the generation to `running`.
    Running,
    /// It failed and was refunded, or something else settled it first: read it back.
    Settled,
}

/// Submits an admitted (already charged) generation; a refused or unreadable submission refunds at once.
pub async fn submit(
    db: &Db,
    env: &Env,
    config: &Config,
    generation_id: &str,
    generation: &ValidGeneration<'_>,
) -> worker::Result<Submitted> {
    let now = platform::now();
    let body = apipod::submit_body(generation, &reference_urls(config, generation, now));
    let answer = client::submit(config, apipod::submit_path(generation), body).await;
    let task_id = match answer {
        Ok(text) => apipod::task_id(&text).ok_or(FailureReason::MalformedAnswer),
        Err(error) => {
            log::event("-", "apipod_submit_failed", json!({ "generation_id": generation_id, "cause": error.0 }));
            Err(FailureReason::SubmitFailed)
        }
    };
    match task_id {
        Ok(task_id) => {
            let first_delay = gptimg_domain::generation::poll_delay_secs(0);
            if !store::mark_running(db, generation_id, &task_id, now.plus_secs(i64::from(first_delay)), now).await? {
                return Ok(Submitted::Settled);
            }
            enqueue_poll(env, generation_id, 0, first_delay).await?;
            Ok(Submitted::Running)
        }
        Err(reason) => {
            fail(db, config, generation_id, &generation.model.id, reason).await?;
            Ok(Submitted::Settled)
        }
    }
}

/// One poll, from the queue. Stale or duplicate messages do nothing.
pub async fn poll(env: &Env, config: &Config, message: &PollMessage) -> worker::Result<()> {
    let db = Db::from_env(env)?;
    let Some(row) = store::find_for_poll(&db, &message.generation_id).await? else { return Ok(()) };
    if row.status != "running" || row.poll_attempts != message.attempt {
        return Ok(());
    }
    let Some(task_id) = row.apipod_task_id.as_deref() else { return Ok(()) };
    let status = match client::status(config, task_id).await {
        Ok(body) => Some(apipod::task_status(&body)),
        Err(error) => {
            log::event("-", "apipod_poll_failed", json!({ "generation_id": row.id, "cause": error.0 }));
            None
        }
    };
    let now = platform::now();
    let attempt = u32::try_from(message.attempt).unwrap_or(u32::MAX);
    match next_step(status, attempt, now.as_secs(), UnixMillis(row.deadline_at).as_secs()) {
        NextStep::PollAgainAfter(delay) => {
            if store::record_poll(&db, &row.id, message.attempt, now.plus_secs(i64::from(delay)), now).await? {
                enqueue_poll(env, &row.id, message.attempt + 1, delay).await?;
            }
            Ok(())
        }
        NextStep::StoreResults(urls) => store_results(&db, env, config, &row, &urls).await,
        NextStep::Fail(reason) => fail(&db, config, &row.id, &row.model_id, reason).await,
    }
}

/// Copies every result into R2 (size-capped, bytes sniffed), then records success; any bad result fails the
/// whole generation and leaves no objects behind.
async fn store_results(
    db: &Db,
    env: &Env,
    config: &Config,
    row: &RunningGeneration,
    urls: &[String],
) -> worker::Result<()> {
    let bucket = blobs::bucket(env)?;
    let mut stored: Vec<StoredImage> = Vec::with_capacity(urls.len());
    for (position, url) in urls.iter().enumerate() {
        let outcome = match client::download(url, MAX_RESULT_BYTES).await {
            Err(error) => {
                log::event("-", "result_download_failed", json!({ "generation_id": row.id, "cause": error.0 }));
                Err(FailureReason::ResultUnavailable)
            }
            Ok(bytes) => match inspect(&bytes, MAX_RESULT_BYTES) {
                Err(_) => Err(FailureReason::ResultNotImage),
                Ok(info) => Ok((bytes, info)),
            },
        };
        let (bytes, info) = match outcome {
            Ok(found) => found,
            Err(reason) => {
                blobs::delete_all(&bucket, stored.into_iter().map(|s| s.r2_key).collect()).await?;
                return fail(db, config, &row.id, &row.model_id, reason).await;
            }
        };
        let key = blobs::output_key(&row.account_id, &row.id, position, info.format.extension());
        let size_bytes = bytes.len() as i64;
        let etag = blobs::put(&bucket, &key, bytes, info.format.content_type()).await?;
        stored.push(StoredImage {
            id: ImageId::generate(&mut CryptoRandom).as_str().to_owned(),
            position: position as i64,
            r2_key: key,
            content_type: info.format.content_type(),
            size_bytes,
            width: i64::from(info.width),
            height: i64::from(info.height),
            etag,
        });
    }
    let status = store::complete(db, &row.id, &stored, platform::now()).await?;
    if status != "succeeded" {
        // Someone else settled it (the deadline sweep failed it first): keep nothing.
        blobs::delete_all(&bucket, stored.into_iter().map(|s| s.r2_key).collect()).await?;
    }
    log::event("-", "generation_settled", json!({ "generation_id": row.id, "status": status }));
    Ok(())
}

/// The cron sweep: fails and refunds what is past its deadline or never got submitted, re-queues lost polls.
pub async fn sweep(env: &Env, config: &Config) -> worker::Result<usize> {
    let db = Db::from_env(env)?;
    let overdue = store::overdue(&db, platform::now()).await?;
    for generation in &overdue {
        if generation.past_deadline == 1 {
            fail(&db, config, &generation.id, &generation.model_id, FailureReason::TimedOut).await?;
        } else if generation.status == "queued" || generation.apipod_task_id.is_none() {
            fail(&db, config, &generation.id, &generation.model_id, FailureReason::SubmitFailed).await?;
        } else {
            enqueue_poll(env, &generation.id, generation.poll_attempts, 0).await?;
        }
    }
    Ok(overdue.len())
}
