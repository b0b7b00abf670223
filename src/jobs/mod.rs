//! Drives generations to exactly one end: submit after admission (retried with one Idempotency-Key), poll
//! APIPod from the queue with backoff or hear its callback, copy results into R2, or fail and refund once;
//! the cron sweep (`usecases::sweep`) settles whatever the queue lost.

mod finish;
pub mod r2_cleanup;
pub mod renditions;
mod submit;

use gptimg_domain::apipod::ProviderError;
use gptimg_domain::billing::ledger::{LedgerEntryId, LedgerKind};
use gptimg_domain::generation::{Failure, GenerationId, GenerationStatus, ModelId};
use gptimg_domain::ids::RequestId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{Env, MessageBuilder};

use crate::config::Config;
use crate::log;
use crate::platform::{self, CryptoRandom};
use crate::store::generations as store;
use crate::store::Db;
use crate::usecases::error::CoreError;

pub use finish::{check, look, Checked, Claimed, Looked, Trigger};
pub use submit::submit;

/// One step of one generation: a submission retry while it is queued, a poll while it runs. `attempt` must
/// match the row's count or the message is a stale duplicate.
#[derive(Debug, Serialize, Deserialize)]
pub struct PollMessage {
    pub generation_id: String,
    pub attempt: i64,
}

pub(crate) async fn enqueue_poll(
    env: &Env,
    generation_id: &GenerationId,
    attempt: i64,
    delay_secs: u32,
) -> Result<(), CoreError> {
    let message = PollMessage { generation_id: generation_id.as_str().to_owned(), attempt };
    env.queue("GENERATION_QUEUE")?.send(MessageBuilder::new(message).delay_seconds(delay_secs).build()).await?;
    Ok(())
}

fn model_name<'a>(config: &'a Config, model_id: &'a ModelId) -> &'a str {
    config.models.by_id(model_id.as_str()).map_or(model_id.as_str(), |m| m.name.as_str())
}

/// An APIPod error answer, logged with both envelopes' facts (never shown as is), under the id of the request or
/// background run that made the call (the same id its `x-request-id` carried).
fn log_provider_error(generation_id: &GenerationId, what: &str, error: &ProviderError, request_id: &RequestId) {
    log::event(
        request_id.as_str(),
        what,
        json!({ "generation_id": generation_id, "http_status": error.http_status, "error_code": error.code,
            "error_type": error.kind, "error_message": error.message }),
    );
}

/// Marks the generation failed and refunds it, once, whoever calls first.
pub async fn fail(
    db: &Db,
    config: &Config,
    generation_id: &GenerationId,
    model_id: &ModelId,
    failure: &Failure,
) -> Result<(), CoreError> {
    fail_if(db, config, generation_id, model_id, failure, None).await
}

/// `fail`, but when `claimed` is given only while the generation's attempt count still equals it (a finisher
/// whose claim expired and was taken over must not end the generation).
async fn fail_if(
    db: &Db,
    config: &Config,
    generation_id: &GenerationId,
    model_id: &ModelId,
    failure: &Failure,
    claimed: Option<i64>,
) -> Result<(), CoreError> {
    let entry = LedgerEntryId::generate(&mut CryptoRandom);
    let description = LedgerKind::GenerationRefund.description(model_name(config, model_id));
    store::fail_and_refund(db, generation_id, failure, &entry, &description, claimed, platform::now()).await?;
    log::event("-", "generation_failed", json!({ "generation_id": generation_id, "reason": failure.code() }));
    Ok(())
}

/// One queue message. Stale or duplicate messages (and ids we never issued) do nothing.
pub async fn poll(env: &Env, config: &Config, message: &PollMessage, request_id: &RequestId) -> Result<(), CoreError> {
    let db = Db::from_env(env)?;
    let Some(id) = GenerationId::parse(&message.generation_id) else { return Ok(()) };
    let Some(row) = store::find_for_poll(&db, &id).await? else { return Ok(()) };
    if row.poll_attempts != message.attempt {
        return Ok(());
    }
    match row.status {
        GenerationStatus::Queued => submit::retry(&db, env, config, &row, request_id).await,
        GenerationStatus::Running => check(&db, env, config, &row, Trigger::Poll, request_id).await.map(|_| ()),
        GenerationStatus::Succeeded | GenerationStatus::Failed => Ok(()),
    }
}
