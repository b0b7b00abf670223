//! The `Idempotency-Key` request header and the replayed answer (`Idempotent-Replayed: true`).

use gptimg_domain::idempotency::{IdempotencyKey, HEADER, REPLAYED_HEADER};
use worker::{Request, Response};

use super::error::ApiError;

/// The request's key; a header that is present must be valid (400 `invalid_idempotency_key`).
pub fn key(req: &Request) -> Result<Option<IdempotencyKey>, ApiError> {
    Ok(IdempotencyKey::from_header(req.headers().get(HEADER)?.as_deref())?)
}

/// A key's first answer as an earlier version stored it, rendered.
pub fn replayed(status: u16, body: String) -> Result<Response, ApiError> {
    let mut response = Response::ok(body)?.with_status(status);
    let headers = response.headers_mut();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "private, no-store")?;
    headers.set(REPLAYED_HEADER, "true")?;
    Ok(response)
}

/// The answer, marked as a replay when it repeats a key's first result.
pub fn answered(mut response: Response, replayed: bool) -> Result<Response, ApiError> {
    if replayed {
        response.headers_mut().set(REPLAYED_HEADER, "true")?;
    }
    Ok(response)
}
