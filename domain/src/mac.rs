//! HMAC-SHA256 keyed by a secret over a purpose label and a payload: the one way a secret signs or hashes here.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// HMAC-SHA256(secret, label ‖ 0 ‖ part₁ ‖ 0 ‖ part₂ …). The label keeps a tag made for one use from being
/// accepted for another under the same secret; the zero bytes keep `("ab", "c")` apart from `("a", "bc")`.
pub fn labelled_mac(secret: &[u8], label: &str, parts: &[&[u8]]) -> [u8; 32] {
    debug_assert!(!label.contains('\0'), "a label with a zero byte would blur into its parts");
    let mut mac = keyed(secret);
    mac.update(label.as_bytes());
    for part in parts {
        mac.update(b"\0");
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256 over the chunks as they are, with no label: only for schemes someone else publishes (Stripe's).
pub fn unlabelled_mac(secret: &[u8], chunks: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed(secret);
    for chunk in chunks {
        mac.update(chunk);
    }
    mac.finalize().into_bytes().into()
}

/// Whether `candidate` is `expected`, compared in constant time (a different length is simply unequal).
pub fn verify(expected: &[u8; 32], candidate: &[u8]) -> bool {
    expected.as_slice().ct_eq(candidate).into()
}

fn keyed(secret: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_labelled_mac_is_the_hmac_of_label_and_parts_joined_by_zero_bytes() {
        // HMAC-SHA256(KEY, "upload-link-v1\x00upl_x\x001000"), computed independently with Python's hmac module.
        let expected = "d0e09f1ccf88d6b215596acb852dbee11ff3285b1aca12c36d50e02009b7ba5d";
        assert_eq!(crate::hex::encode(&labelled_mac(KEY, "upload-link-v1", &[b"upl_x", b"1000"])), expected);
        assert_eq!(
            labelled_mac(KEY, "upload-link-v1", &[b"upl_x", b"1000"]),
            unlabelled_mac(KEY, &[b"upload-link-v1\x00upl_x\x001000"])
        );
    }

    #[test]
    fn the_label_the_parts_and_their_boundaries_all_count() {
        let tag = labelled_mac(KEY, "a", &[b"bc", b"d"]);
        assert_ne!(tag, labelled_mac(KEY, "b", &[b"bc", b"d"]));
        assert_ne!(tag, labelled_mac(KEY, "a", &[b"b", b"cd"]));
        assert_ne!(tag, labelled_mac(KEY, "a", &[b"bcd"]));
        assert_ne!(tag, labelled_mac(b"another key", "a", &[b"bc", b"d"]));
    }

    #[test]
    fn verify_takes_the_very_tag_only() {
        let tag = labelled_mac(KEY, "a", &[b"b"]);
        assert!(verify(&tag, &tag));
        let mut flipped = tag;
        flipped[31] ^= 1;
        assert!(!verify(&tag, &flipped));
        assert!(!verify(&tag, &tag[..31]));
        assert!(!verify(&tag, &[]));
    }
}
