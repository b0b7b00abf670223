//! Signed, expiring links to private bytes (reference images fetched by APIPod), and unguessable share tokens.

use crate::ids::{random_token, RandomSource};

fn mac(secret: &[u8], resource_id: &str, expires_secs: i64) -> [u8; 32] {
    crate::mac::labelled_mac(secret, "upload-link-v1", &[resource_id.as_bytes(), expires_secs.to_string().as_bytes()])
}

/// Where an image's bytes are served (`GET /images/{id}`); share links add `?share={token}`.
pub fn image_path(image_id: &str) -> String {
    format!("/images/{image_id}")
}

/// The public link to an image of a shared generation: its path plus the generation's share token.
pub fn shared_image_path(image_id: &str, share_token: &str) -> String {
    format!("{}?share={share_token}", image_path(image_id))
}

/// Where APIPod fetches a reference upload's bytes, with a signed link (`signed_path`).
pub fn upload_content_path(upload_id: &str) -> String {
    format!("/uploads/{upload_id}/content")
}

/// Where APIPod fetches a generated image used as a reference, with a signed link (`signed_path`).
pub fn image_content_path(image_id: &str) -> String {
    format!("{}/content", image_path(image_id))
}

/// `path?exp=…&sig=…`: a link to `resource_id`'s bytes at `path`, valid until `expires_secs` (`verify`).
pub fn signed_path(secret: &[u8], resource_id: &str, path: &str, expires_secs: i64) -> String {
    format!("{path}?exp={expires_secs}&sig={}", sign(secret, resource_id, expires_secs))
}

/// The public page of a shared generation (`GET /s/{token}`).
pub fn share_page_path(share_token: &str) -> String {
    format!("/s/{share_token}")
}

/// The `sig` query value for a link to `resource_id` valid until `expires_secs`.
pub fn sign(secret: &[u8], resource_id: &str, expires_secs: i64) -> String {
    crate::hex::encode(&mac(secret, resource_id, expires_secs))
}

/// Constant-time check that the link is ours and not expired.
pub fn verify(secret: &[u8], resource_id: &str, expires_secs: i64, signature_hex: &str, now_secs: i64) -> bool {
    if now_secs > expires_secs {
        return false;
    }
    crate::hex::decode(signature_hex, 32)
        .is_some_and(|b| crate::mac::verify(&mac(secret, resource_id, expires_secs), &b))
}

/// Whether `raw` has the shape `new_share_token` makes (lower-case base32 of 128 bits).
pub fn is_share_token(raw: &str) -> bool {
    raw.len() == 26 && raw.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// 128 random bits: the secret part of a public share link.
pub fn new_share_token(random: &mut dyn RandomSource) -> String {
    random_token(random)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_shared_image_link_is_the_image_path_with_the_token() {
        assert_eq!(image_path("img_abc"), "/images/img_abc");
        assert_eq!(shared_image_path("img_abc", "tok123"), "/images/img_abc?share=tok123");
    }

    #[test]
    fn share_tokens_have_one_shape_and_their_page_its_path() {
        let token = new_share_token(&mut crate::ids::tests::FixedRandom(vec![0xa7, 0x31, 0xff]));
        assert!(is_share_token(&token), "{token}");
        assert!(!is_share_token("short") && !is_share_token(&"A".repeat(26)) && !is_share_token(&"a<".repeat(13)));
        assert_eq!(share_page_path("tok"), "/s/tok");
    }

    #[test]
    fn a_signed_path_carries_what_verify_checks() {
        let path = signed_path(SECRET, "img_x", &image_content_path("img_x"), 1_000);
        let (base, query) = path.split_once('?').unwrap();
        assert_eq!(base, "/images/img_x/content");
        let sig = query.strip_prefix("exp=1000&sig=").unwrap();
        assert!(verify(SECRET, "img_x", 1_000, sig, 999));
        assert_eq!(upload_content_path("upl_y"), "/uploads/upl_y/content");
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let sig = sign(SECRET, "upl_x", 1_000);
        assert!(verify(SECRET, "upl_x", 1_000, &sig, 999));
        assert!(verify(SECRET, "upl_x", 1_000, &sig, 1_000));
        assert!(!verify(SECRET, "upl_x", 1_000, &sig, 1_001));
    }

    #[test]
    fn another_resource_expiry_key_or_garbage_fails() {
        let sig = sign(SECRET, "upl_x", 1_000);
        assert!(!verify(SECRET, "upl_y", 1_000, &sig, 0));
        assert!(!verify(SECRET, "upl_x", 2_000, &sig, 0));
        assert!(!verify(b"another secret entirely, 32 bytes", "upl_x", 1_000, &sig, 0));
        assert!(!verify(SECRET, "upl_x", 1_000, "zz", 0));
        assert!(!verify(SECRET, "upl_x", 1_000, &"g".repeat(64), 0));
    }

    #[test]
    fn a_link_signature_is_what_it_always_was() {
        // Links already handed out must keep verifying: this value may never change.
        assert_eq!(sign(SECRET, "upl_x", 1_000), "d0e09f1ccf88d6b215596acb852dbee11ff3285b1aca12c36d50e02009b7ba5d");
    }
}
