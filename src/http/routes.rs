//! Maps method and path to a handler; unknown API paths are JSON 404s, known paths with the wrong method 405s.

use worker::{Method, Request, Response};

use super::error::ApiError;
use super::{assets, csp_report, health, RequestContext};

pub async fn dispatch(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = req.method();
    let is_api_namespace = matches!(segments.first(), Some(&("api" | "auth" | "webhooks" | "images")));
    if is_api_namespace {
        // Every API answer depends on configuration: fail by name up front, never half-configured.
        ctx.config()?;
    }
    match segments.as_slice() {
        ["healthz"] => match method {
            Method::Get | Method::Head => health::get(ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "GET, HEAD" }),
        },
        ["api", "csp-report"] => match method {
            Method::Post => csp_report::post(req, ctx).await,
            _ => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        },
        ["api", ..] | ["auth", ..] | ["webhooks", ..] | ["images", ..] => {
            Err(ApiError::not_found("route_not_found", "No such endpoint."))
        }
        _ => assets::serve(req, ctx).await,
    }
}
