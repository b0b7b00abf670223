//! Tamper-proof values for cookies: base64url(JSON) + "." + base64url(HMAC-SHA256), keyed per purpose.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The purpose label keeps a value signed for one use from being accepted for another.
fn mac(secret: &[u8], purpose: &str, payload: &str) -> [u8; 32] {
    crate::mac::labelled_mac(secret, purpose, &[payload.as_bytes()])
}

pub fn seal<T: Serialize>(value: &T, secret: &[u8], purpose: &str) -> String {
    let json = serde_json::to_vec(value).expect("plain structs always serialize");
    let payload = URL_SAFE_NO_PAD.encode(json);
    let tag = mac(secret, purpose, &payload);
    format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// The value, if and only if it was sealed with this secret for this purpose (checked in constant time).
pub fn open<T: DeserializeOwned>(sealed: &str, secret: &[u8], purpose: &str) -> Option<T> {
    let (payload, tag) = sealed.split_once('.')?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !crate::mac::verify(&mac(secret, purpose, payload), &tag) {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Note {
        text: String,
    }

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_sealed_value_opens_with_the_same_key_and_purpose() {
        let note = Note { text: "hi".into() };
        let sealed = seal(&note, KEY, "test");
        assert_eq!(open::<Note>(&sealed, KEY, "test"), Some(note));
    }

    #[test]
    fn tampering_another_key_or_another_purpose_is_rejected() {
        let sealed = seal(&Note { text: "hi".into() }, KEY, "test");
        assert_eq!(open::<Note>(&sealed, b"another key entirely 0123456789ab", "test"), None);
        assert_eq!(open::<Note>(&sealed, KEY, "other-purpose"), None);
        let (payload, tag) = sealed.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"text":"evil"}"#);
        assert_eq!(open::<Note>(&format!("{forged_payload}.{tag}"), KEY, "test"), None);
        assert_eq!(open::<Note>(payload, KEY, "test"), None);
        assert_eq!(open::<Note>("garbage", KEY, "test"), None);
    }

    #[test]
    fn a_sealed_value_is_byte_for_byte_what_it_always_was() {
        // Cookies already issued must keep opening: these bytes may never change (checked against Python's hmac).
        assert_eq!(
            seal(&Note { text: "hi".into() }, KEY, "test"),
            "eyJ0ZXh0IjoiaGkifQ.0Ho1cqv-qAQ97eoVqn62q8Ct885Ds3w4wYCNpnVB5_w"
        );
    }
}
