//! Sessions: finding the account behind a session token hash, and revoking sessions.

use gptimg_domain::time::UnixMillis;

use super::accounts::Account;
use super::{int, text, Db};

const FIND_BY_TOKEN_HASH: &str = concat!(
    "SELECT ",
    crate::account_select!(),
    " FROM sessions s JOIN accounts a ON a.id = s.account_id \
 WHERE s.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2"
);

/// The live session's account and subscription: one query.
pub async fn find_by_token_hash(db: &Db, token_hash: &str, now: UnixMillis) -> worker::Result<Option<Account>> {
    db.first::<Account>(db.prepare(FIND_BY_TOKEN_HASH).bind(&[text(token_hash), int(now.0)])?).await
}

const REVOKE_BY_TOKEN_HASH: &str = "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL";

pub async fn revoke_by_token_hash(db: &Db, token_hash: &str, now: UnixMillis) -> worker::Result<()> {
    db.run(db.prepare(REVOKE_BY_TOKEN_HASH).bind(&[text(token_hash), int(now.0)])?).await?;
    Ok(())
}
