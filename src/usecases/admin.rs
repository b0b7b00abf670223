//! What an admin may change: answer support, set a message's status, adjust credits, dismiss a billing problem,
//! retry a stuck deletion. Each change and its audit entry are written in one batch.

use gptimg_domain::account::AccountId;
use gptimg_domain::admin::AuditAction;
use gptimg_domain::admin::{validate_adjustment, CreditAdjustment};
use gptimg_domain::billing::ledger::{LedgerEntryId, LedgerKind};
use gptimg_domain::billing::problem::validate_dismissal;
use gptimg_domain::ids::{AuditId, RandomSource, SupportReplyId};
use gptimg_domain::support::{validate_reply, SupportStatus};
use gptimg_domain::time::UnixMillis;
use gptimg_domain::DomainError;
use serde_json::json;

use super::error::CoreError;
use crate::store::admin::{self as store, AuditEntry};
pub use crate::store::admin::{AuditRow, FailedGeneration, UserRow};
pub use crate::store::billing_problems::ProblemRow;
pub use crate::store::stuck_deletions::StuckDeletion;
use crate::store::support;
pub use crate::store::support::MessageRow;
use crate::store::{billing_problems, stuck_deletions as stuck, Db};

/// The support inbox, optionally of one status.
pub async fn support_inbox(db: &Db, status: Option<SupportStatus>) -> Result<Vec<MessageRow>, CoreError> {
    Ok(support::inbox(db, status).await?)
}

/// Accounts matching the console's search.
pub async fn find_users(db: &Db, query: &str) -> Result<Vec<UserRow>, CoreError> {
    Ok(store::find_users(db, query).await?)
}

pub async fn failed_generations(db: &Db) -> Result<Vec<FailedGeneration>, CoreError> {
    Ok(store::failed_generations(db).await?)
}

/// Billing problems, only the open ones if `open_only`.
pub async fn billing_problems(db: &Db, open_only: bool) -> Result<Vec<ProblemRow>, CoreError> {
    Ok(billing_problems::list(db, open_only).await?)
}

pub async fn stuck_deletions(db: &Db) -> Result<Vec<StuckDeletion>, CoreError> {
    Ok(stuck::stuck_deletions(db).await?)
}

pub async fn audit_log(db: &Db) -> Result<Vec<AuditRow>, CoreError> {
    Ok(store::audit_log(db).await?)
}

fn no_such_message() -> CoreError {
    CoreError::not_found("not_found", "There is no such record.")
}

/// Replies to a support message (marking it answered).
pub async fn reply_to_message(
    db: &Db,
    admin: &AccountId,
    message_id: &str,
    body: &str,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<SupportReplyId, CoreError> {
    let text = validate_reply(body)?;
    let details = json!({ "reply_length": text.chars().count() });
    let entry = AuditEntry::new(random, admin, AuditAction::SupportReply, message_id, details);
    let reply_id = SupportReplyId::generate(random);
    if !support::reply(db, &reply_id, &text, &entry, now).await? {
        return Err(no_such_message());
    }
    Ok(reply_id)
}

pub async fn set_message_status(
    db: &Db,
    admin: &AccountId,
    message_id: &str,
    status: SupportStatus,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<(), CoreError> {
    let entry = AuditEntry::new(random, admin, AuditAction::SupportStatus, message_id, json!({ "status": status }));
    if !support::set_status(db, status, &entry, now).await? {
        return Err(no_such_message());
    }
    Ok(())
}

/// Adds or removes credits with a reason; returns the new balance and the audit entry's id.
pub async fn adjust_credits(
    db: &Db,
    admin: &AccountId,
    account_id: &str,
    request: &CreditAdjustment,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<(i64, AuditId), CoreError> {
    let (amount, reason) = validate_adjustment(request)?;
    let refused = || {
        DomainError::invalid("adjustment_refused", "No such account, or the change would take the balance below zero.")
    };
    let details = json!({ "amount": amount, "reason": reason });
    let entry = AuditEntry::new(random, admin, AuditAction::CreditAdjustment, account_id, details);
    let ledger = LedgerEntryId::generate(random);
    let description = LedgerKind::AdminAdjustment.description("");
    let balance = store::adjust_credits(db, &ledger, amount, &description, &entry, now).await?.ok_or_else(refused)?;
    Ok((balance, entry.id))
}

/// Settles an open billing problem by hand; its later deliveries are acknowledged.
pub async fn dismiss_problem(
    db: &Db,
    admin: &AccountId,
    event_id: &str,
    reason: &str,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<AuditId, CoreError> {
    let reason = validate_dismissal(reason)?;
    let entry =
        AuditEntry::new(random, admin, AuditAction::BillingProblemDismissed, event_id, json!({ "reason": reason }));
    if !billing_problems::dismiss(db, &entry, now).await? {
        return Err(CoreError::not_found("not_found", "There is no such open billing problem."));
    }
    Ok(entry.id)
}

/// Clears a stuck deletion's problem and backoff so the next cron run tries again.
pub async fn retry_deletion(
    db: &Db,
    admin: &AccountId,
    account_id: &str,
    now: UnixMillis,
    random: &mut dyn RandomSource,
) -> Result<AuditId, CoreError> {
    let missing = || CoreError::not_found("not_found", "There is no unfinished deletion for this account.");
    let account_id = AccountId::parse(account_id).ok_or_else(missing)?;
    let audit = AuditId::generate(random);
    if !stuck::retry_deletion(db, &account_id, &audit, admin, now).await? {
        return Err(missing());
    }
    Ok(audit)
}
