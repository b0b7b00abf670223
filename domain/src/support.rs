//! Support messages: what a sender may write, who must give an email, the per-sender and per-network limits, the
//! admin's replies and the inbox's statuses.

use crate::email::EmailAddress;
use crate::error::{DomainError, ErrorKind};
use crate::text::bounded_text;

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

#[cfg(test)]
mod tests {
    use super::*;

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
