//! The credit ledger's vocabulary: entry ids, the kinds of cause, and how each is described to users.

crate::resource_id!(
    /// One row of the credit ledger.
    LedgerEntryId,
    "led"
);

/// Why credits moved. With the cause's id it forms the ledger's UNIQUE key, so no cause counts twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerKind {
    /// The one-time welcome grant; its cause id is the account id.
    SignupGrant,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignupGrant => "signup_grant",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::SignupGrant => "Welcome credits",
        }
    }
}
