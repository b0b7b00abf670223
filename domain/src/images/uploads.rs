//! Stored reference images: admitting an upload before its bytes are stored (rate and quota), and deleting one.

use crate::account::api_key::retry_after_secs;
use crate::account::AccountId;
use crate::error::{DomainError, ErrorKind};
use crate::generation::{upload_quota_exceeded, MAX_UPLOADS_PER_USER};
use crate::time::UnixMillis;

/// Uploads one account may start per fixed minute, whatever the credential (browser session or API key): each
/// may stream up to the size cap into storage, so a signed-in browser is bounded as a key is.
pub const UPLOADS_PER_MINUTE: i64 = 30;

/// The `api_rate_windows` scope counting an account's uploads.
pub fn upload_rate_scope(account: &AccountId) -> String {
    format!("upl:{account}")
}

/// What D1 said before any byte is stored: this request's place in its minute, and the uploads the account keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadAdmission {
    pub window_count: i64,
    pub stored: i64,
    /// The request's Idempotency-Key already has an answer: it is replayed, not refused for the quota.
    pub key_answered: bool,
}

/// Refuses before the body is read: 429 `upload_rate_limited` (with `Retry-After`) over the minute's limit, 409
/// `upload_quota_exceeded` at the quota of live uploads. The insert checks the quota again (concurrent uploads).
pub fn admit_upload(admission: UploadAdmission, now: UnixMillis) -> Result<(), DomainError> {
    if admission.window_count > UPLOADS_PER_MINUTE {
        return Err(DomainError::new(
            ErrorKind::RateLimited,
            "upload_rate_limited",
            format!("An account may upload {UPLOADS_PER_MINUTE} images a minute."),
        )
        .with_retry_after(retry_after_secs(now)));
    }
    if admission.stored >= MAX_UPLOADS_PER_USER && !admission.key_answered {
        return Err(upload_quota_exceeded());
    }
    Ok(())
}

pub fn upload_not_found() -> DomainError {
    DomainError::new(ErrorKind::NotFound, "upload_not_found", "There is no such upload.")
}

/// What deleting an upload found, read in the batch that deleted it (or did not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadDeletion {
    Deleted,
    /// The caller's upload, kept: a generation that has not finished uses it (APIPod may still fetch it).
    InUse,
    /// Not the caller's, or no such upload: the same answer, so ids of others cannot be probed.
    Missing,
}

impl UploadDeletion {
    pub fn of(deleted: bool, in_use: bool) -> Self {
        match (deleted, in_use) {
            (true, _) => Self::Deleted,
            (false, true) => Self::InUse,
            (false, false) => Self::Missing,
        }
    }

    /// 404 `upload_not_found`, 409 `upload_in_use`.
    pub fn result(self) -> Result<(), DomainError> {
        match self {
            Self::Deleted => Ok(()),
            Self::InUse => Err(DomainError::new(
                ErrorKind::Conflict,
                "upload_in_use",
                "A generation that has not finished uses this image; delete it once that generation ends.",
            )),
            Self::Missing => Err(upload_not_found()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixMillis = UnixMillis(1_780_000_030_500);

    fn admission(window_count: i64, stored: i64, key_answered: bool) -> UploadAdmission {
        UploadAdmission { window_count, stored, key_answered }
    }

    #[test]
    fn an_upload_is_refused_over_the_minute_with_the_seconds_left() {
        assert!(admit_upload(admission(UPLOADS_PER_MINUTE, 0, false), NOW).is_ok());
        let refused = admit_upload(admission(UPLOADS_PER_MINUTE + 1, 0, false), NOW).unwrap_err();
        assert_eq!((refused.kind, refused.code.as_ref()), (ErrorKind::RateLimited, "upload_rate_limited"));
        assert_eq!(refused.retry_after_secs, Some(50));
        let over_both = admit_upload(admission(UPLOADS_PER_MINUTE + 1, MAX_UPLOADS_PER_USER, false), NOW).unwrap_err();
        assert_eq!(over_both.code, "upload_rate_limited", "the rate is told first: waiting is what helps");
    }

    #[test]
    fn the_quota_counts_what_is_stored_and_lets_a_replay_through() {
        assert!(admit_upload(admission(1, MAX_UPLOADS_PER_USER - 1, false), NOW).is_ok());
        let full = admit_upload(admission(1, MAX_UPLOADS_PER_USER, false), NOW).unwrap_err();
        assert_eq!((full.kind, full.code.as_ref()), (ErrorKind::Conflict, "upload_quota_exceeded"));
        assert!(admit_upload(admission(1, MAX_UPLOADS_PER_USER, true), NOW).is_ok(), "the first answer is replayed");
    }

    #[test]
    fn a_delete_is_done_kept_while_in_use_or_not_found() {
        assert_eq!(UploadDeletion::of(true, false).result(), Ok(()));
        assert_eq!(UploadDeletion::of(false, true).result().unwrap_err().code, "upload_in_use");
        assert_eq!(UploadDeletion::of(false, false).result().unwrap_err().code, "upload_not_found");
        assert_eq!(UploadDeletion::of(false, true).result().unwrap_err().kind, ErrorKind::Conflict);
    }

    #[test]
    fn uploads_are_counted_per_account() {
        let account = AccountId::parse("acc_0123456789abcdefghjkmnpqrs").unwrap();
        assert_eq!(upload_rate_scope(&account), "upl:acc_0123456789abcdefghjkmnpqrs");
    }
}
