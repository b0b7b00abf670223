//! `GET /api/openapi.json`: the OpenAPI 3.1 document of what a personal API key may call, exactly the repo's
//! `openapi/openapi.json` (the e2e suite validates every answer of those operations against it).

use worker::Response;

use super::error::ApiError;

const DOCUMENT: &str = include_str!("../../openapi/openapi.json");

/// Public and the same for everyone: cacheable.
pub fn get() -> Result<Response, ApiError> {
    let mut response = Response::ok(DOCUMENT)?;
    let headers = response.headers_mut();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "public, max-age=300")?;
    Ok(response)
}
