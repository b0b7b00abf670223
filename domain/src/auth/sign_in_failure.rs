//! Why a sign-in attempt failed, as the visitor reads it: the status class, a stable code, a title and an
//! explanation for the error page. What Google said goes to the log, never onto the page.

use super::id_token::IdTokenError;
use super::oauth_state::StateProblem;
use crate::error::ErrorKind;

/// Everything that can end a sign-in before the account is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInProblem<'a> {
    /// Google redirected back with `?error=` (e.g. `access_denied` when the visitor cancelled).
    GoogleSaid(&'a str),
    /// The state cookie or the returned `state` is missing.
    MissingState,
    State(StateProblem),
    MissingCode,
    /// Google refused the code (used, expired, or not ours).
    CodeRejected,
    /// Google could not be reached or answered something we cannot use.
    GoogleUnavailable,
    IdToken(IdTokenError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailurePage {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
}

const FAILED: &str = "Sign-in failed";
const EXPIRED: &str = "This sign-in attempt has expired or was started in another browser. Please start again.";

fn rejected(code: &'static str, explanation: &'static str) -> FailurePage {
    FailurePage { kind: ErrorKind::BadRequest, code, title: FAILED, explanation }
}

pub fn failure_page(problem: SignInProblem<'_>) -> FailurePage {
    match problem {
        SignInProblem::GoogleSaid("access_denied") => FailurePage {
            kind: ErrorKind::BadRequest,
            code: "google_access_denied",
            title: "Sign-in cancelled",
            explanation: "You cancelled signing in with Google. Nothing was changed.",
        },
        SignInProblem::GoogleSaid(_) => rejected("google_error", "Google could not sign you in. Please try again."),
        SignInProblem::MissingState => rejected("missing_state", EXPIRED),
        SignInProblem::State(StateProblem::Invalid) => rejected("invalid_state", EXPIRED),
        SignInProblem::State(StateProblem::Expired) => rejected("state_expired", EXPIRED),
        SignInProblem::State(StateProblem::Mismatch) => rejected(
            "state_mismatch",
            "This sign-in response does not belong to your sign-in attempt. Please start again.",
        ),
        SignInProblem::MissingCode => rejected("missing_code", "Google did not send a sign-in code. Please try again."),
        SignInProblem::CodeRejected => rejected(
            "code_rejected",
            "Google did not accept this sign-in (it may have been used already). Please start again.",
        ),
        SignInProblem::GoogleUnavailable => FailurePage {
            kind: ErrorKind::Upstream,
            code: "google_unavailable",
            title: "Google is not responding",
            explanation: "We could not reach Google to finish signing you in. Please try again in a minute.",
        },
        SignInProblem::IdToken(IdTokenError::EmailNotVerified) => rejected(
            IdTokenError::EmailNotVerified.code(),
            "Your Google account's email address is not verified. Verify it with Google, then sign in again.",
        ),
        SignInProblem::IdToken(error) => rejected(
            error.code(),
            "Google's answer could not be verified, so you were not signed in. Please try again.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_at_google_is_told_apart_from_other_google_errors() {
        let cancelled = failure_page(SignInProblem::GoogleSaid("access_denied"));
        assert_eq!((cancelled.code, cancelled.title), ("google_access_denied", "Sign-in cancelled"));
        let other = failure_page(SignInProblem::GoogleSaid("server_error"));
        assert_eq!((other.kind, other.code, other.title), (ErrorKind::BadRequest, "google_error", FAILED));
    }

    #[test]
    fn each_state_problem_has_its_own_code_and_a_start_again_explanation() {
        let codes = [
            (SignInProblem::MissingState, "missing_state"),
            (SignInProblem::State(StateProblem::Invalid), "invalid_state"),
            (SignInProblem::State(StateProblem::Expired), "state_expired"),
            (SignInProblem::State(StateProblem::Mismatch), "state_mismatch"),
        ];
        for (problem, code) in codes {
            let page = failure_page(problem);
            assert_eq!((page.kind, page.code), (ErrorKind::BadRequest, code));
            assert!(page.explanation.ends_with("Please start again."), "{code}");
        }
    }

    #[test]
    fn google_being_down_is_an_upstream_failure_and_a_refused_code_is_the_visitors() {
        assert_eq!(failure_page(SignInProblem::GoogleUnavailable).kind, ErrorKind::Upstream);
        assert_eq!(failure_page(SignInProblem::GoogleUnavailable).code, "google_unavailable");
        assert_eq!(failure_page(SignInProblem::CodeRejected).kind, ErrorKind::BadRequest);
        assert_eq!(failure_page(SignInProblem::MissingCode).code, "missing_code");
    }

    #[test]
    fn an_unverified_email_is_explained_and_other_token_errors_keep_their_code() {
        let unverified = failure_page(SignInProblem::IdToken(IdTokenError::EmailNotVerified));
        assert!(unverified.explanation.contains("not verified"));
        let malformed = failure_page(SignInProblem::IdToken(IdTokenError::Malformed));
        assert_eq!(malformed.code, "id_token_malformed");
        assert!(malformed.explanation.contains("could not be verified"));
    }
}
