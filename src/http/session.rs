//! The session extractors: the only way a handler learns who is calling — by session cookie, or by personal API
//! key when the request carries an `Authorization` header (then the cookie is ignored).

use gptimg_domain::account::api_key::invalid_api_key;
use gptimg_domain::account::consent::require_current_consent;
use gptimg_domain::account::refuse_if_deleting;
use gptimg_domain::auth::session_token::SessionToken;
use gptimg_domain::{DomainError, ErrorKind};
use worker::Request;

use super::cookies::{self, session_cookie};
use super::error::ApiError;
use super::RequestContext;
use crate::platform;
use crate::usecases::api_keys;
use crate::usecases::session::{self as sessions, Account};

/// A signed-in caller with a live, unrevoked, unexpired session.
pub struct CurrentUser {
    pub account: Account,
}

/// The signed-in caller who has accepted the current terms; 401 `not_signed_in` or 403 `consent_required`.
pub async fn current_user(req: &Request, ctx: &RequestContext) -> Result<CurrentUser, ApiError> {
    let user = signed_in_user(req, ctx).await?;
    require_current_consent(user.account.terms_version.as_deref())?;
    Ok(user)
}

/// The signed-in caller even before consent: for the profile, consent itself, support, export and deletion,
/// which must always work.
pub async fn signed_in_user(req: &Request, ctx: &RequestContext) -> Result<CurrentUser, ApiError> {
    maybe_user(req, ctx)
        .await?
        .ok_or_else(|| DomainError::new(ErrorKind::Unauthenticated, "not_signed_in", "Sign in to continue.").into())
}

/// The signed-in caller if there is one; a missing, malformed, expired or revoked session is simply `None`.
/// A session of an account whose deletion has begun is refused outright (`account::refuse_if_deleting`): deletion
/// revokes every session in its first batch, so this only meets a request racing that batch, or a session an
/// older version left alive.
pub async fn maybe_user(req: &Request, ctx: &RequestContext) -> Result<Option<CurrentUser>, ApiError> {
    if authorization(req).is_some() {
        // `authenticate_key` ran at dispatch for every endpoint a key may reach; anywhere else this refuses.
        let account = ctx.key_account().ok_or_else(invalid_api_key)?;
        return Ok(Some(CurrentUser { account }));
    }
    let Some(token) = session_token(req, ctx) else {
        return Ok(None);
    };
    let db = ctx.db()?;
    let found = sessions::account_of(&db, &token, platform::now()).await?;
    refuse_if_deleting(found.as_ref().is_some_and(|account| account.deletion_started_at.is_some()))?;
    Ok(found.map(|account| CurrentUser { account }))
}

/// The session cookie's token, unless the request carries an `Authorization` header: then the key alone says who is
/// calling and the cookie is ignored.
pub fn session_token(req: &Request, ctx: &RequestContext) -> Option<SessionToken> {
    if authorization(req).is_some() {
        return None;
    }
    let secure = ctx.config().ok()?.app_url.is_https();
    cookies::read(req, session_cookie(secure)).and_then(|raw| SessionToken::parse(&raw))
}

/// The request's `Authorization` header: when present, it alone says who is calling.
pub fn authorization(req: &Request) -> Option<String> {
    req.headers().get("authorization").ok().flatten()
}

/// Authenticates a key request before its handler runs (401 `invalid_api_key`, 429 `api_rate_limited`) and keeps
/// its account for the extractors above.
pub async fn authenticate_key(header: &str, ctx: &RequestContext) -> Result<(), ApiError> {
    let account = api_keys::authenticate(&ctx.db()?, header, platform::now()).await?;
    ctx.set_key_account(account);
    Ok(())
}
