//! Privacy and support rules: terms and age consent, support messages, admin credit adjustments, retention.

use crate::email::EmailAddress;
use crate::error::{DomainError, ErrorKind};

/// The terms the site currently asks users to accept (the policy's "Last updated" date).
pub const TERMS_VERSION: &str = "2026-04-22";

/// Sessions are kept this long after they expire or are revoked, then purged.
pub const SESSION_RETENTION_SECS: i64 = 7 * 24 * 60 * 60;
/// Reference uploads never used in a generation are purged after this long.
pub const UNUSED_UPLOAD_RETENTION_SECS: i64 = 30 * 24 * 60 * 60;
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

/// The export's signed links to uploads and images work this long (a fresh export gives fresh ones).
pub const EXPORT_LINK_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;
/// D1 queries one export makes at most (one per page of a category), well inside an invocation's subrequests;
/// an account larger than that gets a document marked `incomplete`.
pub const EXPORT_MAX_PAGES: u32 = 900;

/// At most this many support messages per sender per hour.
pub const SUPPORT_MESSAGES_PER_HOUR: i64 = 5;
/// At most this many anonymous support messages per client network per hour, whatever emails they give (a new
/// email per message would otherwise have no limit at all). Generous, since offices and carriers share addresses.
pub const ANONYMOUS_SUPPORT_MESSAGES_PER_IP_PER_HOUR: i64 = 10;

/// A keyed one-way hash (HMAC-SHA256, hex) of the client's network, for the anonymous support limit: the address
/// itself is never stored, and without the key the hash cannot be matched to an address. An IPv6 client is
/// counted by its /64, which one subscriber holds whole; a missing or unreadable address shares one bucket.
pub fn support_sender_hash(key: &[u8], client_ip: Option<&str>) -> String {
    use std::net::IpAddr;
    let network = match client_ip.and_then(|raw| raw.trim().parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_owned(),
    };
    crate::hex::encode(&crate::mac::labelled_mac(key, "support_sender_ip", &[network.as_bytes()]))
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub terms_version: String,
    pub age_confirmed: bool,
}

/// Accepting the current terms and confirming the minimum age are both required, together.
pub fn validate_consent(request: &ConsentRequest) -> Result<(), DomainError> {
    if request.terms_version != TERMS_VERSION {
        return Err(DomainError::invalid("terms_version_outdated", "Please review and accept the current terms."));
    }
    if !request.age_confirmed {
        return Err(DomainError::invalid(
            "age_not_confirmed",
            "GPTImg is only for people old enough to use it without parental consent.",
        ));
    }
    Ok(())
}

/// Whether the account has accepted the current terms.
pub fn has_current_consent(accepted_version: Option<&str>) -> bool {
    accepted_version == Some(TERMS_VERSION)
}

/// Everything but the profile, consent itself, support, export and deletion waits for the current terms:
/// 403 `consent_required` until then.
pub fn require_current_consent(accepted_version: Option<&str>) -> Result<(), DomainError> {
    if has_current_consent(accepted_version) {
        return Ok(());
    }
    Err(DomainError::new(
        ErrorKind::Forbidden,
        "consent_required",
        "Accept the terms and confirm your age to continue.",
    ))
}

/// Only anonymous messages are limited per client network; a signed-in sender is limited by account.
pub fn support_network_hash(key: &[u8], signed_in: bool, client_ip: Option<&str>) -> Option<String> {
    (!signed_in).then(|| support_sender_hash(key, client_ip))
}

/// The sender is over a support limit: 429, try again in ten minutes.
pub fn support_rate_limited() -> DomainError {
    DomainError::new(
        ErrorKind::RateLimited,
        "support_rate_limited",
        "You have sent several messages recently; please wait before sending more.",
    )
    .with_retry_after(600)
}

fn bounded_text(
    raw: &str,
    max_chars: usize,
    field: &'static str,
    empty: &'static str,
    long: &'static str,
) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::invalid(empty, format!("The {field} must not be empty.")));
    }
    if text.chars().count() > max_chars {
        return Err(DomainError::invalid(long, format!("The {field} must be at most {max_chars} characters.")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::invalid(
            "invalid_characters",
            format!("The {field} must not contain control characters."),
        ));
    }
    Ok(text.to_owned())
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportRequest {
    #[serde(default)]
    pub email: Option<String>,
    pub subject: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportMessage {
    pub email: EmailAddress,
    pub subject: String,
    pub message: String,
}

/// Signed-in senders use their account email; anonymous senders must give a valid one.
pub fn validate_support(request: &SupportRequest, account_email: Option<&str>) -> Result<SupportMessage, DomainError> {
    let raw_email = account_email
        .or(request.email.as_deref())
        .ok_or_else(|| DomainError::invalid("email_required", "Give an email address so we can reply."))?;
    let email = EmailAddress::parse(raw_email)
        .map_err(|_| DomainError::invalid("invalid_email", "That email address does not look right."))?;
    Ok(SupportMessage {
        email,
        subject: bounded_text(&request.subject, 200, "subject", "subject_empty", "subject_too_long")?,
        message: bounded_text(&request.message, 5000, "message", "message_empty", "message_too_long")?,
    })
}

/// An admin's reply to a support message.
pub fn validate_reply(raw: &str) -> Result<String, DomainError> {
    bounded_text(raw, 5000, "reply", "reply_empty", "reply_too_long")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportStatus {
    Open,
    Answered,
    Closed,
}

impl SupportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    /// The admin inbox's `?status=` filter: absent means every message; anything but a status's own name is
    /// 400 `invalid_status`.
    pub fn inbox_filter(raw: Option<&str>) -> Result<Option<Self>, DomainError> {
        let Some(raw) = raw else { return Ok(None) };
        [Self::Open, Self::Answered, Self::Closed]
            .into_iter()
            .find(|status| status.as_str() == raw)
            .map(Some)
            .ok_or_else(|| DomainError::bad_request("invalid_status", "Unknown status."))
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
    fn only_the_current_terms_let_a_user_past_consent() {
        assert!(require_current_consent(Some(TERMS_VERSION)).is_ok());
        for older in [None, Some("2020-01-01")] {
            let error = require_current_consent(older).unwrap_err();
            assert_eq!((error.kind, error.code.as_ref()), (ErrorKind::Forbidden, "consent_required"));
        }
    }

    #[test]
    fn only_anonymous_support_messages_are_counted_per_network() {
        let key = b"k";
        assert_eq!(support_network_hash(key, true, Some("192.0.2.1")), None);
        assert_eq!(
            support_network_hash(key, false, Some("192.0.2.1")),
            Some(support_sender_hash(key, Some("192.0.2.1")))
        );
        let limited = support_rate_limited();
        assert_eq!(
            (limited.kind, limited.code.as_ref(), limited.retry_after_secs),
            (ErrorKind::RateLimited, "support_rate_limited", Some(600))
        );
    }

    #[test]
    fn the_inbox_filter_takes_a_status_name_or_nothing() {
        assert_eq!(SupportStatus::inbox_filter(None).unwrap(), None);
        for status in [SupportStatus::Open, SupportStatus::Answered, SupportStatus::Closed] {
            assert_eq!(SupportStatus::inbox_filter(Some(status.as_str())).unwrap(), Some(status));
        }
        for bad in ["", "OPEN", "pending", "open "] {
            assert_eq!(SupportStatus::inbox_filter(Some(bad)).unwrap_err().code, "invalid_status", "{bad:?}");
        }
    }

    #[test]
    fn consent_needs_the_current_terms_and_the_age_confirmation() {
        assert!(validate_consent(&ConsentRequest { terms_version: TERMS_VERSION.into(), age_confirmed: true }).is_ok());
        assert_eq!(
            validate_consent(&ConsentRequest { terms_version: "2020-01-01".into(), age_confirmed: true })
                .unwrap_err()
                .code,
            "terms_version_outdated"
        );
        assert_eq!(
            validate_consent(&ConsentRequest { terms_version: TERMS_VERSION.into(), age_confirmed: false })
                .unwrap_err()
                .code,
            "age_not_confirmed"
        );
        assert!(has_current_consent(Some(TERMS_VERSION)));
        assert!(!has_current_consent(Some("2020-01-01")));
        assert!(!has_current_consent(None));
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

    #[test]
    fn support_senders_are_hashed_by_network_under_the_key() {
        let key = b"k".repeat(32);
        let hash = |ip: Option<&str>| support_sender_hash(&key, ip);
        assert_eq!(hash(Some("203.0.113.7")).len(), 64);
        assert!(!hash(Some("203.0.113.7")).contains("203"));
        assert_eq!(hash(Some("203.0.113.7")), hash(Some(" 203.0.113.7 ")));
        assert_ne!(hash(Some("203.0.113.7")), hash(Some("203.0.113.8")));
        assert_eq!(hash(Some("2001:db8:1:2:aaaa::1")), hash(Some("2001:db8:1:2:bbbb::9")), "one /64, one sender");
        assert_ne!(hash(Some("2001:db8:1:2::1")), hash(Some("2001:db8:1:3::1")));
        assert_eq!(hash(None), hash(Some("not an address")));
        assert_ne!(hash(Some("203.0.113.7")), support_sender_hash(b"another key", Some("203.0.113.7")));
    }

    #[test]
    fn support_messages_are_bounded_and_need_an_email() {
        let request = |email: Option<&str>, subject: &str, message: &str| SupportRequest {
            email: email.map(Into::into),
            subject: subject.into(),
            message: message.into(),
        };
        let ok = validate_support(&request(Some("Me@Example.com"), " Billing ", "Help\nplease"), None).unwrap();
        assert_eq!((ok.email.as_str(), ok.subject.as_str()), ("Me@example.com", "Billing"));
        assert_eq!(
            validate_support(&request(None, "s", "m"), Some("user@x.example")).unwrap().email.as_str(),
            "user@x.example"
        );
        let code = |r: SupportRequest| validate_support(&r, None).unwrap_err().code.to_string();
        assert_eq!(code(request(None, "s", "m")), "email_required");
        assert_eq!(code(request(Some("nope"), "s", "m")), "invalid_email");
        assert_eq!(code(request(Some("a@b.co"), &"s".repeat(201), "m")), "subject_too_long");
        assert_eq!(code(request(Some("a@b.co"), "s", &"m".repeat(5001))), "message_too_long");
        assert_eq!(code(request(Some("a@b.co"), "  ", "m")), "subject_empty");
        assert_eq!(code(request(Some("a@b.co"), "s", "bad\u{0}")), "invalid_characters");
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

    #[test]
    fn a_support_sender_hash_is_what_it_always_was() {
        // Stored hashes must keep counting towards the same limit: these values may never change.
        let key = b"k".repeat(32);
        assert_eq!(
            support_sender_hash(&key, Some("203.0.113.7")),
            "d4082cb3e4ff75171c2e7c265cac73d157313d6820d79a62553d6f4079e44f64"
        );
        assert_eq!(
            support_sender_hash(&key, Some("2001:db8:1:2::1")),
            "64f0c218d5db4737a913ab1be478cba10ca2f58b7dd8a1e9e9f1e813ccb52013"
        );
        assert_eq!(support_sender_hash(&key, None), "350698bd7214736c958a3b39ca981f75c0476ad7afe89e8dba9966bc25b93ffb");
    }
}
