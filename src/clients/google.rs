//! Google OIDC: exchanging an authorization code for an ID token, and Google's signing keys (JWKS), cached.

use std::cell::RefCell;
use std::rc::Rc;

use gptimg_domain::auth::id_token::Jwks;
use gptimg_domain::ids::RequestId;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;
use worker::Method;

use super::outbound::{Answer, Outbound};
use crate::config::Config;

/// Google's token and key endpoints answer in well under a second; a sign-in should not wait longer than this.
const CALL_TIMEOUT_MS: u64 = 8_000;

/// A healthy key set is reused this long; Google rotates keys over days.
const JWKS_MAX_AGE_MS: i64 = 6 * 60 * 60 * 1000;
/// An unknown `kid` triggers a refetch at most this often, so forged tokens cannot make us hammer Google.
const JWKS_REFETCH_MIN_INTERVAL_MS: i64 = 60 * 1000;

#[derive(Debug)]
pub enum GoogleError {
    /// Google refused the code (used, expired, or not ours): the visitor should start again.
    CodeRejected(String),
    /// Google could not be reached or answered something we cannot use.
    Unavailable(String),
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: String,
}

#[derive(Deserialize)]
struct TokenErrorResponse {
    error: String,
}

pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub code_verifier: &'a str,
    pub redirect_uri: &'a str,
}

/// Exchanges the authorization code (with the client secret and PKCE verifier) for an ID token.
pub async fn exchange_code(
    config: &Config,
    exchange: CodeExchange<'_>,
    request_id: &RequestId,
) -> Result<String, GoogleError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", exchange.code),
        ("redirect_uri", exchange.redirect_uri),
        ("client_id", config.google_client_id.as_str()),
        ("client_secret", config.google_client_secret.expose()),
        ("code_verifier", exchange.code_verifier),
    ];
    let Answer { status, body: text, .. } =
        Outbound::new(Method::Post, config.google_token_url.as_str(), CALL_TIMEOUT_MS, request_id)
            .header("accept", "application/json")
            .form(form)
            .answer()
            .await
            .map_err(|e| GoogleError::Unavailable(format!("token endpoint: {e}")))?;
    match status {
        200..=299 => serde_json::from_str::<TokenResponse>(&text)
            .map(|t| t.id_token)
            .map_err(|e| GoogleError::Unavailable(format!("token response without id_token: {e}"))),
        400 | 401 => {
            let reason = serde_json::from_str::<TokenErrorResponse>(&text)
                .map(|e| e.error)
                .unwrap_or_else(|_| format!("status {status}"));
            Err(GoogleError::CodeRejected(reason))
        }
        _ => Err(GoogleError::Unavailable(format!("token endpoint answered {status}"))),
    }
}

struct CachedJwks {
    jwks: Rc<Jwks>,
    fetched_at: UnixMillis,
}

thread_local! {
    static JWKS_CACHE: RefCell<Option<CachedJwks>> = const { RefCell::new(None) };
}

/// Google's keys, from the isolate's cache when it is fresh and knows `kid`; otherwise refetched
/// (but an unknown `kid` refetches at most once a minute).
pub async fn signing_keys(
    config: &Config,
    kid: Option<&str>,
    now: UnixMillis,
    request_id: &RequestId,
) -> Result<Rc<Jwks>, GoogleError> {
    let cached =
        JWKS_CACHE.with(|cache| cache.borrow().as_ref().map(|c| (c.jwks.clone(), now.millis_since(c.fetched_at))));
    if let Some((jwks, age)) = &cached {
        let knows_kid = kid.is_none_or(|k| jwks.contains(k));
        let fresh = *age < JWKS_MAX_AGE_MS;
        let may_refetch = *age >= JWKS_REFETCH_MIN_INTERVAL_MS;
        if (knows_kid && fresh) || !may_refetch {
            return Ok(jwks.clone());
        }
    }
    let jwks = Rc::new(fetch_jwks(config, request_id).await?);
    JWKS_CACHE.with(|cache| *cache.borrow_mut() = Some(CachedJwks { jwks: jwks.clone(), fetched_at: now }));
    Ok(jwks)
}

async fn fetch_jwks(config: &Config, request_id: &RequestId) -> Result<Jwks, GoogleError> {
    let answer = Outbound::new(Method::Get, config.google_jwks_url.as_str(), CALL_TIMEOUT_MS, request_id)
        .answer()
        .await
        .map_err(|e| GoogleError::Unavailable(format!("JWKS: {e}")))?;
    if answer.status != 200 {
        return Err(GoogleError::Unavailable(format!("JWKS answered {}", answer.status)));
    }
    Jwks::parse(&answer.body).map_err(|e| GoogleError::Unavailable(e.to_string()))
}
