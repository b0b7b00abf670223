//! Reads the `cursor` and `limit` query parameters of newest-first listings.

use gptimg_domain::billing::ledger::{page_size, Cursor};
use gptimg_domain::DomainError;
use worker::Request;

use super::error::ApiError;

pub struct PageRequest {
    pub cursor: Option<Cursor>,
    pub limit: u32,
}

/// 400 `invalid_cursor` / `invalid_limit` for values we did not issue or cannot serve.
pub fn from_query(req: &Request) -> Result<PageRequest, ApiError> {
    let param = |name: &str| super::query_param(req, name);
    let cursor = match param("cursor") {
        None => None,
        Some(raw) => Some(
            Cursor::parse(&raw)
                .ok_or_else(|| DomainError::bad_request("invalid_cursor", "The cursor is not valid."))?,
        ),
    };
    let limit = page_size(param("limit").as_deref())
        .ok_or_else(|| DomainError::bad_request("invalid_limit", "limit must be 1 to 100."))?;
    Ok(PageRequest { cursor, limit })
}
