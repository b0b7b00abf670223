//! Stripe subscription statuses as a type, and the two questions asked of them: is it the account's current
//! subscription (`is_live`), and must deleting the account cancel it (`must_cancel_on_deletion`).

/// Every status Stripe documents for a Subscription (API reference, Subscription object, `status`: incomplete,
/// incomplete_expired, trialing, active, past_due, canceled, unpaid, paused), plus `Unknown` for one added after
/// this code was written. D1 stores Stripe's raw text (a new status is kept verbatim, not renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Canceled,
    Unpaid,
    Paused,
    /// Not a status we know: never live (a second subscription may be bought), not cancelled at deletion (as with
    /// an ended one), ranked with `active` for same-second ties. A new Stripe status must be added here on purpose.
    Unknown,
}

impl SubscriptionStatus {
    /// Every known status, in the order of a subscription's life.
    pub const ALL: [Self; 8] = [
        Self::Incomplete,
        Self::Trialing,
        Self::Active,
        Self::PastDue,
        Self::Unpaid,
        Self::Paused,
        Self::IncompleteExpired,
        Self::Canceled,
    ];

    pub fn parse(raw: &str) -> Self {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).unwrap_or(Self::Unknown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::IncompleteExpired => "incomplete_expired",
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Canceled => "canceled",
            Self::Unpaid => "unpaid",
            Self::Paused => "paused",
            Self::Unknown => "unknown",
        }
    }

    /// The account's current subscription: it bills (or is trying to), so the account page shows it as current
    /// and a second subscription cannot be bought. `incomplete` (first payment never made) and `paused` (not
    /// billing) are not; neither are ended ones.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Active | Self::Trialing | Self::PastDue | Self::Unpaid)
    }

    /// What deleting an account must cancel with Stripe: everything Stripe could still bill later. That is every
    /// live subscription and also `incomplete` (its first invoice can still be paid within 23 hours) and `paused`
    /// (it resumes billing when unpaused) — wider than `is_live` on purpose.
    pub fn must_cancel_on_deletion(self) -> bool {
        self.is_live() || matches!(self, Self::Incomplete | Self::Paused)
    }

    /// Ties between events of the same second go to the later stage of a subscription's life, so `canceled` is
    /// never undone by a same-second `active`.
    pub fn rank(self) -> i64 {
        match self {
            Self::Incomplete => 0,
            Self::Trialing | Self::Active | Self::Unknown => 1,
            Self::PastDue | Self::Unpaid | Self::Paused => 2,
            Self::IncompleteExpired | Self::Canceled => 3,
        }
    }

    /// The statuses `keep` selects, as an SQL list literal: `('a', 'b')`.
    pub fn sql_list(keep: fn(Self) -> bool) -> String {
        let quoted: Vec<String> =
            Self::ALL.into_iter().filter(|s| keep(*s)).map(|s| format!("'{}'", s.as_str())).collect();
        format!("({})", quoted.join(", "))
    }
}

/// `SubscriptionStatus::is_live` as an SQL list literal, for `concat!` (a test keeps it equal to the enum's).
#[macro_export]
macro_rules! live_subscription_statuses_sql {
    () => {
        "('trialing', 'active', 'past_due', 'unpaid')"
    };
}

/// `SubscriptionStatus::must_cancel_on_deletion` as an SQL list literal, for `concat!` (tested against the enum).
#[macro_export]
macro_rules! cancel_on_deletion_statuses_sql {
    () => {
        "('incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'paused')"
    };
}

#[cfg(test)]
mod tests {
    use super::SubscriptionStatus as S;

    #[test]
    fn every_documented_status_parses_back_and_anything_else_is_unknown() {
        let documented =
            ["incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused"];
        for raw in documented {
            assert_eq!(S::parse(raw).as_str(), raw);
            assert_ne!(S::parse(raw), S::Unknown);
        }
        assert_eq!(S::ALL.len(), documented.len());
        assert_eq!(S::parse("Active"), S::Unknown);
        assert_eq!(S::parse("unknown"), S::Unknown);
        assert_eq!(S::parse(""), S::Unknown);
    }

    #[test]
    fn live_means_billing_now() {
        let live: Vec<&str> = S::ALL.into_iter().filter(|s| s.is_live()).map(S::as_str).collect();
        assert_eq!(live, ["trialing", "active", "past_due", "unpaid"]);
        assert!(!S::Unknown.is_live());
    }

    #[test]
    fn deletion_cancels_everything_stripe_could_still_bill_which_is_more_than_live() {
        let cancel: Vec<&str> = S::ALL.into_iter().filter(|s| s.must_cancel_on_deletion()).map(S::as_str).collect();
        assert_eq!(cancel, ["incomplete", "trialing", "active", "past_due", "unpaid", "paused"]);
        assert!(S::ALL.into_iter().all(|s| !s.is_live() || s.must_cancel_on_deletion()), "live implies cancelled");
        for not_live_but_billable in [S::Incomplete, S::Paused] {
            assert!(!not_live_but_billable.is_live() && not_live_but_billable.must_cancel_on_deletion());
        }
        for ended in [S::Canceled, S::IncompleteExpired, S::Unknown] {
            assert!(!ended.must_cancel_on_deletion());
        }
    }

    #[test]
    fn the_sql_lists_are_the_enums_classifications() {
        assert_eq!(crate::live_subscription_statuses_sql!(), S::sql_list(S::is_live));
        assert_eq!(crate::cancel_on_deletion_statuses_sql!(), S::sql_list(S::must_cancel_on_deletion));
    }

    #[test]
    fn ranks_follow_a_subscriptions_life() {
        assert!(S::Incomplete.rank() < S::Active.rank());
        assert_eq!(S::Trialing.rank(), S::Active.rank());
        assert!(S::Active.rank() < S::PastDue.rank());
        assert_eq!(S::PastDue.rank(), S::Paused.rank());
        assert!(S::Unpaid.rank() < S::Canceled.rank());
        assert_eq!(S::IncompleteExpired.rank(), S::Canceled.rank());
        assert_eq!(S::Unknown.rank(), S::Active.rank());
    }
}
