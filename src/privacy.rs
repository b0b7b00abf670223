//! Account deletion and retention, resumable: whatever step was interrupted, running it again finishes it.

use gptimg_domain::account::{AccountId, GoogleSubject};
use gptimg_domain::auth::subject_hash::signup_subject_hash;
use gptimg_domain::ids::RequestId;
use gptimg_domain::ledger::LedgerEntryId;
use gptimg_domain::privacy::{
    deletion_retry_delay_secs, DELETIONS_PER_SWEEP, SESSION_RETENTION_SECS, UNUSED_UPLOAD_RETENTION_SECS,
};
use serde_json::json;
use worker::{Bucket, Env};

use crate::blobs;
use crate::clients::stripe::{self, StripeError};
use crate::config::Config;
use crate::jobs::r2_cleanup;
use crate::log;
use crate::meter;
use crate::platform::{self, CryptoRandom};
use crate::store::privacy as store;

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
    /// This invocation's subrequest budget ran out mid-purge; the cron resumes it.
    Paused,
    Storage(worker::Error),
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
        Self::Storage(error)
    }
}

/// R2 objects under the account's prefix, page by page (one delete of at most 1000 keys each) within this
/// invocation's subrequest budget; `true` once the prefix is empty, `false` if the budget ran out first (the next
/// run lists what is left). This also catches objects no D1 row ever named (a write interrupted before its row).
async fn purge_prefix(bucket: &Bucket, prefix: &str, removed: &mut usize) -> worker::Result<bool> {
    while meter::remaining(DELETION_RESERVE) >= 2 {
        let listing = bucket.list().prefix(prefix.to_owned()).limit(1000).execute().await?;
        let keys: Vec<String> = listing.objects().iter().map(|o| o.key()).collect();
        if keys.is_empty() {
            return Ok(true);
        }
        blobs::delete_all(bucket, &keys).await?;
        *removed += keys.len();
    }
    Ok(false)
}

/// Deletes the account: end every session and erase personal data (D1), cancel Stripe subscriptions, delete every
/// R2 object, mark it deleted. Each step is idempotent, so the cron's retry completes an interrupted run (the user
/// has no session left to retry with).
/// `failed_attempts` is how many earlier attempts failed for a passing reason (0 when the user asks).
pub async fn delete_account(
    env: &Env,
    config: &Config,
    account_id: &AccountId,
    failed_attempts: u32,
    request_id: &RequestId,
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
    let mut refused = None;
    for subscription in &live_subscriptions {
        match stripe::cancel_subscription(config, &subscription.id, request_id).await {
            Ok(()) => {}
            // Still erase the files below; only the subscription waits for an admin.
            Err(StripeError::Rejected(problem)) => refused = Some(problem),
            Err(error) => {
                let retry_at = now.plus_secs(deletion_retry_delay_secs(failed_attempts + 1));
                store::deletion_failed(&db, account_id, retry_at, None).await?;
                return Err(DeletionError::Stripe(error));
            }
        }
    }
    if let Some(problem) = &refused {
        store::deletion_failed(&db, account_id, now, Some(problem)).await?;
    }
    // The first batch listed every known key on the R2 to-do; drain it (bounded), then sweep the prefixes.
    let bucket = blobs::bucket(env)?;
    let drained = r2_cleanup::drain(&db, &bucket, r2_cleanup::MAX_CHUNKS_PER_RUN).await?;
    let mut removed = drained.deleted;
    for prefix in [format!("uploads/{account_id}/"), format!("generations/{account_id}/")] {
        if !purge_prefix(&bucket, &prefix, &mut removed).await? {
            return Err(DeletionError::Paused);
        }
    }
    if let Some(problem) = refused {
        return Err(DeletionError::Refused(problem));
    }
    store::finish_deletion(&db, account_id, platform::now()).await?;
    log::event(
        "-",
        "account_deleted",
        json!({ "account_id": account_id, "subscriptions_cancelled": live_subscriptions.len(), "objects_removed": removed }),
    );
    Ok(())
}

/// Retention, from the cron: purge dead sessions and never-used uploads, drain the R2 to-do, and finish
/// interrupted deletions.
pub async fn retention_sweep(env: &Env, config: &Config, request_id: &RequestId) -> worker::Result<()> {
    let db = crate::store::Db::from_env(env)?;
    let now = platform::now();
    store::purge_expired(
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
    for pending in store::pending_deletions(&db, now, DELETIONS_PER_SWEEP).await? {
        if meter::remaining(0) < DELETION_MIN_SUBREQUESTS {
            break;
        }
        if let Err(error) = delete_account(env, config, &pending.id, pending.deletion_attempts, request_id).await {
            log::fault("-", "deletion_retry_failed", &format!("{}: {}", pending.id, error.cause()));
        }
    }
    Ok(())
}
