//! What the audit log records an admin as having done.

/// Every admin action that changes something; each writes one audit entry in the same batch as the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SupportReply,
    SupportStatus,
    CreditAdjustment,
    BillingProblemDismissed,
    DeletionRetry,
}

impl AuditAction {
    pub const ALL: [Self; 5] = [
        Self::SupportReply,
        Self::SupportStatus,
        Self::CreditAdjustment,
        Self::BillingProblemDismissed,
        Self::DeletionRetry,
    ];

    /// The `action` column's text (admins filter and read the log by it, so it never changes).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SupportReply => "support_reply",
            Self::SupportStatus => "support_status",
            Self::CreditAdjustment => "credit_adjustment",
            Self::BillingProblemDismissed => "billing_problem_dismissed",
            Self::DeletionRetry => "deletion_retry",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn audit_actions_keep_the_names_the_log_already_holds() {
        let names: Vec<&str> = AuditAction::ALL.into_iter().map(AuditAction::as_str).collect();
        assert_eq!(
            names,
            ["support_reply", "support_status", "credit_adjustment", "billing_problem_dismissed", "deletion_retry"]
        );
    }
}
