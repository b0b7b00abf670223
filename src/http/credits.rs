//! `GET /api/credits/ledger`: the signed-in user's credit history, newest first, cursor paged.

use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::paging;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::store::ledger;

pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let page = paging::from_query(req)?;
    let (entries, next) = ledger::page(&ctx.db()?, &user.account.id, page.cursor.as_ref(), page.limit).await?;
    Ok(private_json(&json!({ "entries": entries, "next_cursor": next.map(|c| c.encode()) }))?)
}
