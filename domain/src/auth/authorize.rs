//! What a sign-in asks Google for: the authorization request's parameters (code flow, PKCE S256, account chooser).

use super::oauth_state::OAuthState;

/// Where Google sends the visitor back, under the app's base URL.
pub const CALLBACK_PATH: &str = "/auth/google/callback";
/// Only what sign-in needs: the subject, the verified email, the name and picture.
pub const SCOPE: &str = "openid email profile";

/// The query parameters of the authorization URL, in order; the Worker only encodes them.
pub fn authorize_params(client_id: &str, redirect_uri: &str, state: &OAuthState) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("client_id", client_id.to_owned()),
        ("redirect_uri", redirect_uri.to_owned()),
        ("scope", SCOPE.to_owned()),
        ("state", state.state.clone()),
        ("nonce", state.nonce.clone()),
        ("code_challenge", state.code_challenge()),
        ("code_challenge_method", "S256".to_owned()),
        // Someone signed in to several Google accounts chooses one rather than being signed in silently.
        ("prompt", "select_account".to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::pkce;
    use crate::auth::return_to::ReturnPath;
    use crate::ids::tests::FixedRandom;
    use crate::time::UnixMillis;

    fn state() -> OAuthState {
        OAuthState::new(&mut FixedRandom(vec![7, 1, 9]), ReturnPath::parse_or_default(None), UnixMillis(0))
    }

    #[test]
    fn the_request_is_a_code_flow_with_our_state_nonce_and_an_s256_challenge() {
        let state = state();
        let params = authorize_params("client-1", "https://app.test/auth/google/callback", &state);
        let get = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("client-1"));
        assert_eq!(get("redirect_uri"), Some("https://app.test/auth/google/callback"));
        assert_eq!(get("scope"), Some("openid email profile"));
        assert_eq!(get("state"), Some(state.state.as_str()));
        assert_eq!(get("nonce"), Some(state.nonce.as_str()));
        assert_eq!(get("code_challenge"), Some(pkce::challenge_s256(&state.code_verifier).as_str()));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("prompt"), Some("select_account"));
    }

    #[test]
    fn the_verifier_itself_never_leaves() {
        let state = state();
        let params = authorize_params("c", "r", &state);
        assert!(params.iter().all(|(_, v)| v != &state.code_verifier));
        assert_eq!(params.len(), 9);
    }
}
