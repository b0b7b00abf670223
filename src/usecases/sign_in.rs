//! Signing in, once Google's answer is verified: the account (created with its signup credits the first time)
//! and a new session, in one batch.

use gptimg_domain::account::{AccountId, SessionId};
use gptimg_domain::auth::id_token::GoogleIdentity;
use gptimg_domain::auth::session_token::{SessionToken, SESSION_LIFETIME_SECS};
use gptimg_domain::auth::subject_hash::signup_subject_hash;
use gptimg_domain::ids::RandomSource;
use gptimg_domain::ledger::LedgerEntryId;
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;
use crate::config::Config;
use crate::store::{accounts, Db};

/// A new session for the account: the token goes in the cookie (only its hash is stored).
pub struct SignedIn {
    pub token: SessionToken,
    pub account_id: AccountId,
    pub new_account: bool,
}

pub async fn sign_in(
    db: &Db,
    config: &Config,
    identity: &GoogleIdentity,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<SignedIn, CoreError> {
    let token = SessionToken::generate(random);
    let outcome = accounts::sign_in(
        db,
        accounts::SignIn {
            identity,
            subject_hash: &signup_subject_hash(config.signup_hash_secret.expose().as_bytes(), &identity.subject),
            legacy_subject_hash: &signup_subject_hash(config.session_secret.expose().as_bytes(), &identity.subject),
            new_account_id: &AccountId::generate(random),
            signup_entry_id: &LedgerEntryId::generate(random),
            signup_credits: config.signup_credits,
            session_id: &SessionId::generate(random),
            session_token_hash: &token.hash(),
            session_expires_at: now.plus_secs(SESSION_LIFETIME_SECS),
            now,
        },
    )
    .await?;
    Ok(SignedIn { token, account_id: outcome.account_id, new_account: outcome.created == 1 })
}
