//! Personal API keys: creating one (its secret returned this once), listing and revoking them, and authenticating
//! a key request within its rate limits.

use gptimg_domain::account::api_key::{
    check_rate, invalid_api_key, key_limit_reached, key_not_found, ApiKeyId, ApiKeyName, ApiKeySecret,
};
use gptimg_domain::ids::RandomSource;
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;
use crate::store::accounts::Account;
use crate::store::api_keys as store;
pub use crate::store::api_keys::KeyRow;
use crate::store::Db;

/// A new key and the one time its secret is shown.
pub struct Created {
    pub row: KeyRow,
    pub secret: ApiKeySecret,
}

/// 400 `invalid_key_name`, 409 `api_key_limit_reached` at the account's limit of live keys.
pub async fn create(
    db: &Db,
    account: &Account,
    name: &str,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<Created, CoreError> {
    let name = ApiKeyName::parse(name)?;
    let id = ApiKeyId::generate(random);
    let secret = ApiKeySecret::generate(random);
    let row = store::create(db, &id, &account.id, &name, &secret, now).await?.ok_or_else(key_limit_reached)?;
    Ok(Created { row, secret })
}

pub async fn list(db: &Db, account: &Account) -> Result<Vec<KeyRow>, CoreError> {
    Ok(store::live(db, &account.id).await?)
}

/// 404 `api_key_not_found` for a malformed id, someone else's key, or one already revoked.
pub async fn revoke(db: &Db, account: &Account, raw_id: &str, now: UnixMillis) -> Result<(), CoreError> {
    let id = ApiKeyId::parse(raw_id).ok_or_else(key_not_found)?;
    match store::revoke(db, &id, &account.id, now).await? {
        true => Ok(()),
        false => Err(key_not_found().into()),
    }
}

/// The account an `Authorization` header's key belongs to, with this request counted (one D1 round trip):
/// 401 `invalid_api_key` unless it is a live key of an account not being deleted, 429 `api_rate_limited` over a
/// limit. Never cached, so a revocation holds from the next request on.
pub async fn authenticate(db: &Db, authorization: &str, now: UnixMillis) -> Result<Account, CoreError> {
    let secret = ApiKeySecret::from_authorization(authorization).ok_or_else(invalid_api_key)?;
    let used = store::authenticate(db, &secret, now).await?.ok_or_else(invalid_api_key)?;
    check_rate(used.key_count, used.account_count, now)?;
    Ok(used.account)
}
