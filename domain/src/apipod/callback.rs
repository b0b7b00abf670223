//! APIPod callbacks are unsigned: each generation gets an unguessable URL of its own, and a callback only
//! prompts us to re-read the task from the authenticated status endpoint.

use serde_json::Value;

/// Callback bodies are small JSON objects; anything bigger is refused unread.
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

fn mac(secret: &[u8], generation_id: &str) -> [u8; 32] {
    crate::mac::labelled_mac(secret, "apipod-callback-v1", &[generation_id.as_bytes()])
}

/// The secret path segment of a generation's callback URL (64 hex characters).
pub fn token(secret: &[u8], generation_id: &str) -> String {
    crate::hex::encode(&mac(secret, generation_id))
}

/// Constant-time check that `token` is the one we gave APIPod for this generation.
pub fn verify(secret: &[u8], generation_id: &str, token: &str) -> bool {
    if token.len() != 64 {
        return false;
    }
    let bytes: Option<Vec<u8>> =
        (0..64).step_by(2).map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok()).collect();
    bytes.is_some_and(|b| crate::mac::verify(&mac(secret, generation_id), &b))
}

/// `/webhooks/apipod/{generation_id}/{token}`.
pub fn path(secret: &[u8], generation_id: &str) -> String {
    format!("/webhooks/apipod/{generation_id}/{}", token(secret, generation_id))
}

/// What a callback claims, for the log only: it is never trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claim {
    pub task_id: Option<String>,
    pub status: Option<String>,
}

pub fn claim(body: &[u8]) -> Claim {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let short = |key: &str| value.get(key).and_then(Value::as_str).map(|s| s.chars().take(128).collect());
    Claim { task_id: short("task_id"), status: short("status") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_token_verifies_for_its_generation_only() {
        let t = token(SECRET, "gen_a");
        assert!(verify(SECRET, "gen_a", &t));
        assert!(!verify(SECRET, "gen_b", &t));
        assert!(!verify(b"another secret entirely, 32 bytes", "gen_a", &t));
        assert!(!verify(SECRET, "gen_a", &"0".repeat(64)));
        assert!(!verify(SECRET, "gen_a", "short"));
        assert!(!verify(SECRET, "gen_a", &"é".repeat(32)));
        assert_eq!(path(SECRET, "gen_a"), format!("/webhooks/apipod/gen_a/{t}"));
    }

    #[test]
    fn it_is_not_the_reference_link_signature() {
        assert_ne!(token(SECRET, "gen_a"), crate::links::sign(SECRET, "gen_a", 0));
    }

    #[test]
    fn a_callback_token_is_what_it_always_was() {
        // Callback URLs already given to APIPod must keep verifying: this value may never change.
        assert_eq!(token(SECRET, "gen_a"), "24a6dfb7f73e29d760e31c9f1688deb71bda1cc02c902ddffdd0a935ee5623f6");
    }
}
