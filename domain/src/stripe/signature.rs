//! Stripe webhook signatures, verified by hand: HMAC-SHA256 of `t.body`, any `v1` may match, 300 s tolerance.

/// Stripe's default: a signed timestamp more than five minutes from now is refused.
pub const TOLERANCE_SECS: i64 = 300;

/// A parsed `Stripe-Signature` header: the timestamp and every `v1` signature (several during secret rotation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub timestamp: i64,
    pub v1: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the Stripe-Signature timestamp is outside the tolerance")]
    Stale,
    #[error("no Stripe-Signature v1 signature matches")]
    Mismatch,
}

impl SignatureError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing_signature",
            Self::Malformed => "malformed_signature",
            Self::Stale => "stale_signature",
            Self::Mismatch => "invalid_signature",
        }
    }
}

impl Signature {
    /// `t=1700000000,v1=<hex>,v1=<hex>,v0=<ignored>`; unknown schemes are ignored, as Stripe advises.
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        let mut timestamp = None;
        let mut v1 = Vec::new();
        for part in header.split(',') {
            let (key, value) = part.trim().split_once('=').ok_or(SignatureError::Malformed)?;
            match key {
                "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
                "v1" => v1.push(crate::hex::decode(value, 32).ok_or(SignatureError::Malformed)?),
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
        if v1.is_empty() {
            return Err(SignatureError::Malformed);
        }
        Ok(Self { timestamp, v1 })
    }
}

/// Stripe's published scheme signs `timestamp.body` with no label of ours.
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
    crate::mac::unlabelled_mac(secret.as_bytes(), &[timestamp.to_string().as_bytes(), b".", body])
}

/// Verifies `body` against the header with the endpoint's signing secret at time `now_secs`.
pub fn verify(header: Option<&str>, body: &[u8], secret: &str, now_secs: i64) -> Result<(), SignatureError> {
    let signature = Signature::parse(header.ok_or(SignatureError::Missing)?)?;
    if (now_secs - signature.timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, signature.timestamp, body);
    let matches = signature.v1.iter().any(|candidate| crate::mac::verify(&expected, candidate));
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header Stripe would send; used by tests and the local Stripe stand-in's documentation.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let tag = mac(secret, timestamp, body);
    format!("t={timestamp},v1={}", crate::hex::encode(&tag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "whsec_test_secret_value";
    const NOW: i64 = 1_800_000_000;
    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;

    #[test]
    fn a_correct_signature_verifies() {
        assert_eq!(verify(Some(&sign(BODY, SECRET, NOW)), BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn a_known_vector_from_an_independent_hmac_matches() {
        // HMAC-SHA256(key=SECRET, "1800000000." + BODY), computed independently with Python's hmac module.
        let expected = "t=1800000000,v1=26da5053e2f8a364cb2938dec27de23aed286c508ea5f2ab4208cf02a68ef243";
        assert_eq!(sign(BODY, SECRET, NOW), expected);
        assert_eq!(verify(Some(expected), BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn missing_malformed_stale_and_wrong_signatures_are_refused() {
        let good = sign(BODY, SECRET, NOW);
        assert_eq!(verify(None, BODY, SECRET, NOW), Err(SignatureError::Missing));
        assert_eq!(verify(Some("garbage"), BODY, SECRET, NOW), Err(SignatureError::Malformed));
        assert_eq!(verify(Some("t=abc,v1=00"), BODY, SECRET, NOW), Err(SignatureError::Malformed));
        assert_eq!(verify(Some(&format!("t={NOW}")), BODY, SECRET, NOW), Err(SignatureError::Malformed));
        assert_eq!(verify(Some(&good), BODY, SECRET, NOW + TOLERANCE_SECS + 1), Err(SignatureError::Stale));
        assert_eq!(verify(Some(&good), BODY, SECRET, NOW - TOLERANCE_SECS - 1), Err(SignatureError::Stale));
        assert_eq!(verify(Some(&good), BODY, SECRET, NOW + TOLERANCE_SECS), Ok(()));
        assert_eq!(verify(Some(&good), BODY, "whsec_other", NOW), Err(SignatureError::Mismatch));
        assert_eq!(verify(Some(&good), b"{\"id\":\"evt_2\"}", SECRET, NOW), Err(SignatureError::Mismatch));
    }

    #[test]
    fn during_rotation_any_v1_may_match_and_v0_is_ignored() {
        let new = sign(BODY, SECRET, NOW);
        let old = sign(BODY, "whsec_old_secret", NOW);
        let old_sig = old.split("v1=").nth(1).unwrap();
        let new_sig = new.split("v1=").nth(1).unwrap();
        let header = format!("t={NOW},v1={old_sig},v1={new_sig},v0=deadbeef");
        assert_eq!(verify(Some(&header), BODY, SECRET, NOW), Ok(()));
        assert_eq!(verify(Some(&header), BODY, "whsec_old_secret", NOW), Ok(()));
        assert_eq!(Signature::parse(&header).unwrap().v1.len(), 2);
    }

    proptest! {
        #[test]
        fn any_body_signed_with_the_secret_verifies(body in proptest::collection::vec(any::<u8>(), 0..512), t in 0i64..4_000_000_000) {
            prop_assert_eq!(verify(Some(&sign(&body, SECRET, t)), &body, SECRET, t), Ok(()));
        }

        #[test]
        fn any_single_byte_change_to_the_body_is_detected(body in proptest::collection::vec(any::<u8>(), 1..256), index in any::<usize>(), flip in 1u8..=255) {
            let header = sign(&body, SECRET, NOW);
            let mut tampered = body.clone();
            let i = index % tampered.len();
            tampered[i] ^= flip;
            prop_assert_eq!(verify(Some(&header), &tampered, SECRET, NOW), Err(SignatureError::Mismatch));
        }

        #[test]
        fn parsing_arbitrary_headers_never_panics(header in ".{0,200}") {
            let _ = Signature::parse(&header);
        }
    }
}
