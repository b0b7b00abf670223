//! Deleting an account: the typed confirmation that makes it deliberate, and how the erasure that follows the
//! first batch is bounded so that it always finishes, however large the account, and when an interrupted one is
//! tried again.

use crate::error::DomainError;

/// Rows of each kind one erasure chunk removes (generations with their images, uploads, stored answers, support
/// messages, ledger texts). A chunk is one D1 batch whose every statement is bounded by this `LIMIT` and binds a
/// handful of parameters: far inside D1's per-statement, per-batch and per-query-time limits.
pub const ERASE_ROWS_PER_CHUNK: i64 = 500;
/// Chunks the deletion request runs before it answers: a usual account is erased before the 204.
pub const ERASE_CHUNKS_IN_REQUEST: u32 = 12;
/// Chunks run right after the response (inside `waitUntil`'s 30 seconds) when the request did not finish.
pub const ERASE_CHUNKS_AFTER_RESPONSE: u32 = 40;
/// Chunks one cron run spends on erasures, shared by the accounts it resumes (each chunk is one subrequest).
pub const ERASE_CHUNKS_PER_SWEEP: u32 = 200;
/// Accounts whose erasure one cron run resumes, oldest deletion first.
pub const ERASURES_PER_SWEEP: i64 = 5;
/// What an admin adjustment's ledger line says once its account is deleted: the adjustment's free text is gone.
pub const ERASED_ADJUSTMENT_TEXT: &str = "Adjusted by support";

// A chunk is one subrequest: a cron run keeps room for its other work within the 1000 of an invocation, and a
// chunk writes a few rows per generation (its images, their R2 keys): thousands, never more.
const _: () = assert!(ERASE_CHUNKS_PER_SWEEP < 1000 / 2);
const _: () = assert!(ERASE_CHUNKS_IN_REQUEST < ERASE_CHUNKS_AFTER_RESPONSE);
const _: () = assert!(ERASE_ROWS_PER_CHUNK * 6 <= 5_000);

/// How far an erasure pass got within its chunk budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasePass {
    /// No personal row is left in D1.
    Done,
    /// Rows are left; the next pass (after the response, or the cron) goes on.
    Unfinished,
}

impl ErasePass {
    /// After one chunk: done once it found nothing left; another chunk while the pass has budget for one.
    pub fn after_chunk(rows_left: bool) -> Self {
        if rows_left {
            Self::Unfinished
        } else {
            Self::Done
        }
    }
}

/// A deletion is finished (the account marked deleted) only when its data is erased from D1 and R2 and every
/// subscription Stripe could still bill has been cancelled.
pub fn deletion_finished(erased: bool, subscriptions_cancelled: bool) -> bool {
    erased && subscriptions_cancelled
}

/// The word the user types to confirm.
pub const CONFIRMATION_WORD: &str = "DELETE";

/// `DELETE /api/me`'s body.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub confirm: String,
}

/// Only the exact word confirms (not trimmed, not case-folded): a deletion cannot be undone.
pub fn confirm_deletion(request: &DeleteRequest) -> Result<(), DomainError> {
    if request.confirm != CONFIRMATION_WORD {
        return Err(DomainError::invalid(
            "confirmation_required",
            "Type DELETE to confirm that you want your account deleted.",
        ));
    }
    Ok(())
}

/// A deletion whose Stripe cancellation failed for a passing reason waits this long before the first retry,
/// doubling per failed attempt up to `DELETION_RETRY_MAX_SECS`: a Stripe outage is not hammered every minute.
pub const DELETION_RETRY_FIRST_SECS: i64 = 60;
pub const DELETION_RETRY_MAX_SECS: i64 = 6 * 60 * 60;
/// At most this many interrupted deletions are resumed per cron run (each costs a few subrequests per
/// subscription and per 1000 R2 objects; see `limits`).
pub const DELETIONS_PER_SWEEP: i64 = 5;

/// When to try a deletion again after `failed_attempts` transient failures (1 = the first failure).
pub fn deletion_retry_delay_secs(failed_attempts: u32) -> i64 {
    let doublings = failed_attempts.saturating_sub(1).min(20);
    (DELETION_RETRY_FIRST_SECS << doublings).min(DELETION_RETRY_MAX_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confirm(word: &str) -> Result<(), DomainError> {
        confirm_deletion(&DeleteRequest { confirm: word.to_owned() })
    }

    #[test]
    fn only_the_exact_word_confirms() {
        assert!(confirm("DELETE").is_ok());
        for wrong in ["", "delete", "Delete", " DELETE", "DELETE ", "yes"] {
            assert_eq!(confirm(wrong).unwrap_err().code, "confirmation_required", "{wrong:?}");
        }
    }

    #[test]
    fn a_deletion_finishes_only_erased_and_with_nothing_left_to_bill() {
        assert!(deletion_finished(true, true));
        assert!(!deletion_finished(false, true));
        assert!(!deletion_finished(true, false));
        assert_eq!(ErasePass::after_chunk(true), ErasePass::Unfinished);
        assert_eq!(ErasePass::after_chunk(false), ErasePass::Done);
    }

    #[test]
    fn failed_deletions_back_off_from_a_minute_to_six_hours() {
        assert_eq!(deletion_retry_delay_secs(1), 60);
        assert_eq!(deletion_retry_delay_secs(2), 120);
        assert_eq!(deletion_retry_delay_secs(3), 240);
        assert_eq!(deletion_retry_delay_secs(9), 15_360);
        assert_eq!(deletion_retry_delay_secs(10), DELETION_RETRY_MAX_SECS);
        assert_eq!(deletion_retry_delay_secs(u32::MAX), DELETION_RETRY_MAX_SECS);
        assert_eq!(deletion_retry_delay_secs(0), 60, "a zero count is treated as the first failure");
    }
}
