//! Personal API keys in D1: creating (within the per-account limit), listing, revoking, and the one batch that
//! authenticates a key request and counts it in its rate windows.

use gptimg_domain::account::api_key::{
    window_start, ApiKeyId, ApiKeyName, ApiKeySecret, MAX_KEYS_PER_ACCOUNT, PER_KEY_PER_MINUTE,
};
use gptimg_domain::account::AccountId;
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};

use super::accounts::Account;
use super::{int, text, Db};

/// A key as its owner sees it: never the hash or the secret.
#[derive(Debug, Deserialize, Serialize)]
pub struct KeyRow {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

// The limit is checked inside the insert, so two concurrent creations cannot both pass it.
const INSERT_KEY: &str = "INSERT INTO api_keys (id, account_id, name, key_hash, prefix, created_at) \
 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE (SELECT COUNT(*) FROM api_keys WHERE account_id = ?2 AND revoked_at IS NULL) < ?7 \
 RETURNING id, name, prefix, created_at, last_used_at";

/// Stores a new key's hash unless the account already has the most live keys it may; `None` then.
pub async fn create(
    db: &Db,
    id: &ApiKeyId,
    account_id: &AccountId,
    name: &ApiKeyName,
    secret: &ApiKeySecret,
    now: UnixMillis,
) -> worker::Result<Option<KeyRow>> {
    let statement = db.prepare(INSERT_KEY).bind(&[
        text(id),
        text(account_id),
        text(name.as_str()),
        text(&secret.hash()),
        text(secret.display_prefix()),
        int(now.0),
        int(MAX_KEYS_PER_ACCOUNT),
    ])?;
    db.first(statement).await
}

const LIVE_KEYS: &str = "SELECT id, name, prefix, created_at, last_used_at FROM api_keys \
 WHERE account_id = ?1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC";

pub async fn live(db: &Db, account_id: &AccountId) -> worker::Result<Vec<KeyRow>> {
    db.all(db.prepare(LIVE_KEYS).bind(&[text(account_id)])?).await?.results()
}

const REVOKE: &str = "UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND account_id = ?2 AND revoked_at IS NULL";

/// Revokes the account's live key; whether there was one.
pub async fn revoke(db: &Db, id: &ApiKeyId, account_id: &AccountId, now: UnixMillis) -> worker::Result<bool> {
    db.run_changed(db.prepare(REVOKE).bind(&[text(id), text(account_id), int(now.0)])?).await
}

// ?1 key hash, ?2 window start, ?3 now, ?4 the per-key limit. A key counts only while live and its account is not
// being deleted; the account's window counts only requests the key's own limit let through, so one runaway key does
// not use up its siblings' share.
macro_rules! live_key {
    () => {
        "(SELECT k.id, k.account_id FROM api_keys k JOIN accounts a ON a.id = k.account_id \
 WHERE k.key_hash = ?1 AND k.revoked_at IS NULL AND a.deletion_started_at IS NULL)"
    };
}
const FORGET_OLD_WINDOWS: &str = "DELETE FROM api_rate_windows WHERE window_start < ?2 AND scope IN \
 (SELECT 'key:' || k.id FROM api_keys k WHERE k.key_hash = ?1 UNION ALL SELECT 'acc:' || k.account_id FROM api_keys k WHERE k.key_hash = ?1)";
// `WHERE true`: SQLite needs a WHERE before an upsert's ON CONFLICT when the rows come from a SELECT.
const COUNT_KEY: &str = concat!(
    "INSERT INTO api_rate_windows (scope, window_start, count) SELECT 'key:' || id, ?2, 1 FROM ",
    live_key!(),
    " WHERE true ON CONFLICT (scope, window_start) DO UPDATE SET count = count + 1"
);
const COUNT_ACCOUNT: &str = concat!(
    "INSERT INTO api_rate_windows (scope, window_start, count) SELECT 'acc:' || account_id, ?2, 1 FROM ",
    live_key!(),
    " l WHERE (SELECT count FROM api_rate_windows WHERE scope = 'key:' || l.id AND window_start = ?2) <= ?4 \
 ON CONFLICT (scope, window_start) DO UPDATE SET count = count + 1"
);
const TOUCH: &str = concat!("UPDATE api_keys SET last_used_at = ?3 WHERE id IN (SELECT id FROM ", live_key!(), ")");
const FIND: &str = concat!(
    "SELECT ",
    crate::account_select!(),
    " FROM accounts a WHERE a.id = (SELECT account_id FROM ",
    live_key!(),
    ")"
);
const COUNTS: &str = concat!(
    "SELECT COALESCE((SELECT count FROM api_rate_windows WHERE scope = 'key:' || l.id AND window_start = ?2), 0) \
 AS key_count, \
 COALESCE((SELECT count FROM api_rate_windows WHERE scope = 'acc:' || l.account_id AND window_start = ?2), 0) \
 AS account_count FROM ",
    live_key!(),
    " l"
);

/// The account behind a live key, with this request's place in its key's and its account's window.
#[derive(Debug)]
pub struct KeyUse {
    pub account: Account,
    pub key_count: i64,
    pub account_count: i64,
}

#[derive(Deserialize)]
struct Counts {
    key_count: i64,
    account_count: i64,
}

/// One round trip: forgets the key's and account's past windows, counts this request, stamps `last_used_at`, and
/// reads the account and both counts. `None` for a key that is unknown, revoked, or of an account being deleted.
pub async fn authenticate(db: &Db, secret: &ApiKeySecret, now: UnixMillis) -> worker::Result<Option<KeyUse>> {
    let binds = [text(&secret.hash()), int(window_start(now)), int(now.0), int(PER_KEY_PER_MINUTE)];
    let statements = vec![
        db.prepare(FORGET_OLD_WINDOWS).bind(&binds[..2])?,
        db.prepare(COUNT_KEY).bind(&binds[..2])?,
        db.prepare(COUNT_ACCOUNT).bind(&binds)?,
        db.prepare(TOUCH).bind(&binds[..3])?,
        db.prepare(FIND).bind(&binds[..1])?,
        db.prepare(COUNTS).bind(&binds[..2])?,
    ];
    let results = db.batch(statements).await?;
    let account = results[4].results::<Account>()?.into_iter().next();
    let counts = results[5].results::<Counts>()?.into_iter().next();
    Ok(account.zip(counts).map(|(account, c)| KeyUse {
        account,
        key_count: c.key_count,
        account_count: c.account_count,
    }))
}

/// For the account-deletion batch: its rate windows and every key go (a key of an account being deleted is
/// refused before this runs, by `authenticate`'s condition on `deletion_started_at`).
pub fn delete_for_account(db: &Db, account_id: &AccountId) -> worker::Result<Vec<worker::D1PreparedStatement>> {
    Ok(vec![
        db.prepare(
            "DELETE FROM api_rate_windows WHERE scope = 'acc:' || ?1 \
             OR scope IN (SELECT 'key:' || id FROM api_keys WHERE account_id = ?1)",
        )
        .bind(&[text(account_id)])?,
        db.prepare("DELETE FROM api_keys WHERE account_id = ?1").bind(&[text(account_id)])?,
    ])
}
