//! Idempotency keys in D1: the claim written first in the effect's batch (the effect's own statements require it,
//! so a concurrent duplicate changes nothing), its release when the effect did not happen, the stored answer, and
//! the sweep's pruning.

use gptimg_domain::account::AccountId;
use gptimg_domain::idempotency::{expired_at_or_before, IdempotencyKey, Operation, StoredAnswer};
use gptimg_domain::time::UnixMillis;
use worker::D1PreparedStatement;

use super::{int, text, Db};

/// A request's claim on its key, written with its effect (`claim`, the id of the first generation or of the
/// upload): the use case's result as a value (JSON), from which a replay builds the same answer.
pub struct Claim<'a> {
    pub account: &'a AccountId,
    pub operation: Operation,
    pub key: &'a IdempotencyKey,
    pub fingerprint: &'a str,
    pub claim: &'a str,
    pub status: u16,
    pub answer: &'a str,
    pub now: UnixMillis,
}

// Taken unless someone holds the key and it has not expired (an expired row is taken over, as if swept).
const CLAIM: &str = "INSERT INTO idempotency_keys \
 (account_id, operation, idem_key, fingerprint, claim, status, body, created_at) \
 VALUES (:account, :operation, :idem_key, :fingerprint, :claim, :status, :answer, :now) \
 ON CONFLICT (account_id, operation, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint, \
 claim = excluded.claim, status = excluded.status, body = excluded.body, created_at = excluded.created_at \
 WHERE idempotency_keys.created_at <= :expired_at";

/// The claim, first in the effect's batch.
pub fn claim(db: &Db, c: &Claim<'_>) -> worker::Result<D1PreparedStatement> {
    db.named(
        CLAIM,
        &[
            ("account", text(c.account.as_str())),
            ("operation", text(c.operation.as_str())),
            ("idem_key", text(c.key.as_str())),
            ("fingerprint", text(c.fingerprint)),
            ("claim", text(c.claim)),
            ("status", int(i64::from(c.status))),
            ("answer", text(c.answer)),
            ("now", int(c.now.0)),
            ("expired_at", int(expired_at_or_before(c.now).0)),
        ],
    )
}

/// Whether the request holds the key of `operation`: the condition every effect statement adds, binding
/// `:account`, `:idem_key` (NULL when the request has no key) and `:id` (the effect's own row, which the key claims).
#[macro_export]
macro_rules! idempotency_held {
    ($operation:literal) => {
        concat!(
            " AND (:idem_key IS NULL OR EXISTS (SELECT 1 FROM idempotency_keys WHERE account_id = :account \
 AND operation = '",
            $operation,
            "' AND idem_key = :idem_key AND claim = :id))"
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
