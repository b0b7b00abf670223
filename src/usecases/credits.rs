//! The credit history: one account's ledger entries, newest first, a page at a time.

use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::Cursor;

use super::error::CoreError;
pub use crate::store::ledger::LedgerEntry;
use crate::store::{ledger, Db};

/// A page of entries after `cursor`, and the cursor of the next page if there is one.
pub async fn history(
    db: &Db,
    account: &AccountId,
    cursor: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<LedgerEntry>, Option<Cursor>), CoreError> {
    Ok(ledger::page(db, account, cursor, limit).await?)
}
