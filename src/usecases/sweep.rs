//! The cron's generation sweep: settles what the queue lost. Past its deadline: failed and refunded; queued
//! with a lost submission: submitted again (same Idempotency-Key: APIPod may already run it); running with a
//! lost poll: polled again.

use gptimg_domain::generation::{sweep_action, SweepAction};
use gptimg_domain::time::UnixMillis;
use worker::Env;

use crate::config::Config;
use crate::jobs;
use crate::store::generations as store;
use crate::store::Db;
use crate::usecases::error::CoreError;

/// Returns how many overdue generations it handled (at most one bounded batch per run).
pub async fn generations(env: &Env, config: &Config, now: UnixMillis) -> Result<usize, CoreError> {
    let db = Db::from_env(env)?;
    let overdue = store::overdue(&db, now).await?;
    for generation in &overdue {
        let action =
            sweep_action(generation.status, generation.apipod_task_id.is_some(), generation.past_deadline == 1);
        match action {
            SweepAction::Fail(reason) => {
                jobs::fail(&db, config, &generation.id, &generation.model_id, &reason.into()).await?;
            }
            // One message type for both: the consumer submits a queued generation and polls a running one.
            SweepAction::SubmitAgain | SweepAction::PollAgain => {
                jobs::enqueue_poll(env, &generation.id, generation.poll_attempts, 0).await?
            }
        }
    }
    Ok(overdue.len())
}
