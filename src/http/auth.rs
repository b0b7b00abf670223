//! Google sign-in (OIDC code flow with state, nonce and PKCE) and sign-out.

use gptimg_domain::auth::authorize::{authorize_params, CALLBACK_PATH};
use gptimg_domain::auth::oauth_state::{self, OAuthState};
use gptimg_domain::auth::return_to::ReturnPath;
use gptimg_domain::auth::session_token::SESSION_LIFETIME_SECS;
use gptimg_domain::auth::sign_in_failure::{failure_page, SignInProblem};
use gptimg_domain::DomainError;
use worker::{Request, Response};

use super::cookies::{self, oauth_cookie, session_cookie};
use super::error::ApiError;
use super::{pages, query_param, RequestContext};
use crate::config::Config;
use crate::log;
use crate::platform::{self, CryptoRandom};
use crate::usecases::sign_in::{self, CodeExchange, GoogleError, NotIdentified};

const OAUTH_COOKIE_PATH: &str = "/auth/google";

fn redirect(location: &str) -> worker::Result<Response> {
    let mut response = Response::empty()?.with_status(302);
    response.headers_mut().set("location", location)?;
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}

fn redirect_uri(config: &Config) -> String {
    config.app_url.join(CALLBACK_PATH)
}

/// `GET /auth/google/start?return_to=`: 302 to Google with state, nonce and an S256 PKCE challenge.
pub async fn start(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let return_to = ReturnPath::parse_or_default(query_param(req, "return_to").as_deref());
    let state = OAuthState::new(&mut CryptoRandom, return_to, platform::now());
    let params = authorize_params(&config.google_client_id, &redirect_uri(config), &state);
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let mut response = redirect(&format!("{}?{query}", config.google_auth_url))?;
    let sealed = state.seal(config.session_secret.expose().as_bytes());
    let secure = config.app_url.is_https();
    let cookie = cookies::set(oauth_cookie(secure), &sealed, OAUTH_COOKIE_PATH, oauth_state::LIFETIME_SECS, secure);
    response.headers_mut().append("set-cookie", &cookie)?;
    Ok(response)
}

/// Why a sign-in attempt failed, as a page the visitor can read; its status and code come from the one error map.
struct SignInFailure {
    error: ApiError,
    title: &'static str,
    explanation: &'static str,
    /// What Google said, for the log only.
    cause: Option<String>,
}

impl From<SignInProblem<'_>> for SignInFailure {
    fn from(problem: SignInProblem<'_>) -> Self {
        let page = failure_page(problem);
        let error = DomainError::new(page.kind, page.code, page.explanation).into();
        Self { error, title: page.title, explanation: page.explanation, cause: None }
    }
}

/// `GET /auth/google/callback`: verifies everything, upserts the account, opens a session, 302s back.
pub async fn callback(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let secure = config.app_url.is_https();
    let mut response = match complete_sign_in(req, ctx, config).await {
        Ok(response) => response,
        Err(failure) => {
            let code = failure.error.code();
            let detail = match (&failure.cause, &failure.error) {
                (Some(cause), _) => cause.clone(),
                (None, ApiError::Internal(chain)) => chain.to_string(),
                (None, _) => code.to_owned(),
            };
            log::event(
                ctx.request_id.as_str(),
                "sign_in_failed",
                serde_json::json!({ "code": code, "detail": detail }),
            );
            pages::message(failure.error.status(), failure.title, failure.explanation, code)?
        }
    };
    // The attempt is over either way: its state must never be usable again.
    response.headers_mut().append("set-cookie", &cookies::clear(oauth_cookie(secure), OAUTH_COOKIE_PATH, secure))?;
    Ok(response)
}

async fn complete_sign_in(req: &Request, ctx: &RequestContext, config: &Config) -> Result<Response, SignInFailure> {
    if let Some(error) = query_param(req, "error") {
        return Err(SignInProblem::GoogleSaid(&error).into());
    }
    let missing_state = || SignInFailure::from(SignInProblem::MissingState);
    let secure = config.app_url.is_https();
    let cookie = cookies::read(req, oauth_cookie(secure)).ok_or_else(missing_state)?;
    let returned_state = query_param(req, "state").ok_or_else(missing_state)?;
    let now = platform::now();
    let state = OAuthState::open(&cookie, config.session_secret.expose().as_bytes(), &returned_state, now)
        .map_err(|problem| SignInFailure::from(SignInProblem::State(problem)))?;
    let code = query_param(req, "code").ok_or_else(|| SignInFailure::from(SignInProblem::MissingCode))?;

    let exchange =
        CodeExchange { code: &code, code_verifier: &state.code_verifier, redirect_uri: &redirect_uri(config) };
    let identity = sign_in::identify(config, exchange, &state.nonce, now, &ctx.request_id).await.map_err(
        |refused| match refused {
            NotIdentified::Google(error) => google_failure(error),
            NotIdentified::IdToken(error) => SignInFailure::from(SignInProblem::IdToken(error)),
        },
    )?;

    let db = ctx.db().map_err(internal)?;
    let signed_in = sign_in::sign_in(&db, config, &identity, now, &mut CryptoRandom).await.map_err(internal)?;
    ctx.note(serde_json::json!({ "signed_in": signed_in.account_id, "new_account": signed_in.new_account }));

    let mut response = redirect(state.return_to.as_str()).map_err(internal)?;
    let cookie = cookies::set(session_cookie(secure), signed_in.token.expose(), "/", SESSION_LIFETIME_SECS, secure);
    response.headers_mut().append("set-cookie", &cookie).map_err(internal)?;
    Ok(response)
}

fn google_failure(error: GoogleError) -> SignInFailure {
    let (problem, reason) = match error {
        GoogleError::CodeRejected(reason) => (SignInProblem::CodeRejected, reason),
        GoogleError::Unavailable(reason) => (SignInProblem::GoogleUnavailable, reason),
    };
    SignInFailure { cause: Some(reason), ..problem.into() }
}

fn internal(error: impl Into<ApiError>) -> SignInFailure {
    SignInFailure {
        error: error.into().context("signing in"),
        title: "Something went wrong",
        explanation: "We could not finish signing you in. Please try again.",
        cause: None,
    }
}

/// `POST /auth/logout`: revokes the session server-side and clears the cookie.
pub async fn logout(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    if let Some(token) = super::session::session_token(req, ctx) {
        crate::usecases::session::sign_out(&ctx.db()?, &token, platform::now()).await?;
    }
    let mut response = Response::empty()?.with_status(204);
    let secure = config.app_url.is_https();
    response.headers_mut().append("set-cookie", &cookies::clear(session_cookie(secure), "/", secure))?;
    Ok(response)
}
