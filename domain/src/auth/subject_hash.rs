//! The keyed one-way hash of a Google subject that outlives account deletion, so signup credits go to a
//! Google account once for ever without keeping who it was.

use crate::account::GoogleSubject;

/// Keeps this hash from matching an HMAC made with the same secret for any other use (cookies, state).
const PURPOSE: &str = "gptimg/signup-grant-subject/v1";

/// Lower-case hex HMAC-SHA256(secret, purpose || 0 || subject). Rotating the secret forgets every hash, so it is
/// its own long-lived secret, SIGNUP_HASH_SECRET (see README).
pub fn signup_subject_hash(secret: &[u8], subject: &GoogleSubject) -> String {
    crate::hex::encode(&crate::mac::labelled_mac(secret, PURPOSE, &[subject.as_str().as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn subject(raw: &str) -> GoogleSubject {
        GoogleSubject::parse(raw).unwrap()
    }

    #[test]
    fn the_same_subject_and_key_always_give_the_same_hash_and_never_the_subject() {
        let hash = signup_subject_hash(KEY, &subject("110169484474386276334"));
        assert_eq!(hash, signup_subject_hash(KEY, &subject("110169484474386276334")));
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert!(!hash.contains("110169484474386276334"));
    }

    #[test]
    fn another_subject_or_another_key_gives_another_hash() {
        let hash = signup_subject_hash(KEY, &subject("1"));
        assert_ne!(hash, signup_subject_hash(KEY, &subject("2")));
        assert_ne!(hash, signup_subject_hash(b"another key entirely 0123456789ab", &subject("1")));
    }

    #[test]
    fn the_purpose_label_separates_it_from_a_plain_hmac_of_the_subject() {
        let mut plain = Hmac::<Sha256>::new_from_slice(KEY).unwrap();
        plain.update(b"1");
        let plain: String = crate::hex::encode(&plain.finalize().into_bytes());
        assert_ne!(signup_subject_hash(KEY, &subject("1")), plain);
    }

    #[test]
    fn the_hash_of_a_subject_is_what_it_always_was() {
        // Stored hashes must keep matching: this value may never change.
        assert_eq!(
            signup_subject_hash(KEY, &subject("110169484474386276334")),
            "b675cfa62d7a14e520e790b473d11972372f77683815b3d7eb457652771c7570"
        );
    }
}
