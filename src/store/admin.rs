//! The admin's own records in D1: audit entries (written with the change they record), user lookup, credit
//! adjustments, failed generations and the audit log.

use gptimg_domain::account::AccountId;
use gptimg_domain::admin::AuditAction;
use gptimg_domain::billing::ledger::LedgerEntryId;
use gptimg_domain::ids::{AuditId, RandomSource};
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{int, sqlite_bool, text, Db, APPLY_LEDGER_ENTRY};

/// One admin action as the audit log records it.
pub struct AuditEntry {
    pub id: AuditId,
    pub admin_account_id: AccountId,
    pub action: AuditAction,
    pub target_id: String,
    pub details: Value,
}

impl AuditEntry {
    /// The one way an admin action's audit entry is made: a fresh id, who did what to which record, and why.
    pub fn new(
        random: &mut dyn RandomSource,
        admin: &AccountId,
        action: AuditAction,
        target_id: &str,
        details: Value,
    ) -> Self {
        Self {
            id: AuditId::generate(random),
            admin_account_id: admin.clone(),
            action,
            target_id: target_id.to_owned(),
            details,
        }
    }
}

/// The audit row of an admin action, written only if `guarded_insert`'s own condition on its target (`?4`) holds;
/// the SQL binds `id, admin_account_id, action, target_id, details, created_at` as `?1`..`?6`.
pub fn audit(
    db: &Db,
    guarded_insert: &str,
    entry: &AuditEntry,
    now: UnixMillis,
) -> worker::Result<worker::D1PreparedStatement> {
    db.prepare(guarded_insert).bind(&[
        text(&entry.id),
        text(&entry.admin_account_id),
        text(entry.action.as_str()),
        text(&entry.target_id),
        text(&entry.details.to_string()),
        int(now.0),
    ])
}

/// An account as the admin user search shows it (never its Stripe customer id).
#[derive(Debug, Deserialize, Serialize)]
pub struct UserRow {
    pub id: AccountId,
    pub email: String,
    pub name: String,
    pub credits: i64,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    pub terms_version: Option<String>,
    #[serde(deserialize_with = "sqlite_bool")]
    pub has_billing_account: bool,
}

/// Finds accounts by exact id or by email (case-insensitive substring), live ones only.
pub async fn find_users(db: &Db, query: &str) -> worker::Result<Vec<UserRow>> {
    db.all(
        db.prepare(
            "SELECT id, email, name, credits, created_at, last_sign_in_at, terms_version, \
         stripe_customer_id IS NOT NULL AS has_billing_account FROM accounts \
         WHERE deleted_at IS NULL AND deletion_started_at IS NULL AND (id = ?1 OR instr(lower(email), lower(?1)) > 0) \
         ORDER BY created_at DESC LIMIT 50",
        )
        .bind(&[text(query)])?,
    )
    .await?
    .results()
}

/// Adds (or removes, never below zero) credits with a ledger entry keyed by the audit entry. Returns the new
/// balance, or `None` if the account is missing or the change would go below zero.
pub async fn adjust_credits(
    db: &Db,
    ledger_entry_id: &LedgerEntryId,
    amount: i64,
    description: &str,
    entry: &AuditEntry,
    now: UnixMillis,
) -> worker::Result<Option<i64>> {
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, description, created_at) \
                 SELECT ?1, id, 'admin_adjustment', ?2, ?3, credits + ?3, ?4, ?5 FROM accounts \
                 WHERE id = ?6 AND deleted_at IS NULL AND credits + ?3 >= 0",
            )
            .bind(&[text(ledger_entry_id), text(&entry.id), int(amount), text(description), int(now.0), text(&entry.target_id)])?,
            db.prepare(APPLY_LEDGER_ENTRY)
                .bind(&[text(ledger_entry_id)])?,
            db.prepare(
                "INSERT INTO audit_log (id, admin_account_id, action, target_id, details, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM credit_ledger WHERE id = ?7)",
            )
            .bind(&[text(&entry.id), text(&entry.admin_account_id), text(entry.action.as_str()), text(&entry.target_id), text(&entry.details.to_string()), int(now.0), text(ledger_entry_id)])?,
            db.prepare("SELECT balance_after FROM credit_ledger WHERE id = ?1").bind(&[text(ledger_entry_id)])?,
        ])
        .await?;
    let row = results[3].results::<Value>()?.pop();
    Ok(row.and_then(|r| r.get("balance_after").and_then(Value::as_i64)))
}

/// A generation that failed, for the admin console.
#[derive(Debug, Deserialize, Serialize)]
pub struct FailedGeneration {
    pub id: String,
    pub account_id: String,
    pub model_id: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub apipod_task_id: Option<String>,
    pub cost: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

pub async fn failed_generations(db: &Db) -> worker::Result<Vec<FailedGeneration>> {
    db.all(db.prepare(
        "SELECT id, account_id, model_id, failure_code, failure_message, apipod_task_id, cost, created_at, finished_at \
         FROM generations WHERE status = 'failed' ORDER BY finished_at DESC LIMIT 100",
    ))
    .await?
    .results()
}

/// An audit log row; `details` stays the JSON text it was written as (the console shows it as is).
#[derive(Debug, Deserialize, Serialize)]
pub struct AuditRow {
    pub id: String,
    pub admin_account_id: String,
    pub action: String,
    pub target_id: String,
    pub details: Option<String>,
    pub created_at: i64,
}

pub async fn audit_log(db: &Db) -> worker::Result<Vec<AuditRow>> {
    db.all(db.prepare("SELECT id, admin_account_id, action, target_id, details, created_at FROM audit_log ORDER BY created_at DESC LIMIT 200"))
        .await?
        .results()
}
