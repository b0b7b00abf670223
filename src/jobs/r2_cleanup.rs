//! Drains the durable R2 to-do list (`r2_deletions`): one R2 `delete` of at most 1000 keys per chunk, and a key is
//! forgotten only after its chunk was deleted. Bounded per invocation so a cron run stays within subrequest limits.

use serde_json::json;
use worker::Bucket;

use crate::blobs::{self, MAX_KEYS_PER_DELETE};
use crate::log;
use crate::store::r2_deletions as store;
use crate::store::Db;
use crate::usecases::error::CoreError;

/// Chunks per invocation: each costs one D1 read, one R2 delete and one D1 write.
pub const MAX_CHUNKS_PER_RUN: usize = 5;

/// What one drain did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Drained {
    pub deleted: usize,
    /// Chunks R2 refused; their keys stay on the list for the next run.
    pub failed_chunks: usize,
}

/// Deletes up to `max_chunks` chunks of listed keys. A chunk R2 refuses is skipped (kept for the next run), so
/// one bad chunk never blocks the rest.
pub async fn drain(db: &Db, bucket: &Bucket, max_chunks: usize) -> Result<Drained, CoreError> {
    let mut drained = Drained::default();
    let mut after = 0;
    for _ in 0..max_chunks {
        let pending = store::next(db, after, MAX_KEYS_PER_DELETE).await?;
        let Some(last) = pending.last() else { break };
        after = last.id;
        let keys: Vec<String> = pending.iter().map(|p| p.r2_key.clone()).collect();
        match blobs::delete_all(bucket, &keys).await {
            Ok(()) => {
                store::done(db, &pending.iter().map(|p| p.id).collect::<Vec<_>>()).await?;
                drained.deleted += keys.len();
            }
            Err(error) => {
                drained.failed_chunks += 1;
                log::event("-", "r2_delete_failed", json!({ "keys": keys.len(), "cause": error.to_string() }));
            }
        }
    }
    Ok(drained)
}

/// Best effort, from a request: delete these listed keys now and forget them; on any failure they stay listed
/// for the cron sweep.
pub async fn delete_now(db: &Db, bucket: &Bucket, keys: &[String]) {
    let result = async {
        blobs::delete_all(bucket, keys).await?;
        store::done_keys(db, keys).await
    }
    .await;
    if let Err(error) = result {
        log::event("-", "r2_delete_deferred", json!({ "keys": keys.len(), "cause": error.to_string() }));
    }
}
