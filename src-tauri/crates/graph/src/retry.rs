//! When to try again: Graph's Retry-After when it gives one (seconds, possibly fractional),
//! otherwise exponential backoff with full jitter, bounded.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::HeaderMap;

/// Attempts for a request that keeps being throttled or failing transiently.
pub const MAX_ATTEMPTS: u32 = 8;
const BASE: Duration = Duration::from_millis(250);
const CAP: Duration = Duration::from_secs(30);
/// The longest single wait LicenseDesk accepts from `Retry-After`. Graph's own values are
/// seconds to a few minutes; a larger one (or `1e9`) is a broken or hostile server, and the
/// request's overall waiting budget (`Limits::max_total_wait`) ends the matter.
pub const MAX_WAIT: Duration = Duration::from_secs(120);

/// `Retry-After` in seconds; Graph may send fractions like `2.128`.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_seconds)
}

pub fn parse_seconds(text: &str) -> Option<Duration> {
    let secs: f64 = text.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::from_secs_f64(secs.min(MAX_WAIT.as_secs_f64())))
}

/// Backoff before attempt `attempt` (1-based) when Graph gave no Retry-After: a random time
/// up to `BASE·2^(attempt-1)`, at most `CAP`, so many clients do not retry in step.
pub fn backoff(attempt: u32) -> Duration {
    let ceiling = BASE
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(CAP);
    let fraction = (next_random() % 1_000) as f64 / 1_000.0;
    ceiling.mul_f64(0.5 + fraction / 2.0)
}

/// The wait before trying again: Retry-After when given, else backoff.
pub fn delay(attempt: u32, retry_after: Option<Duration>) -> Duration {
    retry_after.unwrap_or_else(|| backoff(attempt))
}

fn next_random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0x2545_F491_4F6C_DD1D);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_retry_after_is_honoured() {
        assert_eq!(parse_seconds("2.128"), Some(Duration::from_millis(2128)));
        assert_eq!(parse_seconds("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("soon"), None);
        assert_eq!(parse_seconds("1e9"), Some(MAX_WAIT));
        assert_eq!(parse_seconds("3600"), Some(MAX_WAIT));
        assert_eq!(parse_seconds("inf"), None);
        assert_eq!(
            delay(5, Some(Duration::from_millis(10))),
            Duration::from_millis(10)
        );
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        for attempt in 1..20 {
            let d = backoff(attempt);
            let ceiling = BASE.saturating_mul(1u32 << (attempt - 1).min(16)).min(CAP);
            assert!(d <= ceiling && d >= ceiling / 2, "{attempt}: {d:?}");
        }
        assert!(backoff(30) <= CAP);
    }
}
