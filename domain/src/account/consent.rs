//! Terms and age consent: the terms version users accept, and the gate that waits for it.

use crate::error::{DomainError, ErrorKind};

/// The terms the site currently asks users to accept (the policy's "Last updated" date).
pub const TERMS_VERSION: &str = "2026-04-22";

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
}
