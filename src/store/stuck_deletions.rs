//! Deletions an admin should see (refused for good, or failing again and again) and the admin's "try again".

use gptimg_domain::account::AccountId;
use gptimg_domain::admin::AuditAction;
use gptimg_domain::ids::AuditId;
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{int, json_column, text, Db};

/// A deletion an admin should see: refused for good, or failing again and again. No personal data is left.
#[derive(Debug, Deserialize, Serialize)]
pub struct StuckDeletion {
    pub id: AccountId,
    pub deletion_started_at: i64,
    pub deletion_attempts: i64,
    pub deletion_retry_at: Option<i64>,
    pub problem: Option<String>,
    /// The subscriptions it still has to cancel.
    #[serde(deserialize_with = "json_column")]
    pub live_subscriptions: Vec<String>,
}

const STUCK_DELETIONS: &str = concat!(
    "SELECT a.id, a.deletion_started_at, a.deletion_attempts, a.deletion_retry_at, a.deletion_problem AS problem, \
 (SELECT json_group_array(s.id) FROM subscriptions s WHERE s.account_id = a.id AND s.status IN ",
    gptimg_domain::cancel_on_deletion_statuses_sql!(),
    ") AS live_subscriptions FROM accounts a WHERE a.deletion_started_at IS NOT NULL AND a.deleted_at IS NULL \
 AND (a.deletion_problem IS NOT NULL OR a.deletion_attempts >= 5) ORDER BY a.deletion_started_at LIMIT 100"
);

pub async fn stuck_deletions(db: &Db) -> worker::Result<Vec<StuckDeletion>> {
    db.all(db.prepare(STUCK_DELETIONS)).await?.results()
}

/// An admin's "try again": clears the problem and the backoff, with its audit entry, in one batch. False if the
/// account has no unfinished deletion.
pub async fn retry_deletion(
    db: &Db,
    account_id: &AccountId,
    audit_id: &AuditId,
    admin_id: &AccountId,
    now: UnixMillis,
) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO audit_log (id, admin_account_id, action, target_id, details, created_at) \
             SELECT ?1, ?2, ?5, id, json_object('problem', deletion_problem, 'attempts', deletion_attempts), ?4 \
             FROM accounts WHERE id = ?3 AND deletion_started_at IS NOT NULL AND deleted_at IS NULL",
            )
            .bind(&[
                text(audit_id),
                text(admin_id),
                text(account_id),
                int(now.0),
                text(AuditAction::DeletionRetry.as_str()),
            ])?,
            db.prepare(
                "UPDATE accounts SET deletion_problem = NULL, deletion_retry_at = NULL, deletion_attempts = 0 \
             WHERE id = ?1 AND deletion_started_at IS NOT NULL AND deleted_at IS NULL RETURNING id",
            )
            .bind(&[text(account_id)])?,
        ])
        .await?;
    Ok(!results[1].results::<Value>()?.is_empty())
}
