//! Free text people type (support messages, replies, adjustment reasons): trimmed, bounded, no control characters.

use crate::error::DomainError;

/// The trimmed text: not empty (`empty`), at most `max_chars` characters (`long`), no control character but a
/// line break (`invalid_characters`); `field` names it in the messages.
pub(crate) fn bounded_text(
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
