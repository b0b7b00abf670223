//! The credit ledger: an account's history, newest first, by cursor; and how entries that may pay or leave a
//! debt change the balance.

use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::{Cursor, LedgerEntryId, LedgerKind};
use serde::Deserialize;

use gptimg_domain::time::UnixMillis;
use worker::D1PreparedStatement;

use super::event_record::EventRecord;
use super::{int, text, Db};

/// `balance_after, debt_after` of an entry moving the net balance (`a.credits - a.credit_debt`) by `$amount`:
/// credits stay >= 0 and what is missing is the debt. Credits in pay the debt first; a take-back beyond the
/// credits left is recorded as debt. (A generation's debit never uses this: it is guarded by `credits >= cost`.)
macro_rules! net_after {
    ($amount:literal) => {
        concat!("MAX(a.credits - a.credit_debt + ", $amount, ", 0), MAX(a.credit_debt - a.credits - ", $amount, ", 0)")
    };
}
pub(crate) use net_after;

/// Sets the account's credits and debt to what the entry ?1 recorded (`net_after`); nothing if it was not written.
pub const APPLY_NET_ENTRY: &str = "UPDATE accounts SET credits = (SELECT balance_after FROM credit_ledger WHERE id = ?1), \
 credit_debt = (SELECT debt_after FROM credit_ledger WHERE id = ?1) WHERE id = (SELECT account_id FROM credit_ledger WHERE id = ?1)";

// A debt is a billing problem the operator sees (the event itself was applied: `event_id:debt`, so the event's own
// record never reads it as needing attention).
const DEBT_PROBLEM: &str =
    "INSERT INTO billing_problems (event_id, event_type, reason, facts, first_seen_at, last_seen_at) \
 SELECT ?2 || ':debt', ?3, 'account_in_debt', json_object('account_id', account_id, 'debt', debt_after, \
 'balance', balance_after - debt_after, 'ledger_entry', id, 'kind', kind, 'cause', source_id), ?4, ?4 \
 FROM credit_ledger WHERE id = ?1 AND debt_after > 0 ON CONFLICT (event_id) DO NOTHING";

/// The problem an entry leaves when it put (or kept) its account in debt.
pub fn debt_problem(db: &Db, entry_id: &str, event: &EventRecord<'_>) -> worker::Result<D1PreparedStatement> {
    db.prepare(DEBT_PROBLEM).bind(&[text(entry_id), text(event.id), text(event.event_type), int(event.now.0)])
}

const SETTLE_DEBT_PROBLEMS: &str = "UPDATE billing_problems SET resolved_at = ?2, resolution = 'applied' \
 WHERE reason = 'account_in_debt' AND resolved_at IS NULL \
 AND json_extract(facts, '$.account_id') = (SELECT account_id FROM credit_ledger WHERE id = ?1 AND debt_after = 0)";

/// Once an entry leaves its account without debt, the account's open debt problems are settled.
pub fn settle_debt_problems(db: &Db, entry_id: &str, now: UnixMillis) -> worker::Result<D1PreparedStatement> {
    db.prepare(SETTLE_DEBT_PROBLEMS).bind(&[text(entry_id), int(now.0)])
}

#[derive(Debug, Deserialize)]
pub struct LedgerEntry {
    pub id: LedgerEntryId,
    pub kind: LedgerKind,
    pub amount: i64,
    pub balance_after: i64,
    pub description: String,
    pub created_at: i64,
}

// The balance an entry left is its credits less its debt: negative while the account was in debt.
const PAGE: &str =
    "SELECT id, kind, amount, balance_after - debt_after AS balance_after, description, created_at FROM credit_ledger \
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
