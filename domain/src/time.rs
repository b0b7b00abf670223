//! Time as a value passed in by the caller: milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};

/// A point in time, in whole milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    pub fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub fn plus_secs(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    /// Milliseconds elapsed since `earlier`; zero if the clock went backwards.
    pub fn millis_since(self, earlier: UnixMillis) -> i64 {
        (self.0 - earlier.0).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_down_even_before_the_epoch() {
        assert_eq!(UnixMillis(1_999).as_secs(), 1);
        assert_eq!(UnixMillis(-1).as_secs(), -1);
    }

    #[test]
    fn elapsed_time_never_goes_negative() {
        assert_eq!(UnixMillis(5).millis_since(UnixMillis(10)), 0);
        assert_eq!(UnixMillis(10).millis_since(UnixMillis(4)), 6);
    }

    #[test]
    fn adding_seconds_saturates_instead_of_overflowing() {
        assert_eq!(UnixMillis(1_000).plus_secs(2), UnixMillis(3_000));
        assert_eq!(UnixMillis(i64::MAX).plus_secs(1), UnixMillis(i64::MAX));
    }
}
