//! Generations: start one (admit and charge in one batch; the submit runs after the response), finish one when APIPod calls back, and the
//! gallery's single reads, delete and share (`gallery` lists, marks favourites and deletes many).

use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::LedgerKind;
use gptimg_domain::generation::{
    in_use_as_reference, not_found, refusal, undeletable, validate, AdmittedBatch, GenerationId, GenerationRequest,
    GenerationStatus, DEADLINE_SECS,
};
use gptimg_domain::idempotency::{generation_fingerprint, IdempotencyKey, Operation};
use gptimg_domain::ids::{RandomSource, RequestId};
use gptimg_domain::links::{is_share_token, new_share_token};
use gptimg_domain::time::UnixMillis;
use gptimg_domain::{DomainError, ErrorKind};
use serde::Serialize;
use worker::{Bucket, Env};

use super::error::CoreError;
use std::rc::Rc;

use super::background::Background;
use crate::config::Config;
use crate::jobs::{self, Checked, Claimed, Looked, Trigger};
use crate::store::admission::{self, Admission};
use crate::store::gallery;
pub use crate::store::gallery::{GenerationRow, ImageRow};
use crate::store::generations as store;
use crate::store::idempotency::Claim;
use crate::store::share_pages;
pub use crate::store::share_pages::SharedGeneration;
use crate::store::Db;
use crate::usecases::idempotent::{self, Idempotent};

/// What a request started: its generations (one per image, all `queued`), what they cost together, the balance
/// after, and when it was admitted (a replay renders as of then, so it answers the same).
pub struct Created {
    pub generations: Vec<GenerationRow>,
    pub cost: i64,
    pub credits: i64,
    pub admitted_at: UnixMillis,
}

impl Created {
    fn of(batch: &AdmittedBatch, credits: i64) -> Self {
        let generations =
            batch.members.iter().map(|member| GenerationRow::admitted(batch, &member.id, GenerationStatus::Queued));
        Self { generations: generations.collect(), cost: batch.total_cost(), credits, admitted_at: batch.admitted_at }
    }
}

/// Where the admitted generations' first submissions go: run after the answer (`jobs::submit`), so the caller never
/// waits for APIPod.
pub struct Submitter<'a> {
    pub background: &'a dyn Background,
    pub env: &'a Env,
    pub request_id: &'a RequestId,
}

/// Validates, then admits and charges every requested image (one generation, one APIPod task each: the domain's
/// `ImageCount::tasks`) in one guarded batch: all of them, or none and the reason. With an Idempotency-Key, the
/// admitted batch is stored with the key in that batch, and a repeated key gets the same result rebuilt from it
/// (409 for another request).
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &Db,
    config: &Rc<Config>,
    submitter: &Submitter<'_>,
    account: &AccountId,
    request: &GenerationRequest,
    key: Option<&IdempotencyKey>,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<Idempotent<Created>, CoreError> {
    let valid = validate(request, &config.models)?;
    let batch = AdmittedBatch::new(&valid, random, now);
    let fingerprint = key.map(|_| generation_fingerprint(&valid)).unwrap_or_default();
    let answer = match key {
        Some(_) => idempotent::value_text(&batch)?,
        None => String::new(),
    };
    let claim = key.map(|key| Claim {
        account,
        operation: Operation::CreateGeneration,
        key,
        fingerprint: &fingerprint,
        claim: batch.first().id.as_str(),
        status: 202,
        answer: &answer,
        now,
    });
    let description = LedgerKind::GenerationDebit.description(&valid.model.name);
    let deadline = now.plus_secs(DEADLINE_SECS);
    let credits = match admission::admit(db, account, &batch, &description, deadline, claim.as_ref()).await? {
        Admission::Admitted { credits } => credits,
        Admission::Refused(facts) => return Err(refusal(&facts, &valid.asked(), now.0).into()),
        Admission::KeyTaken { stored, credits_after } => {
            return idempotent::replay(&stored, &fingerprint, now, |body| {
                let Some(first) = idempotent::stored_value::<AdmittedBatch>(body) else { return Ok(None) };
                let credits = credits_after.ok_or_else(|| CoreError::internal("a keyed batch without its debits"))?;
                Ok(Some(Created::of(&first, credits)))
            })
        }
    };
    for generation in batch.generations() {
        let submit = jobs::submit(submitter.env.clone(), config.clone(), generation, submitter.request_id.clone());
        submitter.background.run_later(Box::pin(submit));
    }
    Ok(Idempotent::Done(Created::of(&batch, credits)))
}

/// The caller's generation; someone else's is the same 404 as a missing one.
pub async fn get(db: &Db, id: &GenerationId, account: &AccountId) -> Result<GenerationRow, CoreError> {
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
) -> Result<(), CoreError> {
    match gallery::delete_finished(db, id, account, now).await? {
        Some(keys) => {
            jobs::r2_cleanup::delete_now(db, bucket, &keys).await;
            Ok(())
        }
        None => match gallery::find(db, id, account).await? {
            Some(row) if !row.status.is_in_progress() => Err(in_use_as_reference().into()),
            found => Err(undeletable(found.is_some()).into()),
        },
    }
}

/// Turns on the public link and page of a succeeded generation (the same one until revoked), showing the prompt
/// only if `show_prompt`.
pub async fn share(
    db: &Db,
    id: &GenerationId,
    account: &AccountId,
    show_prompt: bool,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<GenerationRow, CoreError> {
    let token = new_share_token(random);
    Ok(gallery::share(db, id, account, &token, show_prompt, now).await?.ok_or_else(not_found)?)
}

/// The generation a public share page shows; `None` for a token never issued or revoked (checked by shape first,
/// so junk never reaches D1).
pub async fn shared_page(db: &Db, token: &str) -> Result<Option<SharedGeneration>, CoreError> {
    if !is_share_token(token) {
        return Ok(None);
    }
    Ok(share_pages::by_token(db, token).await?)
}

/// Revokes the public link at once.
pub async fn unshare(db: &Db, id: &GenerationId, account: &AccountId, now: UnixMillis) -> Result<(), CoreError> {
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
) -> Result<Option<CallbackHeard>, CoreError> {
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
