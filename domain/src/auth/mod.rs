//! Sign-in rules: Google ID-token verification, OAuth state, PKCE, sessions and safe redirects.

pub mod authorize;
pub mod id_token;
pub mod oauth_state;
pub mod pkce;
pub mod return_to;
pub mod session_token;
pub mod sign_in_failure;
pub mod signed;
pub mod subject_hash;
