//! Sends each request to its handler through the one route table (`gptimg_domain::routes`): unknown API paths are
//! JSON 404s, known paths with the wrong method 405s with the table's `Allow`, admin paths 404s for non-admins.

use gptimg_domain::account::api_key::api_key_not_allowed;
use gptimg_domain::routes::{self, Endpoint, HttpMethod, Routed};
use worker::{Method, Request, Response};

use super::error::ApiError;
use super::{
    admin, apipod_callback, assets, auth, billing, credits, csp_report, featured, gallery, generations, health, images,
    me, openapi, origin, privacy, share_page, support, uploads, webhooks, RequestContext,
};
use super::{api_keys, session};

fn table_method(method: &Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::Get,
        Method::Head => HttpMethod::Head,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
        _ => HttpMethod::Other,
    }
}

pub async fn dispatch(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let path = req.path();
    let segments = routes::segments(&path);
    let method = req.method();
    let bearer = session::authorization(&req);
    if routes::is_api_path(&segments) {
        // Every API answer depends on configuration: fail by name up front, never half-configured.
        let config = ctx.config()?;
        // A key request carries no ambient credential (its cookie is ignored), so another origin cannot forge one.
        let keyed = bearer.is_some();
        if !keyed && origin::is_state_changing(&method) && !routes::is_cross_origin_endpoint(&segments) {
            origin::require_same_origin(&req, config.app_url.origin())?;
        }
    }
    // Admin paths do not exist for anyone else: no 405 or route hint before the caller is known to be an admin.
    let admin_user = match routes::is_admin_path(&segments) {
        true if bearer.is_some() => return Err(ApiError::not_found("route_not_found", "No such endpoint.")),
        true => Some(admin::admin(&req, ctx).await?),
        false => None,
    };
    let (endpoint, params) = match routes::route(table_method(&method), &segments) {
        Routed::Endpoint { endpoint, params } => (endpoint, params),
        Routed::WrongMethod { allow } => return Err(ApiError::MethodNotAllowed { allow }),
        Routed::NoSuchEndpoint => return Err(ApiError::not_found("route_not_found", "No such endpoint.")),
        Routed::NotApi => return page(req, ctx, &segments, &method).await,
    };
    if let Some(header) = bearer.as_ref().filter(|_| !routes::ignores_credentials(endpoint)) {
        // Decided before any handler runs: a key never reaches the account, billing or anything session-only.
        if !routes::accepts_api_key(endpoint) {
            return Err(api_key_not_allowed().into());
        }
        session::authenticate_key(header, ctx).await?;
    }
    let param = |i: usize| params.get(i).copied().unwrap_or_default();
    match endpoint {
        Endpoint::Health => health::get(ctx).await,
        Endpoint::SignInStart => auth::start(&req, ctx).await,
        Endpoint::SignInCallback => auth::callback(&req, ctx).await,
        Endpoint::SignOut => auth::logout(&req, ctx).await,
        Endpoint::Profile => me::get(&req, ctx).await,
        Endpoint::RenameProfile => me::patch(req, ctx).await,
        Endpoint::DeleteAccount => privacy::delete(req, ctx).await,
        Endpoint::Consent => privacy::consent(req, ctx).await,
        Endpoint::Export => privacy::export(&req, ctx).await,
        Endpoint::SupportList => support::list(&req, ctx).await,
        Endpoint::SupportCreate => support::create(req, ctx).await,
        Endpoint::Session => me::session(&req, ctx).await,
        Endpoint::Avatar => me::avatar(&req, ctx).await,
        Endpoint::Plans => billing::plans(ctx),
        Endpoint::Checkout => billing::checkout(req, ctx).await,
        Endpoint::Portal => billing::portal(req, ctx).await,
        Endpoint::CreditLedger => credits::list(&req, ctx).await,
        Endpoint::CreateUpload => uploads::create(req, ctx).await,
        Endpoint::DeleteUpload => uploads::delete(&req, ctx, param(0)).await,
        Endpoint::UploadContent => uploads::signed_content(&req, ctx, param(0)).await,
        Endpoint::GenerationList => gallery::list(&req, ctx).await,
        Endpoint::CreateGeneration => generations::create(req, ctx).await,
        Endpoint::Generation => generations::get(&req, ctx, param(0)).await,
        Endpoint::DeleteGeneration => generations::delete(&req, ctx, param(0)).await,
        Endpoint::DeleteGenerations => gallery::delete_many(req, ctx).await,
        Endpoint::Favourite => gallery::favourite(&req, ctx, param(0), true).await,
        Endpoint::Unfavourite => gallery::favourite(&req, ctx, param(0), false).await,
        Endpoint::Share => generations::share(req, ctx, param(0)).await,
        Endpoint::Unshare => generations::unshare(&req, ctx, param(0)).await,
        Endpoint::Models => billing::models(ctx),
        Endpoint::Image => images::get(&req, ctx, param(0)).await,
        Endpoint::ImageContent => images::signed_content(&req, ctx, param(0)).await,
        Endpoint::SharePage => share_page::get(&req, ctx, param(0)).await,
        Endpoint::StripeWebhook => webhooks::stripe(req, ctx).await,
        Endpoint::ApipodCallback => apipod_callback::receive(req, ctx, param(0), param(1)).await,
        Endpoint::CspReport => csp_report::post(req, ctx).await,
        Endpoint::ApiKeyList => api_keys::list(&req, ctx).await,
        Endpoint::CreateApiKey => api_keys::create(req, ctx).await,
        Endpoint::RevokeApiKey => api_keys::revoke(&req, ctx, param(0)).await,
        Endpoint::OpenApi => openapi::get(ctx).await,
        Endpoint::FeaturedImages => featured::public(&req, ctx).await,
        Endpoint::Admin(endpoint) => match admin_user {
            Some(user) => admin::dispatch(req, ctx, user, endpoint, &params).await,
            None => Err(ApiError::not_found("route_not_found", "No such endpoint.")),
        },
    }
}

/// Everything outside the API: the legal pages, the admin console page (404 for everyone else), static assets.
async fn page(req: Request, ctx: &RequestContext, segments: &[&str], method: &Method) -> Result<Response, ApiError> {
    match segments {
        ["privacy"] | ["terms"] if matches!(method, Method::Get | Method::Head) => assets::legal_page(req, ctx).await,
        ["admin"] if *method == Method::Get => admin::page(req, ctx).await,
        ["admin"] | ["admin-console.html"] | ["admin-console"] => {
            Err(ApiError::not_found("route_not_found", "No such page."))
        }
        _ => assets::serve(req, ctx).await,
    }
}
