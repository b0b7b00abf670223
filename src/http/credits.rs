//! `GET /api/credits/ledger`: the signed-in user's credit history, newest first, cursor paged.

use gptimg_domain::billing::ledger::{LedgerEntryId, LedgerKind};
use serde::Serialize;
use worker::{Request, Response};

use super::error::ApiError;
use super::paging;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::usecases::credits::{self, LedgerEntry};

#[derive(Serialize)]
struct EntryView<'a> {
    id: &'a LedgerEntryId,
    kind: LedgerKind,
    amount: i64,
    balance_after: i64,
    description: &'a str,
    created_at: i64,
}

#[derive(Serialize)]
struct LedgerPage<'a> {
    entries: Vec<EntryView<'a>>,
    next_cursor: Option<String>,
}

impl<'a> From<&'a LedgerEntry> for EntryView<'a> {
    fn from(e: &'a LedgerEntry) -> Self {
        Self {
            id: &e.id,
            kind: e.kind,
            amount: e.amount,
            balance_after: e.balance_after,
            description: &e.description,
            created_at: e.created_at,
        }
    }
}

pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let account = current_user(req, ctx).await?.account.id;
    let page = paging::from_query(req)?;
    let (entries, next) = credits::history(&ctx.db()?, &account, page.cursor.as_ref(), page.limit).await?;
    let entries = entries.iter().map(EntryView::from).collect();
    Ok(private_json(&LedgerPage { entries, next_cursor: next.map(|c| c.encode()) })?)
}
