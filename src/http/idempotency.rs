//! The `Idempotency-Key` request header and the replayed answer (`Idempotent-Replayed: true`).

use gptimg_domain::idempotency::{IdempotencyKey, HEADER, REPLAYED_HEADER};
use worker::{Request, Response};

use super::error::ApiError;
use crate::usecases::error::CoreError;

/// The request's key; a header that is present must be valid (400 `invalid_idempotency_key`).
pub fn key(req: &Request) -> Result<Option<IdempotencyKey>, ApiError> {
    Ok(IdempotencyKey::from_header(req.headers().get(HEADER)?.as_deref())?)
}

/// The key's first answer, as it was stored.
pub fn replayed(status: u16, body: String) -> Result<Response, ApiError> {
    let mut response = Response::ok(body)?.with_status(status);
    let headers = response.headers_mut();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "private, no-store")?;
    headers.set(REPLAYED_HEADER, "true")?;
    Ok(response)
}

/// A view as the JSON text `private_json` would send, for storing as a key's answer.
pub fn body_of(view: &impl serde::Serialize) -> Result<String, CoreError> {
    serde_json::to_string(view).map_err(|error| CoreError::caused_by(&error))
}
