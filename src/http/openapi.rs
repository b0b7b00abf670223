//! `GET /api/openapi.json`: the OpenAPI 3.1 document of what a personal API key may call, exactly the repo's
//! `openapi/openapi.json` (the e2e suite validates every answer of those operations against it). It is a static
//! asset (`scripts/pages.mjs` copies it into the site), so it costs the Worker's bundle nothing.

use worker::Response;

use super::error::ApiError;
use super::RequestContext;

/// Where the site holds the document (not an API path, so the asset itself is reachable only through here or as a
/// plain file).
const ASSET: &str = "https://assets.invalid/openapi/openapi.json";

/// Public and the same for everyone: cacheable.
pub async fn get(ctx: &RequestContext) -> Result<Response, ApiError> {
    let asset = ctx.env.assets("ASSETS")?.fetch(ASSET, None).await?;
    if asset.status_code() != 200 {
        return Err(ApiError::internal(format!("the OpenAPI document asset answered {}", asset.status_code())));
    }
    let mut response = Response::from_body(asset.body().clone())?;
    let headers = response.headers_mut();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "public, max-age=300")?;
    Ok(response)
}
