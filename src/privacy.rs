//! Account deletion and retention, resumable: whatever step was interrupted, running it again finishes it.

use gptimg_domain::account::deletion::{
    deletion_finished, deletion_retry_delay_secs, ErasePass, DELETIONS_PER_SWEEP, ERASE_CHUNKS_AFTER_RESPONSE,
    ERASE_CHUNKS_PER_SWEEP, ERASURES_PER_SWEEP,
};
use gptimg_domain::account::{AccountId, GoogleSubject};
use gptimg_domain::auth::subject_hash::signup_subject_hash;
use gptimg_domain::billing::ledger::LedgerEntryId;
use gptimg_domain::ids::RequestId;
use gptimg_domain::retention::{SESSION_RETENTION_SECS, UNUSED_UPLOAD_RETENTION_SECS};
use serde_json::json;
use worker::{Bucket, Env};

use crate::blobs::{self, MAX_KEYS_PER_DELETE};
use crate::clients::stripe::{self, StripeError};
use crate::config::Config;
use crate::jobs::r2_cleanup;
use crate::log;
use crate::meter;
use crate::platform::{self, CryptoRandom};
use crate::store::privacy as store;
use crate::store::r2_deletions;
use crate::usecases::error::CoreError;

/// Subrequests kept back for finishing a deletion (and the cron's own bookkeeping) once the R2 purge stops.
const DELETION_RESERVE: u32 = 20;
/// A deletion is only started by the cron if at least this many subrequests are left: its D1 batches, a
/// Stripe call per live subscription and a first page of R2 objects.
const DELETION_MIN_SUBREQUESTS: u32 = 40;

#[derive(Debug)]
pub enum DeletionError {
    /// Stripe could not be reached or failed on its side: retried later with backoff.
    Stripe(StripeError),
    /// Stripe refused for good (a 4xx other than 429): listed for an admin, not retried by itself.
    Refused(String),
    /// This invocation's budget ran out before the erasure finished; the cron resumes it.
    Paused,
    Storage(CoreError),
}

impl DeletionError {
    /// What went wrong, for the log (Stripe's own words included; never shown to the user).
    pub fn cause(&self) -> String {
        match self {
            Self::Stripe(StripeError::Rejected(cause) | StripeError::Unavailable(cause) | StripeError::Busy(cause))
            | Self::Refused(cause) => cause.clone(),
            Self::Paused => "subrequest budget spent".into(),
            Self::Storage(error) => error.to_string(),
        }
    }
}

impl From<worker::Error> for DeletionError {
    fn from(error: worker::Error) -> Self {
        Self::Storage(error.into())
    }
}

impl From<CoreError> for DeletionError {
    fn from(error: CoreError) -> Self {
        Self::Storage(error)
    }
}

/// R2 objects under the account's prefix, page by page (one delete of at most 1000 keys each, then those keys leave
/// the to-do) within this invocation's subrequest budget and `chunks`; `true` once the prefix is empty, `false` if
/// the budget ran out first (the next run lists what is left). This also catches objects no D1 row ever named (a
/// write interrupted before its row).
async fn purge_prefix(
    db: &crate::store::Db,
    bucket: &Bucket,
    prefix: &str,
    chunks: &mut u32,
    removed: &mut usize,
) -> Result<bool, CoreError> {
    while meter::remaining(DELETION_RESERVE) >= 3 && *chunks > 0 {
        *chunks -= 1;
        let listing = bucket.list().prefix(prefix.to_owned()).limit(1000).execute().await?;
        let keys: Vec<String> = listing.objects().iter().map(|o| o.key()).collect();
        if keys.is_empty() {
            return Ok(true);
        }
        blobs::delete_all(bucket, &keys).await?;
        r2_deletions::done_keys(db, &keys).await?;
        *removed += keys.len();
    }
    Ok(false)
}

/// Erases what the gate left of a deleted account, in bounded chunks (each one D1 batch) while `chunks` and the
/// invocation's subrequests last: its rows (R2 keys listed on the to-do first), then its ledger texts, then every R2
/// object under its prefixes. `true` once nothing is left (recorded on the account); `false` to be resumed.
pub async fn erase(env: &Env, account_id: &AccountId, chunks: &mut u32) -> Result<bool, CoreError> {
    let db = crate::store::Db::from_env(env)?;
    let now = platform::now();
    let mut pass = ErasePass::Unfinished;
    while pass == ErasePass::Unfinished && *chunks > 0 && meter::remaining(DELETION_RESERVE) >= 1 {
        *chunks -= 1;
        pass = ErasePass::after_chunk(store::erase_chunk(&db, account_id, now).await?);
    }
    if pass == ErasePass::Unfinished {
        return Ok(false);
    }
    let mut texts_left = true;
    while texts_left && *chunks > 0 && meter::remaining(DELETION_RESERVE) >= 1 {
        *chunks -= 1;
        texts_left = store::erase_ledger_texts(&db, account_id).await?;
    }
    if texts_left {
        return Ok(false);
    }
    let bucket = blobs::bucket(env)?;
    // The chunks listed the account's keys on the to-do: deleting them from there (1000 per R2 call) usually leaves
    // the prefixes empty at their first listing.
    let drain_chunks = r2_cleanup::MAX_CHUNKS_PER_RUN.min(*chunks as usize);
    let mut removed = 0;
    if drain_chunks > 0 && meter::remaining(DELETION_RESERVE) as usize >= 3 * drain_chunks {
        let drained = r2_cleanup::drain(&db, &bucket, drain_chunks).await?;
        let used = drained.deleted.div_ceil(MAX_KEYS_PER_DELETE) + drained.failed_chunks + 1;
        *chunks = chunks.saturating_sub(used.min(drain_chunks) as u32);
    }
    for prefix in [format!("uploads/{account_id}/"), format!("generations/{account_id}/")] {
        if !purge_prefix(&db, &bucket, &prefix, chunks, &mut removed).await? {
            return Ok(false);
        }
    }
    if removed > 0 {
        log::event("-", "account_objects_removed", json!({ "account_id": account_id, "objects": removed }));
    }
    Ok(store::mark_erased(&db, account_id, platform::now()).await?)
}

/// Deletes the account: the gate (sessions, keys, the account row's personal fields), Stripe cancellations, then
/// the erasure of the rest within `chunks` (see `erase`); marked deleted once both are done. Each step is
/// idempotent, so the cron's retry completes an interrupted run (the user has no session left to retry with).
/// `failed_attempts` is how many earlier attempts failed for a passing reason (0 when the user asks).
pub async fn delete_account(
    env: &Env,
    config: &Config,
    account_id: &AccountId,
    failed_attempts: u32,
    request_id: &RequestId,
) -> Result<(), DeletionError> {
    delete_account_within(env, config, account_id, failed_attempts, request_id, ERASE_CHUNKS_AFTER_RESPONSE).await
}

/// `delete_account` with the erasure bounded to `chunks` D1 batches and R2 pages.
pub async fn delete_account_within(
    env: &Env,
    config: &Config,
    account_id: &AccountId,
    failed_attempts: u32,
    request_id: &RequestId,
    mut chunks: u32,
) -> Result<(), DeletionError> {
    let db = crate::store::Db::from_env(env)?;
    let entry = LedgerEntryId::generate(&mut CryptoRandom);
    let subject_hash = store::google_subject(&db, account_id)
        .await?
        .and_then(|raw| GoogleSubject::parse(&raw))
        .map(|subject| signup_subject_hash(config.session_secret.expose().as_bytes(), &subject));
    let now = platform::now();
    let live_subscriptions =
        store::begin_deletion(&db, account_id, entry.as_str(), subject_hash.as_deref(), now).await?;
    let (mut refused, mut passing) = (None, None);
    for subscription in &live_subscriptions {
        match stripe::cancel_subscription(config, &subscription.id, request_id).await {
            Ok(()) => {}
            // Still erase the data below; only the subscription waits for an admin.
            Err(StripeError::Rejected(problem)) => refused = Some(problem),
            Err(error) => {
                let retry_at = now.plus_secs(deletion_retry_delay_secs(failed_attempts + 1));
                store::deletion_failed(&db, account_id, retry_at, None).await?;
                passing = Some(error);
                break;
            }
        }
    }
    if let (Some(problem), None) = (&refused, &passing) {
        store::deletion_failed(&db, account_id, now, Some(problem)).await?;
    }
    // Erasing does not wait for Stripe: an outage or a refusal delays only the cancellation.
    let erased = erase(env, account_id, &mut chunks).await?;
    if let Some(error) = passing {
        return Err(DeletionError::Stripe(error));
    }
    if let Some(problem) = refused {
        return Err(DeletionError::Refused(problem));
    }
    if !erased {
        return Err(DeletionError::Paused);
    }
    store::finish_deletion(&db, account_id, platform::now()).await?;
    log::event(
        "-",
        "account_deleted",
        json!({ "account_id": account_id, "subscriptions_cancelled": live_subscriptions.len() }),
    );
    Ok(())
}

/// After the response to a deletion the request could not finish: more chunks of the erasure, and the account
/// marked deleted if that completes it and Stripe had nothing left to cancel.
pub async fn continue_deletion(env: Env, account_id: AccountId, subscriptions_cancelled: bool) {
    if let Err(error) = erase_and_finish(&env, &account_id, subscriptions_cancelled).await {
        log::fault("-", "erasure_deferred", &format!("{account_id}: {error}"));
    }
}

async fn erase_and_finish(env: &Env, account_id: &AccountId, subscriptions_cancelled: bool) -> Result<(), CoreError> {
    let erased = erase(env, account_id, &mut { ERASE_CHUNKS_AFTER_RESPONSE }).await?;
    if deletion_finished(erased, subscriptions_cancelled) {
        let db = crate::store::Db::from_env(env)?;
        store::finish_deletion(&db, account_id, platform::now()).await?;
        log::event("-", "account_deleted", json!({ "account_id": account_id }));
    }
    Ok(())
}

/// Retention, from the cron: purge dead sessions and never-used uploads, drain the R2 to-do, resume erasures (in
/// chunks, whatever their Stripe state), and retry interrupted deletions that are due.
pub async fn retention_sweep(env: &Env, config: &Config, request_id: &RequestId) -> Result<(), CoreError> {
    let db = crate::store::Db::from_env(env)?;
    let now = platform::now();
    crate::store::retention::purge_expired(
        &db,
        now.plus_secs(-SESSION_RETENTION_SECS),
        now.plus_secs(-UNUSED_UPLOAD_RETENTION_SECS),
        now,
    )
    .await?;
    let drained = r2_cleanup::drain(&db, &blobs::bucket(env)?, r2_cleanup::MAX_CHUNKS_PER_RUN).await?;
    if drained.deleted > 0 || drained.failed_chunks > 0 {
        log::event(
            "-",
            "r2_deletions_drained",
            json!({ "deleted": drained.deleted, "failed_chunks": drained.failed_chunks }),
        );
    }
    let mut chunks = ERASE_CHUNKS_PER_SWEEP;
    for erasing in store::erasing(&db, ERASURES_PER_SWEEP).await? {
        if chunks == 0 || meter::remaining(0) < DELETION_MIN_SUBREQUESTS {
            break;
        }
        if let Err(error) = erase(env, &erasing.id, &mut chunks).await {
            log::fault("-", "erasure_failed", &format!("{}: {error}", erasing.id));
        }
    }
    for pending in store::pending_deletions(&db, now, DELETIONS_PER_SWEEP).await? {
        if meter::remaining(0) < DELETION_MIN_SUBREQUESTS {
            break;
        }
        match delete_account(env, config, &pending.id, pending.deletion_attempts, request_id).await {
            Ok(()) | Err(DeletionError::Paused) => {}
            Err(error) => log::fault("-", "deletion_retry_failed", &format!("{}: {}", pending.id, error.cause())),
        }
    }
    Ok(())
}
