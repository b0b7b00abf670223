//! Idempotency keys in D1: the claim written first in the effect's batch (the effect's own statements require it,
//! so a concurrent duplicate changes nothing), its release when the effect did not happen, the stored answer, and
//! the sweep's pruning.

use gptimg_domain::account::AccountId;
use gptimg_domain::idempotency::{expired_at_or_before, IdempotencyKey, Operation, StoredAnswer};
use gptimg_domain::time::UnixMillis;
use worker::D1PreparedStatement;

use super::{int, text, Db};

/// A request's claim on its key: the answer it will have given if its effect (`claim`, the id of the first
/// generation or of the upload) lands in the same batch.
pub struct Claim<'a> {
    pub account: &'a AccountId,
    pub operation: Operation,
    pub key: &'a IdempotencyKey,
    pub fingerprint: &'a str,
    pub claim: &'a str,
    pub status: u16,
    pub body: &'a str,
    pub now: UnixMillis,
}

// Taken unless someone holds the key and it has not expired (an expired row is taken over, as if swept).
const CLAIM: &str = "INSERT INTO idempotency_keys \
 (account_id, operation, idem_key, fingerprint, claim, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
 ON CONFLICT (account_id, operation, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint, \
 claim = excluded.claim, status = excluded.status, body = excluded.body, created_at = excluded.created_at \
 WHERE idempotency_keys.created_at <= ?9";

/// The claim, first in the effect's batch.
pub fn claim(db: &Db, c: &Claim<'_>) -> worker::Result<D1PreparedStatement> {
    db.prepare(CLAIM).bind(&[
        text(c.account.as_str()),
        text(c.operation.as_str()),
        text(c.key.as_str()),
        text(c.fingerprint),
        text(c.claim),
        int(i64::from(c.status)),
        text(c.body),
        int(c.now.0),
        int(expired_at_or_before(c.now).0),
    ])
}

/// Whether `?account`, `?key` and `?claim` (bind numbers as given) hold the key of `operation`: the condition every
/// effect statement adds, `?key` NULL when the request has no key.
#[macro_export]
macro_rules! idempotency_held {
    ($operation:literal, $account:literal, $key:literal, $claim:literal) => {
        concat!(
            " AND (?",
            $key,
            " IS NULL OR EXISTS (SELECT 1 FROM idempotency_keys WHERE account_id = ?",
            $account,
            " AND operation = '",
            $operation,
            "' AND idem_key = ?",
            $key,
            " AND claim = ?",
            $claim,
            "))"
        )
    };
}

/// The key's bind for `idempotency_held!`: the key, or NULL.
pub fn key_bind(claim: Option<&Claim<'_>>) -> worker::wasm_bindgen::JsValue {
    claim.map_or(worker::wasm_bindgen::JsValue::NULL, |c| text(c.key.as_str()))
}

const RELEASE_GENERATION: &str = "DELETE FROM idempotency_keys WHERE account_id = ?1 AND operation = ?2 \
 AND idem_key = ?3 AND claim = ?4 AND NOT EXISTS (SELECT 1 FROM generations WHERE id = ?4)";
const RELEASE_UPLOAD: &str = "DELETE FROM idempotency_keys WHERE account_id = ?1 AND operation = ?2 \
 AND idem_key = ?3 AND claim = ?4 AND NOT EXISTS (SELECT 1 FROM uploads WHERE id = ?4)";

/// Lets go of the key if the effect did not happen (a refused request stores nothing).
pub fn release(db: &Db, c: &Claim<'_>) -> worker::Result<D1PreparedStatement> {
    let sql = match c.operation {
        Operation::CreateGeneration => RELEASE_GENERATION,
        Operation::CreateUpload => RELEASE_UPLOAD,
    };
    db.prepare(sql).bind(&[text(c.account.as_str()), text(c.operation.as_str()), text(c.key.as_str()), text(c.claim)])
}

const FIND: &str = "SELECT fingerprint, status, body, created_at FROM idempotency_keys \
 WHERE account_id = ?1 AND operation = ?2 AND idem_key = ?3";

/// The key's stored answer, read last in the batch: after a refused effect, it is someone else's.
pub fn find(db: &Db, c: &Claim<'_>) -> worker::Result<D1PreparedStatement> {
    db.prepare(FIND).bind(&[text(c.account.as_str()), text(c.operation.as_str()), text(c.key.as_str())])
}

/// Reads `find`'s result.
pub fn answer(result: &worker::D1Result) -> worker::Result<Option<StoredAnswer>> {
    Ok(result.results::<StoredAnswer>()?.pop())
}

/// At most this many expired rows go per sweep.
const PRUNE_LIMIT: i64 = 1000;

/// Expired rows, a bounded number (run in the retention sweep's batch).
pub fn prune(db: &Db, now: UnixMillis) -> worker::Result<D1PreparedStatement> {
    db.prepare(include_str!("sql/prune_idempotency_keys.sql"))
        .bind(&[int(expired_at_or_before(now).0), int(PRUNE_LIMIT)])
}
