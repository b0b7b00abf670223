//! Reading an account's credit history, newest first, by cursor.

use gptimg_domain::ledger::Cursor;
use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;

use super::{int, text, Db};

#[derive(Debug, Deserialize, Serialize)]
pub struct LedgerEntry {
    pub id: String,
    pub kind: String,
    pub amount: i64,
    pub balance_after: i64,
    pub description: String,
    pub created_at: i64,
}

const PAGE: &str = "SELECT id, kind, amount, balance_after, description, created_at FROM credit_ledger \
 WHERE account_id = ?1 AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
 ORDER BY created_at DESC, id DESC LIMIT ?4";

/// Up to `limit` entries after `cursor`, plus the cursor for the next page if there is one.
pub async fn page(
    db: &Db,
    account_id: &str,
    cursor: Option<&Cursor>,
    limit: u32,
) -> worker::Result<(Vec<LedgerEntry>, Option<Cursor>)> {
    let (after_time, after_id) = cursor.map_or((JsValue::NULL, text("")), |c| (int(c.created_at), text(&c.id)));
    let statement = db.prepare(PAGE).bind(&[text(account_id), after_time, after_id, int(i64::from(limit) + 1)])?;
    let mut entries: Vec<LedgerEntry> = statement.all().await?.results()?;
    let next = (entries.len() > limit as usize).then(|| {
        entries.truncate(limit as usize);
        entries.last().map(|e| Cursor { created_at: e.created_at, id: e.id.clone() })
    });
    Ok((entries, next.flatten()))
}
