//! The short-lived sign-in state (state, nonce, PKCE verifier, return path) kept in a signed cookie.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::pkce;
use super::return_to::ReturnPath;
use super::signed;
use crate::ids::{random_token, RandomSource};
use crate::time::UnixMillis;

const PURPOSE: &str = "oauth-state-v1";
/// How long a visitor may take on Google's page before the sign-in attempt expires.
pub const LIFETIME_SECS: i64 = 600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthState {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub return_to: ReturnPath,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateProblem {
    /// The cookie is absent, forged or unreadable.
    Invalid,
    Expired,
    /// The `state` Google sent back is not the one we issued.
    Mismatch,
}

impl OAuthState {
    pub fn new(random: &mut dyn RandomSource, return_to: ReturnPath, now: UnixMillis) -> Self {
        Self {
            state: random_token(random),
            nonce: random_token(random),
            code_verifier: pkce::new_verifier(random),
            return_to,
            expires_at: now.plus_secs(LIFETIME_SECS).as_secs(),
        }
    }

    pub fn code_challenge(&self) -> String {
        pkce::challenge_s256(&self.code_verifier)
    }

    pub fn seal(&self, secret: &[u8]) -> String {
        signed::seal(self, secret, PURPOSE)
    }

    /// Opens the cookie and checks it is fresh and matches the `state` query parameter.
    pub fn open(cookie: &str, secret: &[u8], returned_state: &str, now: UnixMillis) -> Result<Self, StateProblem> {
        let state: Self = signed::open(cookie, secret, PURPOSE).ok_or(StateProblem::Invalid)?;
        if now.as_secs() > state.expires_at {
            return Err(StateProblem::Expired);
        }
        if !bool::from(state.state.as_bytes().ct_eq(returned_state.as_bytes())) {
            return Err(StateProblem::Mismatch);
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::tests::FixedRandom;

    const SECRET: &[u8] = b"session-secret-0123456789abcdef-xyz";

    fn fresh() -> OAuthState {
        OAuthState::new(
            &mut FixedRandom(vec![1, 2, 3, 4, 5]),
            ReturnPath::parse_or_default(Some("/gallery")),
            UnixMillis(1_000_000),
        )
    }

    #[test]
    fn a_sealed_state_opens_when_fresh_and_matching() {
        let state = fresh();
        let opened =
            OAuthState::open(&state.seal(SECRET), SECRET, &state.state, UnixMillis(1_000_000 + 5_000)).unwrap();
        assert_eq!(opened, state);
        assert_eq!(opened.return_to.as_str(), "/gallery");
    }

    #[test]
    fn a_mismatched_state_is_refused() {
        let state = fresh();
        assert_eq!(
            OAuthState::open(&state.seal(SECRET), SECRET, "other", UnixMillis(1_000_000)),
            Err(StateProblem::Mismatch)
        );
    }

    #[test]
    fn an_expired_state_is_refused() {
        let state = fresh();
        let later = UnixMillis(1_000_000).plus_secs(LIFETIME_SECS + 1);
        assert_eq!(OAuthState::open(&state.seal(SECRET), SECRET, &state.state, later), Err(StateProblem::Expired));
    }

    #[test]
    fn a_forged_cookie_is_refused() {
        let state = fresh();
        assert_eq!(
            OAuthState::open(
                &state.seal(b"some other secret 0123456789abcdef"),
                SECRET,
                &state.state,
                UnixMillis(1_000_000)
            ),
            Err(StateProblem::Invalid)
        );
    }
}
