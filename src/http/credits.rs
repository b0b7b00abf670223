//! `GET /api/credits/ledger`: the signed-in user's credit history, newest first, cursor paged.

use gptimg_domain::ledger::{page_size, Cursor};
use gptimg_domain::DomainError;
use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::me::private_json;
use super::session::current_user;
use super::RequestContext;
use crate::store::ledger;

pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let url = req.url()?;
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let cursor = match param("cursor") {
        None => None,
        Some(raw) => Some(
            Cursor::parse(&raw)
                .ok_or_else(|| DomainError::bad_request("invalid_cursor", "The cursor is not valid."))?,
        ),
    };
    let limit = page_size(param("limit").as_deref())
        .ok_or_else(|| DomainError::bad_request("invalid_limit", "limit must be 1 to 100."))?;
    let (entries, next) = ledger::page(&ctx.db()?, &user.account.id, cursor.as_ref(), limit).await?;
    Ok(private_json(&json!({ "entries": entries, "next_cursor": next.map(|c| c.encode()) }))?)
}
