//! The credit ledger's vocabulary: entry ids, the kinds of cause, and cursors for paging history.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

crate::resource_id!(
    /// One row of the credit ledger.
    LedgerEntryId,
    "led"
);

crate::resource_id!(
    /// One row of the payments history.
    PaymentId,
    "pay"
);

crate::serde_str::serde_as_str!(LedgerKind);

/// Why credits moved. With the cause's id it forms the ledger's UNIQUE key, so no cause counts twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerKind {
    /// The one-time welcome grant; cause: the account id.
    SignupGrant,
    /// A paid credit pack; cause: the Checkout Session id.
    PackPurchase,
    /// A paid subscription invoice; cause: the invoice id.
    SubscriptionCredits,
    /// Credits taken back after a refund or dispute; cause: `charge:amount_refunded` or the dispute id.
    Reclaim,
    /// A plan change mid-period that was charged: credits for the rest of the period; cause: the invoice id.
    PlanChange,
    /// Unused time credited back to the customer (a downgrade or an immediate cancellation): the unspent share of
    /// the period's credits taken back; cause: the invoice id.
    PlanCredit,
    /// What a dispute's reclaim took, given back when the dispute closes in our favour; cause: the dispute id.
    DisputeWon,
    /// The charge for a generation; cause: the generation id.
    GenerationDebit,
    /// The refund of a failed generation; cause: the generation id.
    GenerationRefund,
    /// A manual change by an admin; cause: the audit log entry id.
    AdminAdjustment,
    /// Unspent credits forfeited when the account is deleted; cause: the account id.
    AccountDeletion,
}

impl LedgerKind {
    pub const ALL: [Self; 11] = [
        Self::SignupGrant,
        Self::PackPurchase,
        Self::SubscriptionCredits,
        Self::Reclaim,
        Self::PlanChange,
        Self::PlanCredit,
        Self::DisputeWon,
        Self::GenerationDebit,
        Self::GenerationRefund,
        Self::AdminAdjustment,
        Self::AccountDeletion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignupGrant => "signup_grant",
            Self::PackPurchase => "pack_purchase",
            Self::SubscriptionCredits => "subscription_credits",
            Self::Reclaim => "reclaim",
            Self::PlanChange => "plan_change",
            Self::PlanCredit => "plan_credit",
            Self::DisputeWon => "dispute_won",
            Self::GenerationDebit => "generation_debit",
            Self::GenerationRefund => "generation_refund",
            Self::AdminAdjustment => "admin_adjustment",
            Self::AccountDeletion => "account_deletion",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// `subject` names what the entry is about: a plan, or a model for generations.
    pub fn description(self, plan_name: &str) -> String {
        match self {
            Self::SignupGrant => "Welcome credits".to_owned(),
            Self::PackPurchase => format!("Bought {plan_name}"),
            Self::SubscriptionCredits => format!("{plan_name} subscription credits"),
            Self::Reclaim => format!("Taken back after a refund or dispute of {plan_name}"),
            Self::PlanChange => format!("Changed to {plan_name}: credits for the rest of the period"),
            Self::PlanCredit => format!("Unused time of {plan_name} credited back: its share of the credits"),
            Self::DisputeWon => format!("Given back: the dispute of {plan_name} was closed in your favour"),
            Self::GenerationDebit => format!("Image generation with {plan_name}"),
            Self::GenerationRefund => format!("Refund for a failed generation with {plan_name}"),
            // The admin's reason is for the audit log only: it may name an incident, a ticket or a colleague.
            Self::AdminAdjustment => "Adjusted by support".to_owned(),
            Self::AccountDeletion => "Unspent credits closed with the account".to_owned(),
        }
    }
}

/// Position in a newest-first listing: the last row's time and id, opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.created_at, self.id))
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
        let (created_at, id) = decoded.split_once(':')?;
        let id_ok = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let created_at = created_at.parse().ok()?;
        id_ok.then(|| Self { created_at, id: id.to_owned() })
    }
}

/// Page sizes: clients may ask for 1 to 100; the default is 20.
pub fn page_size(requested: Option<&str>) -> Option<u32> {
    match requested {
        None => Some(20),
        Some(raw) => raw.parse::<u32>().ok().filter(|n| (1..=100).contains(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let cursor = Cursor { created_at: 1_700_000_000_123, id: "led_0123456789abcdefghjkmnpqrs".into() };
        assert_eq!(Cursor::parse(&cursor.encode()), Some(cursor));
        for junk in [
            "",
            "!!!",
            &URL_SAFE_NO_PAD.encode("nocolon"),
            &URL_SAFE_NO_PAD.encode("x:led_1"),
            &URL_SAFE_NO_PAD.encode("1:'; DROP"),
        ] {
            assert_eq!(Cursor::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(None), Some(20));
        assert_eq!(page_size(Some("100")), Some(100));
        assert_eq!(page_size(Some("0")), None);
        assert_eq!(page_size(Some("101")), None);
        assert_eq!(page_size(Some("ten")), None);
    }

    #[test]
    fn kinds_read_and_write_as_the_ledgers_column_spells_them() {
        for kind in LedgerKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(serde_json::from_value::<LedgerKind>(kind.as_str().into()).unwrap(), kind);
        }
        assert!(serde_json::from_value::<LedgerKind>("bonus".into()).is_err());
        let id: LedgerEntryId = serde_json::from_str(r#""led_0123456789abcdefghjkmnpqrs""#).unwrap();
        assert_eq!(id.as_str(), "led_0123456789abcdefghjkmnpqrs");
        assert!(serde_json::from_str::<LedgerEntryId>(r#""gen_0123456789abcdefghjkmnpqrs""#).is_err());
    }

    #[test]
    fn descriptions_name_the_plan() {
        assert_eq!(LedgerKind::PackPurchase.description("100 credits"), "Bought 100 credits");
    }

    #[test]
    fn an_admin_adjustment_never_shows_its_reason_to_the_user() {
        assert_eq!(LedgerKind::AdminAdjustment.description("Goodwill for INC-42, per Bob"), "Adjusted by support");
    }
}
