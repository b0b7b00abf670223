//! The admin console's rules: what the audit log records an admin as having done, which lookups it accepts, and
//! the bounds of a manual credit adjustment.

use crate::error::DomainError;
use crate::text::bounded_text;

/// A user search needs at least this many characters (after trimming), so it never lists everyone.
pub const MIN_USER_QUERY_CHARS: usize = 2;

/// The trimmed user search, or 400 `query_too_short`.
pub fn user_query(raw: Option<&str>) -> Result<&str, DomainError> {
    raw.map(str::trim)
        .filter(|q| q.len() >= MIN_USER_QUERY_CHARS)
        .ok_or_else(|| DomainError::bad_request("query_too_short", "Search with at least 2 characters."))
}

/// `?status=` of the billing problems list: `open` (the default) lists only open problems, `all` every one.
pub fn open_problems_only(status: Option<&str>) -> Result<bool, DomainError> {
    match status {
        None | Some("open") => Ok(true),
        Some("all") => Ok(false),
        Some(_) => Err(DomainError::bad_request("invalid_status", "Use status=open or status=all.")),
    }
}

/// Every admin action that changes something; each writes one audit entry in the same batch as the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SupportReply,
    SupportStatus,
    CreditAdjustment,
    BillingProblemDismissed,
    DeletionRetry,
    /// A shared image put on the landing page, or taken off it.
    ImageFeatured,
    ImageUnfeatured,
}

impl AuditAction {
    pub const ALL: [Self; 7] = [
        Self::SupportReply,
        Self::SupportStatus,
        Self::CreditAdjustment,
        Self::BillingProblemDismissed,
        Self::DeletionRetry,
        Self::ImageFeatured,
        Self::ImageUnfeatured,
    ];

    /// The `action` column's text (admins filter and read the log by it, so it never changes).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SupportReply => "support_reply",
            Self::SupportStatus => "support_status",
            Self::CreditAdjustment => "credit_adjustment",
            Self::BillingProblemDismissed => "billing_problem_dismissed",
            Self::DeletionRetry => "deletion_retry",
            Self::ImageFeatured => "image_featured",
            Self::ImageUnfeatured => "image_unfeatured",
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditAdjustment {
    pub amount: i64,
    pub reason: String,
}

/// A manual credit change: non-zero, at most 100000 either way, with a reason for the audit log.
pub fn validate_adjustment(request: &CreditAdjustment) -> Result<(i64, String), DomainError> {
    if request.amount == 0 || request.amount.abs() > 100_000 {
        return Err(DomainError::invalid(
            "invalid_amount",
            "The amount must be a non-zero number of credits up to 100000.",
        ));
    }
    Ok((request.amount, bounded_text(&request.reason, 500, "reason", "reason_empty", "reason_too_long")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_search_is_trimmed_and_needs_two_characters() {
        assert_eq!(user_query(Some("  ada@ ")).unwrap(), "ada@");
        assert_eq!(user_query(Some("ab")).unwrap(), "ab");
        for short in [None, Some(""), Some("a"), Some("  a  ")] {
            assert_eq!(user_query(short).unwrap_err().code, "query_too_short", "{short:?}");
        }
    }

    #[test]
    fn the_problem_list_is_open_ones_unless_all_are_asked_for() {
        assert!(open_problems_only(None).unwrap());
        assert!(open_problems_only(Some("open")).unwrap());
        assert!(!open_problems_only(Some("all")).unwrap());
        assert_eq!(open_problems_only(Some("closed")).unwrap_err().code, "invalid_status");
    }

    #[test]
    fn audit_actions_keep_the_names_the_log_already_holds() {
        let names: Vec<&str> = AuditAction::ALL.into_iter().map(AuditAction::as_str).collect();
        assert_eq!(
            names,
            [
                "support_reply",
                "support_status",
                "credit_adjustment",
                "billing_problem_dismissed",
                "deletion_retry",
                "image_featured",
                "image_unfeatured"
            ]
        );
    }

    #[test]
    fn adjustments_are_bounded_and_explained() {
        assert_eq!(
            validate_adjustment(&CreditAdjustment { amount: -5, reason: " goodwill ".into() }).unwrap(),
            (-5, "goodwill".into())
        );
        assert_eq!(
            validate_adjustment(&CreditAdjustment { amount: 0, reason: "x".into() }).unwrap_err().code,
            "invalid_amount"
        );
        assert_eq!(
            validate_adjustment(&CreditAdjustment { amount: 100_001, reason: "x".into() }).unwrap_err().code,
            "invalid_amount"
        );
        assert_eq!(
            validate_adjustment(&CreditAdjustment { amount: 5, reason: " ".into() }).unwrap_err().code,
            "reason_empty"
        );
    }
}
