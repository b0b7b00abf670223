//! Bytes fetched through a signed link (`links::signed_path`): what APIPod uses to read reference uploads and
//! generated images without a session.

use worker::{Object, Request, Response};

use super::error::ApiError;
use super::query_param;

/// The link's `exp` and `sig`, when both are there and `exp` is a number; `verify` decides the rest.
pub fn signature(req: &Request) -> Option<(i64, String)> {
    let expires = query_param(req, "exp")?.parse::<i64>().ok()?;
    Some((expires, query_param(req, "sig")?))
}

/// The object's bytes as its stored type, never kept by any cache; `not_found` when R2 gave no body.
pub fn respond(object: &Object, content_type: &str, not_found: impl Fn() -> ApiError) -> Result<Response, ApiError> {
    let body = object.body().ok_or_else(not_found)?.response_body()?;
    let mut response = Response::from_body(body)?;
    response.headers_mut().set("content-type", content_type)?;
    response.headers_mut().set("cache-control", "private, no-store")?;
    Ok(response)
}
