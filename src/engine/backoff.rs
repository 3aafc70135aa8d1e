//! How long a delivery waits before its next attempt.

use std::time::Duration as StdDuration;

/// Capped exponential backoff: base, 2·base, 4·base, … up to `max` seconds.
pub fn backoff(attempt: i64, base_secs: u64, max_secs: u64) -> StdDuration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    StdDuration::from_secs(base_secs.saturating_mul(1u64 << exp).min(max_secs))
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1, 5, 600).as_secs(), 5);
        assert_eq!(backoff(2, 5, 600).as_secs(), 10);
        assert_eq!(backoff(4, 5, 600).as_secs(), 40);
        assert_eq!(backoff(30, 5, 600).as_secs(), 600);
    }
}
