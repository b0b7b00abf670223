//! Account deletion and retention, resumable: whatever step was interrupted, running it again finishes it.

use gptimg_domain::ledger::LedgerEntryId;
use gptimg_domain::privacy::{SESSION_RETENTION_SECS, UNUSED_UPLOAD_RETENTION_SECS};
use serde_json::json;
use worker::{Bucket, Env};

use crate::blobs;
use crate::clients::stripe::{self, StripeError};
use crate::config::Config;
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

/// Every R2 object under the account's prefixes, page by page.
async fn purge_prefix(bucket: &Bucket, prefix: &str) -> worker::Result<usize> {
    let mut removed = 0;
    loop {
        let listing = bucket.list().prefix(prefix.to_owned()).limit(1000).execute().await?;
        let keys: Vec<String> = listing.objects().iter().map(|o| o.key()).collect();
        if keys.is_empty() {
            return Ok(removed);
        }
        removed += keys.len();
        blobs::delete_all(bucket, keys).await?;
    }
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
    let bucket = blobs::bucket(env)?;
    let mut removed = 0;
    for prefix in [format!("uploads/{account_id}/"), format!("generations/{account_id}/")] {
        removed += purge_prefix(&bucket, &prefix).await?;
    }
    store::finish_deletion(&db, account_id, platform::now()).await?;
    log::event(
        "-",
        "account_deleted",
        json!({ "account_id": account_id, "subscriptions_cancelled": live_subscriptions.len(), "objects_removed": removed }),
    );
    Ok(())
}

/// Retention, from the cron: purge dead sessions and never-used uploads, and finish interrupted deletions.
pub async fn retention_sweep(env: &Env, config: &Config) -> worker::Result<()> {
    let db = crate::store::Db::from_env(env)?;
    let now = platform::now();
    let stale_uploads =
        store::purge_expired(&db, now.plus_secs(-SESSION_RETENTION_SECS), now.plus_secs(-UNUSED_UPLOAD_RETENTION_SECS))
            .await?;
    blobs::delete_all(&blobs::bucket(env)?, stale_uploads).await?;
    crate::store::billing::prune_stripe_events(&db, now).await?;
    for pending in store::pending_deletions(&db, now).await? {
        if let Err(error) = delete_account(env, config, &pending.id).await {
            log::fault("-", "deletion_retry_failed", &format!("{}: {error:?}", pending.id));
        }
    }
    Ok(())
}
