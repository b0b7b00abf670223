//! Generations: start one (admit and charge in one batch; the submit runs after the response), finish one when APIPod calls back, and the
//! gallery's single reads, delete and share (`gallery` lists, marks favourites and deletes many).

use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{
    not_found, refusal, undeletable, validate, GenerationId, GenerationRequest, GenerationStatus, DEADLINE_SECS,
};
use gptimg_domain::ids::{RandomSource, RequestId};
use gptimg_domain::ledger::{LedgerEntryId, LedgerKind};
use gptimg_domain::links::new_share_token;
use gptimg_domain::time::UnixMillis;
use gptimg_domain::{DomainError, ErrorKind};
use serde::Serialize;
use worker::{Bucket, Env};

use crate::config::Config;
use crate::http::error::ApiError;
use crate::jobs::{self, Checked, Claimed, Looked, Trigger};
use crate::store::gallery::{self, GenerationRow};
use crate::store::generations::{self as store, NewGeneration};
use crate::store::Db;

/// Validates, admits and charges (one guarded batch): the generation as the caller now sees it (`queued`), and
/// its first submission, for the caller to run after the response (`jobs::submit`).
pub async fn create(
    db: &Db,
    config: &Config,
    account: &AccountId,
    request: &GenerationRequest,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<(GenerationRow, jobs::Admitted), ApiError> {
    let valid = validate(request, &config.models)?;
    let id = GenerationId::generate(random);
    let new = NewGeneration {
        id: &id,
        debit_entry_id: &LedgerEntryId::generate(random),
        account_id: account,
        prompt: valid.prompt.as_str(),
        model_id: &valid.model.id,
        apipod_model: valid.apipod_model(),
        aspect_ratio: &valid.aspect_ratio,
        quality: valid.quality.as_deref(),
        references: &valid.references,
        cost: valid.cost,
        description: &LedgerKind::GenerationDebit.description(&valid.model.name),
        deadline: now.plus_secs(DEADLINE_SECS),
        now,
    };
    if let Some(facts) = store::admit(db, &new).await? {
        return Err(refusal(&facts, valid.references.len(), valid.cost, now.0).into());
    }
    let admitted = jobs::Admitted::new(id.clone(), &valid, now);
    Ok((GenerationRow::admitted(id, &valid, GenerationStatus::Queued, now), admitted))
}

/// The caller's generation; someone else's is the same 404 as a missing one.
pub async fn get(db: &Db, id: &GenerationId, account: &AccountId) -> Result<GenerationRow, ApiError> {
    Ok(gallery::find(db, id, account).await?.ok_or_else(not_found)?)
}

/// Removes a finished generation and its images (listed for deletion in the same batch, deleted now if R2 agrees);
/// the ledger keeps its history.
pub async fn delete(
    db: &Db,
    bucket: &Bucket,
    id: &GenerationId,
    account: &AccountId,
    now: UnixMillis,
) -> Result<(), ApiError> {
    match gallery::delete_finished(db, id, account, now).await? {
        Some(keys) => {
            jobs::r2_cleanup::delete_now(db, bucket, &keys).await;
            Ok(())
        }
        None => Err(undeletable(gallery::find(db, id, account).await?.is_some()).into()),
    }
}

/// Turns on the public link of a succeeded generation (the same one until revoked).
pub async fn share(
    db: &Db,
    id: &GenerationId,
    account: &AccountId,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<GenerationRow, ApiError> {
    Ok(gallery::share(db, id, account, &new_share_token(random), now).await?.ok_or_else(not_found)?)
}

/// Revokes the public link at once.
pub async fn unshare(db: &Db, id: &GenerationId, account: &AccountId, now: UnixMillis) -> Result<(), ApiError> {
    if gallery::unshare(db, id, account, now).await? {
        Ok(())
    } else {
        Err(not_found().into())
    }
}

/// What APIPod's callback led to (acknowledged to APIPod and logged as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackOutcome {
    /// Nothing to do: it is queued or has already ended.
    NotRunning,
    /// The task has ended and this callback claimed the generation: it is finished after the answer.
    Finished,
    AlreadyHandled,
    StillRunning,
}

/// The outcome, the task id we hold (to log whether the unsigned body named it), and the claimed generation to
/// finish once APIPod has its answer (`Claimed::finish_later`).
pub struct CallbackHeard {
    pub outcome: CallbackOutcome,
    pub task_id: Option<String>,
    pub finishing: Option<Claimed>,
}

/// Looks at a generation on APIPod's callback exactly as the poller would: its body is never trusted, the task is
/// re-read, and an ended task is claimed. Storing the results (downloads, renditions) is left to the caller to run
/// after the response. `None` when there is no such generation.
pub async fn finish_on_callback(
    db: &Db,
    env: &Env,
    config: &Config,
    id: &GenerationId,
    request_id: &RequestId,
) -> Result<Option<CallbackHeard>, ApiError> {
    let Some(row) = store::find_for_poll(db, id).await? else { return Ok(None) };
    let (outcome, finishing) = if row.status != GenerationStatus::Running {
        (CallbackOutcome::NotRunning, None)
    } else {
        match jobs::look(db, env, config, &row, Trigger::Callback, request_id).await? {
            Looked::Claimed(claimed) => (CallbackOutcome::Finished, Some(claimed)),
            Looked::Not(Checked::Finished) => (CallbackOutcome::Finished, None),
            Looked::Not(Checked::AlreadyHandled) => (CallbackOutcome::AlreadyHandled, None),
            Looked::Not(Checked::StillRunning { readable: true }) => (CallbackOutcome::StillRunning, None),
            // Not acknowledged, so APIPod delivers it again; polling carries on meanwhile.
            Looked::Not(Checked::StillRunning { readable: false }) => {
                return Err(DomainError::new(
                    ErrorKind::Upstream,
                    "apipod_status_unavailable",
                    "The task's status could not be read; deliver the callback again.",
                )
                .into())
            }
        }
    };
    Ok(Some(CallbackHeard { outcome, task_id: row.apipod_task_id, finishing }))
}
