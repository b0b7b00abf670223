//! Maps method and path to a handler; unknown API paths are JSON 404s, known paths with the wrong method 405s.

use worker::{Method, Request, Response};

use super::error::ApiError;
use super::{
    admin, apipod_callback, assets, auth, billing, credits, csp_report, generations, health, images, me, origin,
    privacy, support, uploads, webhooks, RequestContext,
};

/// Paths that accept writes from other origins by design: signed Stripe webhooks, APIPod callbacks (behind an
/// unguessable URL) and browsers' CSP reports.
fn is_cross_origin_endpoint(segments: &[&str]) -> bool {
    matches!(segments, ["webhooks", ..] | ["api", "csp-report"])
}

pub async fn dispatch(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = req.method();
    let is_api_namespace = matches!(segments.first(), Some(&("api" | "auth" | "webhooks" | "images" | "uploads")));
    if is_api_namespace {
        // Every API answer depends on configuration: fail by name up front, never half-configured.
        let config = ctx.config()?;
        if origin::is_state_changing(&method) && !is_cross_origin_endpoint(&segments) {
            origin::require_same_origin(&req, config.app_url.origin())?;
        }
    }
    match segments.as_slice() {
        ["healthz"] => match method {
            Method::Get | Method::Head => health::get(ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET, HEAD" }),
        },
        ["auth", "google", "start"] => match method {
            Method::Get => auth::start(&req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["auth", "google", "callback"] => match method {
            Method::Get => auth::callback(&req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["auth", "logout"] => match method {
            Method::Post => auth::logout(&req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["api", "me"] => match method {
            Method::Get => me::get(&req, ctx).await,
            Method::Patch => me::patch(req, ctx).await,
            Method::Delete => privacy::delete(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET, PATCH, DELETE" }),
        },
        ["api", "me", "consent"] => match method {
            Method::Post => privacy::consent(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["api", "me", "export"] => match method {
            Method::Get => privacy::export(&req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["api", "support"] => match method {
            Method::Get => support::list(&req, ctx).await,
            Method::Post => support::create(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET, POST" }),
        },
        ["api", "admin", rest @ ..] => admin::dispatch(req, ctx, rest).await,
        ["api", "session"] => match method {
            Method::Get => me::session(&req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["api", "me", "avatar"] => match method {
            Method::Get => me::avatar(&req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["api", "plans"] => match method {
            Method::Get => billing::plans(ctx),
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["api", "billing", "checkout"] => match method {
            Method::Post => billing::checkout(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["api", "billing", "portal"] => match method {
            Method::Post => billing::portal(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["api", "credits", "ledger"] => match method {
            Method::Get => credits::list(&req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["api", "uploads"] => match method {
            Method::Post => uploads::create(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["uploads", id, "content"] => match method {
            Method::Get => uploads::signed_content(&req, ctx, id).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["api", "generations"] => match method {
            Method::Get => generations::list(&req, ctx).await,
            Method::Post => generations::create(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET, POST" }),
        },
        ["api", "generations", id] => match method {
            Method::Get => generations::get(&req, ctx, id).await,
            Method::Delete => generations::delete(&req, ctx, id).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET, DELETE" }),
        },
        ["api", "generations", id, "share"] => match method {
            Method::Post => generations::share(&req, ctx, id).await,
            Method::Delete => generations::unshare(&req, ctx, id).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST, DELETE" }),
        },
        ["api", "models"] => match method {
            Method::Get => billing::models(ctx),
            _ => Err(ApiError::MethodNotAllowed { allow: "GET" }),
        },
        ["images", id] => match method {
            Method::Get | Method::Head => images::get(&req, ctx, id).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET, HEAD" }),
        },
        ["webhooks", "stripe"] => match method {
            Method::Post => webhooks::stripe(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["webhooks", "apipod", id, token] => match method {
            Method::Post => apipod_callback::receive(req, ctx, id, token).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["api", "csp-report"] => match method {
            Method::Post => csp_report::post(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["api", ..] | ["auth", ..] | ["webhooks", ..] | ["images", ..] | ["uploads", ..] => {
            Err(ApiError::not_found("route_not_found", "No such endpoint."))
        }
        ["privacy"] | ["terms"] if matches!(method, Method::Get | Method::Head) => assets::legal_page(req, ctx).await,
        ["admin"] | ["admin-console.html"] | ["admin-console"] => match method {
            Method::Get if segments.as_slice() == ["admin"] => admin::page(req, ctx).await,
            _ => Err(ApiError::not_found("route_not_found", "No such page.")),
        },
        _ => assets::serve(req, ctx).await,
    }
}
