//! Who is calling: the account behind a session token, and ending a session.

use gptimg_domain::auth::session_token::SessionToken;
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;
pub use crate::store::accounts::{Account, SubscriptionSummary};
use crate::store::{sessions, Db};

/// The live session's account (with its subscription summary), in one D1 query; `None` for a dead or unknown token.
pub async fn account_of(db: &Db, token: &SessionToken, now: UnixMillis) -> Result<Option<Account>, CoreError> {
    Ok(sessions::find_by_token_hash(db, &token.hash(), now).await?)
}

/// Revokes the session server-side.
pub async fn sign_out(db: &Db, token: &SessionToken, now: UnixMillis) -> Result<(), CoreError> {
    Ok(sessions::revoke_by_token_hash(db, &token.hash(), now).await?)
}
