//! Accounts: the Google subject that keys an account and the display name users may correct; the account's API
//! keys, avatar, consent, deletion and export in the modules below.

pub mod api_key;
pub mod avatar;
pub mod consent;
pub mod deletion;
pub mod export;

use crate::error::DomainError;

crate::resource_id!(
    /// Our own id for an account; never the Google subject.
    AccountId,
    "acc"
);

crate::resource_id!(
    /// Names one session row (listed in exports; the token itself is never stored).
    SessionId,
    "ses"
);

/// Google's stable, unique user id (`sub` claim): at most 255 ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleSubject(String);

impl GoogleSubject {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty() && raw.len() <= 255 && raw.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: trimmed, 1 to 80 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(DomainError::invalid("name_empty", "Name must not be empty."));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::invalid("name_too_long", "Name must be at most 80 characters."));
        }
        if name.chars().any(char::is_control) {
            return Err(DomainError::invalid("name_invalid_characters", "Name must not contain control characters."));
        }
        Ok(Self(name.to_owned()))
    }

    /// Google's name claim when usable, otherwise a name derived from the email's local part.
    pub fn from_google(name: Option<&str>, email: &str) -> Self {
        name.and_then(|n| Self::parse(n).ok()).unwrap_or_else(|| {
            let local: String = email
                .split('@')
                .next()
                .unwrap_or("user")
                .chars()
                .filter(|c| !c.is_control())
                .take(Self::MAX_CHARS)
                .collect();
            Self::parse(&local).unwrap_or_else(|_| Self("GPTImg user".to_owned()))
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A session of an account whose deletion has begun is refused outright: 410 `account_deleted`, not 401, because
/// signing in again cannot bring this account back (it starts a new one).
pub fn refuse_if_deleting(deletion_started: bool) -> Result<(), DomainError> {
    if !deletion_started {
        return Ok(());
    }
    Err(DomainError::new(
        crate::error::ErrorKind::Gone,
        "account_deleted",
        "This account has been deleted. You can sign in again to start a new one.",
    ))
}

/// Where the signed-in user's profile image is served, same-origin (the avatar proxy).
pub const AVATAR_PATH: &str = "/api/me/avatar";

/// What the profile says about an account beyond its stored fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileFlags {
    /// Only an account with a picture has one to serve.
    pub avatar_url: Option<&'static str>,
    /// Stripe knows the account as a customer, so the Billing Portal can open.
    pub has_billing_account: bool,
    /// The current terms are not accepted yet: the pages ask before anything else.
    pub consent_required: bool,
}

pub fn profile_flags(has_picture: bool, has_stripe_customer: bool, accepted_terms: Option<&str>) -> ProfileFlags {
    ProfileFlags {
        avatar_url: has_picture.then_some(AVATAR_PATH),
        has_billing_account: has_stripe_customer,
        consent_required: !consent::has_current_consent(accepted_terms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_of_an_account_being_deleted_is_gone() {
        assert!(refuse_if_deleting(false).is_ok());
        let error = refuse_if_deleting(true).unwrap_err();
        assert_eq!((error.kind, error.code.as_ref()), (crate::error::ErrorKind::Gone, "account_deleted"));
    }

    #[test]
    fn profile_flags_follow_the_stored_facts() {
        let current = Some(consent::TERMS_VERSION);
        assert_eq!(
            profile_flags(true, true, current),
            ProfileFlags { avatar_url: Some("/api/me/avatar"), has_billing_account: true, consent_required: false }
        );
        assert_eq!(
            profile_flags(false, false, None),
            ProfileFlags { avatar_url: None, has_billing_account: false, consent_required: true }
        );
        assert!(profile_flags(false, false, Some("2020-01-01")).consent_required, "an older version is not enough");
    }

    #[test]
    fn names_are_trimmed() {
        assert_eq!(DisplayName::parse("  Ada Lovelace ").unwrap().as_str(), "Ada Lovelace");
    }

    #[test]
    fn empty_long_and_control_character_names_are_refused_with_named_codes() {
        assert_eq!(DisplayName::parse("   ").unwrap_err().code, "name_empty");
        assert_eq!(DisplayName::parse(&"é".repeat(81)).unwrap_err().code, "name_too_long");
        assert!(DisplayName::parse(&"é".repeat(80)).is_ok(), "80 multi-byte characters are fine");
        assert_eq!(DisplayName::parse("Ada\u{0007}").unwrap_err().code, "name_invalid_characters");
        assert_eq!(DisplayName::parse("Ada\nLovelace").unwrap_err().code, "name_invalid_characters");
    }

    #[test]
    fn a_missing_google_name_falls_back_to_the_email_local_part() {
        assert_eq!(DisplayName::from_google(None, "grace@example.com").as_str(), "grace");
        assert_eq!(DisplayName::from_google(Some("  "), "grace@example.com").as_str(), "grace");
        assert_eq!(DisplayName::from_google(Some("Grace H"), "grace@example.com").as_str(), "Grace H");
    }

    #[test]
    fn google_subjects_are_plain_ascii() {
        assert!(GoogleSubject::parse("110169484474386276334").is_some());
        assert!(GoogleSubject::parse("").is_none());
        assert!(GoogleSubject::parse("has space").is_none());
    }
}
