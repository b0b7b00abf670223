//! Account deletion and retention, resumable: whatever step was interrupted, running it again finishes it.

use gptimg_domain::ledger::LedgerEntryId;
use gptimg_domain::privacy::{SESSION_RETENTION_SECS, UNUSED_UPLOAD_RETENTION_SECS};
use serde_json::json;
use worker::{Bucket, Env};

use crate::blobs;
use crate::clients::stripe::{self, StripeError};
use crate::config::Config;
use crate::jobs::r2_cleanup;
use crate::log;
use crate::platform::{self, CryptoRandom};
use crate::store::privacy as store;

#[derive(Debug)]
pub enum DeletionError {
    Stripe(StripeError),
    Storage(worker::Error),
}

impl From<worker::Error> for DeletionError {
    fn from(error: worker::Error) -> Self {
        Self::Storage(error)
    }
}

/// Listing pages (of at most 1000 keys, one R2 delete each) one deletion run may remove.
const MAX_PREFIX_PAGES_PER_RUN: usize = 5;

/// R2 objects under the account's prefix, a bounded number of pages; `true` once the prefix is empty. This also
/// catches objects no D1 row ever named (e.g. a write interrupted before its row was recorded).
async fn purge_prefix(bucket: &Bucket, prefix: &str, removed: &mut usize) -> worker::Result<bool> {
    for _ in 0..MAX_PREFIX_PAGES_PER_RUN {
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

/// Deletes the account: erase personal data (D1), cancel Stripe subscriptions, delete every R2 object, end all
/// sessions. Each step is idempotent, so a retry (by the user or the cron sweep) completes an interrupted run.
pub async fn delete_account(env: &Env, config: &Config, account_id: &str) -> Result<(), DeletionError> {
    let db = crate::store::Db::from_env(env)?;
    let entry = LedgerEntryId::generate(&mut CryptoRandom);
    let live_subscriptions = store::begin_deletion(&db, account_id, entry.as_str(), platform::now()).await?;
    for subscription in &live_subscriptions {
        stripe::cancel_subscription(config, &subscription.id).await.map_err(DeletionError::Stripe)?;
    }
    // The first batch listed every known key on the R2 to-do; drain it (bounded), then sweep the prefixes.
    let bucket = blobs::bucket(env)?;
    let drained = r2_cleanup::drain(&db, &bucket, r2_cleanup::MAX_CHUNKS_PER_RUN).await?;
    let mut removed = drained.deleted;
    for prefix in [format!("uploads/{account_id}/"), format!("generations/{account_id}/")] {
        if !purge_prefix(&bucket, &prefix, &mut removed).await? {
            // More than one run can remove: stay pending; the cron sweep continues next minute.
            log::event(
                "-",
                "account_deletion_continues",
                json!({ "account_id": account_id, "objects_removed": removed }),
            );
            return Ok(());
        }
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
pub async fn retention_sweep(env: &Env, config: &Config) -> worker::Result<()> {
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
    for pending in store::pending_deletions(&db, now).await? {
        if let Err(error) = delete_account(env, config, &pending.id).await {
            log::fault("-", "deletion_retry_failed", &format!("{}: {error:?}", pending.id));
        }
    }
    Ok(())
}
