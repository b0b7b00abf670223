//! Reading an account's credit history, newest first, by cursor.

use gptimg_domain::account::AccountId;
use gptimg_domain::ledger::{Cursor, LedgerEntryId, LedgerKind};
use serde::Deserialize;

use super::Db;

#[derive(Debug, Deserialize)]
pub struct LedgerEntry {
    pub id: LedgerEntryId,
    pub kind: LedgerKind,
    pub amount: i64,
    pub balance_after: i64,
    pub description: String,
    pub created_at: i64,
}

const PAGE: &str = "SELECT id, kind, amount, balance_after, description, created_at FROM credit_ledger \
 WHERE account_id = ?1 AND (created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
 ORDER BY created_at DESC, id DESC LIMIT ?4";

/// Up to `limit` entries after `cursor`, plus the cursor for the next page if there is one.
pub async fn page(
    db: &Db,
    account_id: &AccountId,
    cursor: Option<&Cursor>,
    limit: u32,
) -> worker::Result<(Vec<LedgerEntry>, Option<Cursor>)> {
    super::newest_first_page(db, PAGE, account_id.as_str(), cursor, limit, &[], |row: &LedgerEntry| Cursor {
        created_at: row.created_at,
        id: row.id.as_str().to_owned(),
    })
    .await
}
