//! The Idempotency-Key that makes starting a Stripe Checkout safe to repeat.

/// The Idempotency-Key for creating a Checkout Session: the same account, plan and minute get the
/// same session, so a double click cannot open two checkouts; a purchase an hour later gets its own.
pub fn checkout_idempotency_key(account_id: &str, plan_id: &str, now: crate::time::UnixMillis) -> String {
    use sha2::{Digest, Sha256};
    let minute = now.as_secs().div_euclid(60);
    let digest = Sha256::digest(format!("checkout:{account_id}:{plan_id}:{minute}").as_bytes());
    crate::hex::encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::checkout_idempotency_key;
    use crate::time::UnixMillis;

    #[test]
    fn the_same_minute_gives_the_same_key_and_anything_else_a_different_one() {
        let t = UnixMillis(1_800_000_000_000);
        assert_eq!(
            checkout_idempotency_key("acc_1", "pack", t),
            checkout_idempotency_key("acc_1", "pack", UnixMillis(t.0 + 10_000))
        );
        assert_ne!(
            checkout_idempotency_key("acc_1", "pack", t),
            checkout_idempotency_key("acc_1", "pack", t.plus_secs(61))
        );
        assert_ne!(checkout_idempotency_key("acc_1", "pack", t), checkout_idempotency_key("acc_2", "pack", t));
        assert_ne!(checkout_idempotency_key("acc_1", "pack", t), checkout_idempotency_key("acc_1", "pro", t));
    }
}
