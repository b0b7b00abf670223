//! Deleting an account on request: the typed confirmation that makes it deliberate.

use crate::error::DomainError;

/// The word the user types to confirm.
pub const CONFIRMATION_WORD: &str = "DELETE";

/// `DELETE /api/me`'s body.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub confirm: String,
}

/// Only the exact word confirms (not trimmed, not case-folded): a deletion cannot be undone.
pub fn confirm_deletion(request: &DeleteRequest) -> Result<(), DomainError> {
    if request.confirm != CONFIRMATION_WORD {
        return Err(DomainError::invalid(
            "confirmation_required",
            "Type DELETE to confirm that you want your account deleted.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confirm(word: &str) -> Result<(), DomainError> {
        confirm_deletion(&DeleteRequest { confirm: word.to_owned() })
    }

    #[test]
    fn only_the_exact_word_confirms() {
        assert!(confirm("DELETE").is_ok());
        for wrong in ["", "delete", "Delete", " DELETE", "DELETE ", "yes"] {
            assert_eq!(confirm(wrong).unwrap_err().code, "confirmation_required", "{wrong:?}");
        }
    }
}
