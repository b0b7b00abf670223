//! Signing in: Google's code exchanged and its ID token verified, then the account (created with its signup credits
//! the first time) and a new session, in one batch.

use gptimg_domain::account::{AccountId, SessionId};
use gptimg_domain::auth::id_token::{self, Expected, GoogleIdentity, IdTokenError};
use gptimg_domain::auth::session_token::{SessionToken, SESSION_LIFETIME_SECS};
use gptimg_domain::auth::subject_hash::signup_subject_hash;
use gptimg_domain::billing::ledger::LedgerEntryId;
use gptimg_domain::ids::RandomSource;
use gptimg_domain::ids::RequestId;
use gptimg_domain::time::UnixMillis;

use super::error::CoreError;
use crate::clients::google;
pub use crate::clients::google::{CodeExchange, GoogleError};
use crate::config::Config;
use crate::store::{accounts, Db};

/// Why Google's answer did not name a verified person.
pub enum NotIdentified {
    Google(GoogleError),
    IdToken(IdTokenError),
}

/// Exchanges the authorization code at Google and verifies the ID token it returns (signature against Google's
/// keys, issuer, audience, expiry, `nonce`).
pub async fn identify(
    config: &Config,
    exchange: CodeExchange<'_>,
    nonce: &str,
    now: UnixMillis,
    request_id: &RequestId,
) -> Result<GoogleIdentity, NotIdentified> {
    let token = google::exchange_code(config, exchange, request_id).await.map_err(NotIdentified::Google)?;
    let keys = google::signing_keys(config, id_token::key_id(&token).as_deref(), now, request_id)
        .await
        .map_err(NotIdentified::Google)?;
    let expected = Expected { client_id: &config.google_client_id, nonce, now_secs: now.as_secs() };
    id_token::verify(&token, &keys, &expected).map_err(NotIdentified::IdToken)
}

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
