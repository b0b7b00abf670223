//! The error kinds every layer shares; the HTTP layer maps each kind to exactly one status.

use std::borrow::Cow;

/// What went wrong, from the caller's point of view. The mapping to HTTP status codes
/// lives in one place in the Worker (`src/http/error.rs`), as do the kinds no rule decides: a wrong method,
/// broken configuration and faults of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request is malformed (bad JSON, missing field, wrong shape).
    BadRequest,
    /// No valid session.
    Unauthenticated,
    /// Not enough credits for the requested work.
    PaymentRequired,
    /// Signed in but not allowed, or a cross-origin state change.
    Forbidden,
    /// Does not exist, or belongs to someone else.
    NotFound,
    /// The request conflicts with the current state.
    Conflict,
    /// What the request acts on existed and is gone for good (e.g. an account being deleted).
    Gone,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// The body's media type is not accepted.
    UnsupportedMediaType,
    /// The requested byte range lies outside the resource.
    RangeNotSatisfiable,
    /// Well-formed but semantically invalid input.
    Unprocessable,
    /// Too many requests; try later.
    RateLimited,
    /// An upstream service (Google, Stripe, APIPod) failed.
    Upstream,
}

/// An error with a stable snake_case `code` for clients and a human `message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DomainError {
    pub kind: ErrorKind,
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
    /// Machine-readable facts for the client (e.g. balance and cost on a 402).
    pub details: Option<serde_json::Value>,
    /// For 429s: when to try again.
    pub retry_after_secs: Option<u32>,
}

impl DomainError {
    pub fn new(kind: ErrorKind, code: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self { kind, code: code.into(), message: message.into(), details: None, retry_after_secs: None }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn with_retry_after(mut self, secs: u32) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    pub fn invalid(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unprocessable, code, message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::BadRequest, code, message)
    }
}

/// Why a fault happened, outermost first: the context each layer added (`"signing in"`), then the error and
/// every `source()` beneath it. For logs only; displayed joined by `": "`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause(Vec<String>);

impl Cause {
    pub fn new(message: impl Into<String>) -> Self {
        Self(vec![message.into()])
    }

    /// The error's message and those of its whole `source()` chain; a message that only repeats the one above it
    /// (many errors include their source's text) is kept once.
    pub fn of(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain: Vec<String> = Vec::new();
        let mut next = Some(error);
        while let Some(error) = next {
            let message = error.to_string();
            if !chain.last().is_some_and(|last| last.contains(&message)) {
                chain.push(message);
            }
            next = error.source();
        }
        Self(chain)
    }

    /// The same cause, saying what was being done when it happened.
    pub fn context(mut self, doing: impl Into<String>) -> Self {
        self.0.insert(0, doing.into());
        self
    }

    pub fn chain(&self) -> &[String] {
        &self.0
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("D1 error")]
    struct Storage;

    #[derive(Debug, thiserror::Error)]
    #[error("loading account failed")]
    struct Loading(#[source] Storage);

    #[derive(Debug, thiserror::Error)]
    #[error("query failed: {0}")]
    struct Repeating(#[source] Storage);

    #[test]
    fn a_cause_keeps_every_source_in_order() {
        let cause = Cause::of(&Loading(Storage));
        assert_eq!(cause.chain(), ["loading account failed", "D1 error"]);
        assert_eq!(cause.to_string(), "loading account failed: D1 error");
    }

    #[test]
    fn a_source_already_spelled_out_by_its_parent_is_kept_once() {
        assert_eq!(Cause::of(&Repeating(Storage)).chain(), ["query failed: D1 error"]);
    }

    #[test]
    fn context_goes_in_front() {
        let cause = Cause::of(&Storage).context("signing in");
        assert_eq!(cause.to_string(), "signing in: D1 error");
        assert_eq!(Cause::new("bad url").context("admin page").chain(), ["admin page", "bad url"]);
    }

    #[test]
    fn display_shows_code_then_message() {
        let error = DomainError::invalid("name_too_long", "Name must be at most 80 characters.");
        assert_eq!(error.to_string(), "name_too_long: Name must be at most 80 characters.");
        assert_eq!(error.kind, ErrorKind::Unprocessable);
    }
}
