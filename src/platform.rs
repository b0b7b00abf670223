//! The runtime's clock and CSPRNG, handed to domain code that takes time and randomness as arguments.

use gptimg_domain::ids::RandomSource;
use gptimg_domain::time::UnixMillis;

pub fn now() -> UnixMillis {
    // `Date.now()`, not `worker::Date::now()`, which constructs a JS `Date` object on every call.
    UnixMillis(worker::js_sys::Date::now() as i64)
}

/// The platform CSPRNG (`crypto.getRandomValues`).
pub struct CryptoRandom;

impl RandomSource for CryptoRandom {
    fn fill(&mut self, dest: &mut [u8]) {
        // The Workers CSPRNG cannot fail short of a broken runtime; there is nothing to fall back to.
        getrandom::fill(dest).expect("crypto.getRandomValues is available in workerd");
    }
}
