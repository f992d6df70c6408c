//! How long to wait before the next attempt after consecutive failures: 0.5 s, doubling, capped at
//! 30 s, each spread by ±20 % so that a hall full of kiosks does not reconnect in lockstep when the
//! hall node comes back.

use std::time::Duration;

pub const FIRST_DELAY: Duration = Duration::from_millis(500);
pub const MAX_DELAY: Duration = Duration::from_secs(30);
/// Fraction of the delay the jitter may add or remove.
pub const JITTER: f64 = 0.2;

/// The delay after the `attempt`-th consecutive failure (1 = the first). `jitter` in `[-1, 1]` (values
/// outside are clamped) moves it by up to ±20 %. Always positive and finite, for every attempt: the
/// retry timer re-arms no matter how long the outage lasts.
pub fn next_delay(attempt: u32, jitter: f64) -> Duration {
    // 0.5 s · 2^(attempt-1), computed without overflow: 2^6 · 0.5 s already passes the cap.
    let doublings = attempt.saturating_sub(1).min(16);
    let base = FIRST_DELAY.saturating_mul(1u32 << doublings).min(MAX_DELAY);
    // The jitter applies after the cap; clamping afterwards would put every device at exactly 30 s.
    let jitter = if jitter.is_nan() { 0.0 } else { jitter.clamp(-1.0, 1.0) };
    base.mul_f64(1.0 + JITTER * jitter)
}

/// A uniformly random jitter for [`next_delay`].
pub fn random_jitter() -> f64 {
    rand::random::<f64>() * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_half_a_second_and_doubles_to_the_cap() {
        assert_eq!(next_delay(1, 0.0), Duration::from_millis(500));
        assert_eq!(next_delay(2, 0.0), Duration::from_secs(1));
        assert_eq!(next_delay(3, 0.0), Duration::from_secs(2));
        assert_eq!(next_delay(7, 0.0), Duration::from_secs(30));
        assert_eq!(next_delay(8, 0.0), Duration::from_secs(30));
        // Attempt 0 (nothing failed yet) is treated like the first failure, not as "no wait".
        assert_eq!(next_delay(0, 0.0), Duration::from_millis(500));
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        assert_eq!(next_delay(1, 1.0), Duration::from_millis(600));
        assert_eq!(next_delay(1, -1.0), Duration::from_millis(400));
        assert_eq!(next_delay(100, 1.0), Duration::from_secs(36));
        assert_eq!(next_delay(100, -1.0), Duration::from_secs(24));
        // Out-of-range and NaN jitter cannot produce a zero or unbounded delay.
        assert_eq!(next_delay(100, 50.0), Duration::from_secs(36));
        assert_eq!(next_delay(1, -50.0), Duration::from_millis(400));
        assert_eq!(next_delay(1, f64::NAN), Duration::from_millis(500));
        for _ in 0..1000 {
            let j = random_jitter();
            assert!((-1.0..=1.0).contains(&j));
        }
    }

    #[test]
    fn re_arms_for_every_attempt() {
        // However many failures in a row, the next delay is positive, bounded and non-decreasing: the
        // loop always sleeps and always tries again.
        let mut previous = Duration::ZERO;
        for attempt in (0..200).chain([u32::MAX - 1, u32::MAX]) {
            for jitter in [-1.0, 0.0, 1.0] {
                let d = next_delay(attempt, jitter);
                assert!(d >= Duration::from_millis(400), "attempt {attempt}: {d:?}");
                assert!(d <= Duration::from_secs(36), "attempt {attempt}: {d:?}");
            }
            let d = next_delay(attempt, 0.0);
            assert!(d >= previous, "attempt {attempt}: {d:?} < {previous:?}");
            previous = d;
        }
    }
}
