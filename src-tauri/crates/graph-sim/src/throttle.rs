//! Graph's identity throttling as token buckets (shared/reference/graph-licensing.md §6.2):
//! resource units per 10 s for an app in a tenant (by tenant size), 3,000 writes per 150 s for
//! an app in a tenant, 18,000 writes per 5 minutes for the tenant. A request takes from every
//! bucket it touches or, when one lacks tokens, from none and is answered 429.

use std::time::Instant;

use crate::ThrottleSpec;
use crate::rng::Rng;

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    tokens: f64,
    /// Tokens per real second.
    refill: f64,
    last: Instant,
}

impl Bucket {
    fn new(capacity: u32, window_graph_secs: f64, time_scale: f64, now: Instant) -> Self {
        let capacity = f64::from(capacity.max(1));
        Self {
            capacity,
            tokens: capacity,
            refill: capacity / (window_graph_secs / time_scale),
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.refill).min(self.capacity);
        self.last = now;
    }

    /// Real seconds until `n` tokens are there (0 when they are now).
    fn wait_for(&self, n: f64) -> f64 {
        if self.tokens >= n {
            0.0
        } else {
            (n - self.tokens) / self.refill
        }
    }

    fn used_fraction(&self) -> f64 {
        1.0 - self.tokens / self.capacity
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Allowed {
        resource_units: u32,
        /// `x-ms-throttle-limit-percentage`: sent only above 0.8 of a limit.
        limit_percentage: Option<f64>,
    },
    Throttled {
        /// Real seconds, fractional, as Graph's Retry-After may be.
        retry_after: f64,
        /// `x-ms-throttle-scope` without the ids: `Tenant_Application/Write`, …
        scope: &'static str,
        /// `x-ms-throttle-information`.
        information: &'static str,
    },
}

#[derive(Debug)]
pub struct Throttle {
    enabled: bool,
    resource_units: Bucket,
    app_writes: Bucket,
    tenant_writes: Bucket,
    random_429_rate: f64,
    time_scale: f64,
    rng: Rng,
}

impl Throttle {
    pub fn new(spec: &ThrottleSpec, tenant_users: usize, seed: u64, now: Instant) -> Self {
        let ru = spec.resource_units_per_10s.unwrap_or(match tenant_users {
            0..50 => 3_500,
            50..=500 => 5_000,
            _ => 8_000,
        });
        let scale = spec.time_scale;
        Self {
            enabled: spec.enabled,
            resource_units: Bucket::new(ru, 10.0, scale, now),
            app_writes: Bucket::new(spec.app_writes_per_150s, 150.0, scale, now),
            tenant_writes: Bucket::new(spec.tenant_writes_per_300s, 300.0, scale, now),
            random_429_rate: spec.random_429_rate,
            time_scale: scale,
            rng: Rng::new(seed ^ 0x7117),
        }
    }

    pub fn check(&mut self, resource_units: u32, writes: u32, now: Instant) -> Verdict {
        if !self.enabled {
            return Verdict::Allowed {
                resource_units,
                limit_percentage: None,
            };
        }
        if self.random_429_rate > 0.0
            && (self.rng.next_u64() % 1_000_000) as f64 / 1_000_000.0 < self.random_429_rate
        {
            return Verdict::Throttled {
                retry_after: (0.2 + self.rng.below(800) as f64 / 1000.0) / self.time_scale,
                scope: "Tenant_Application/ReadWrite",
                information: "CPULimitExceeded",
            };
        }
        for b in [
            &mut self.resource_units,
            &mut self.app_writes,
            &mut self.tenant_writes,
        ] {
            b.refill(now);
        }
        let ru = f64::from(resource_units);
        let w = f64::from(writes);
        let waits = [
            (
                self.resource_units.wait_for(ru),
                "Tenant_Application/ReadWrite",
                "ResourceUnitLimitExceeded",
            ),
            (
                if writes > 0 {
                    self.app_writes.wait_for(w)
                } else {
                    0.0
                },
                "Tenant_Application/Write",
                "WriteLimitExceeded",
            ),
            (
                if writes > 0 {
                    self.tenant_writes.wait_for(w)
                } else {
                    0.0
                },
                "Tenant/Write",
                "WriteLimitExceeded",
            ),
        ];
        if let Some((wait, scope, information)) = waits
            .iter()
            .filter(|(wait, _, _)| *wait > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0))
        {
            return Verdict::Throttled {
                retry_after: *wait,
                scope,
                information,
            };
        }
        self.resource_units.tokens -= ru;
        if writes > 0 {
            self.app_writes.tokens -= w;
            self.tenant_writes.tokens -= w;
        }
        let used = self
            .resource_units
            .used_fraction()
            .max(self.app_writes.used_fraction())
            .max(self.tenant_writes.used_fraction());
        Verdict::Allowed {
            resource_units,
            limit_percentage: (used > 0.8).then_some(used),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn spec(writes: u32) -> ThrottleSpec {
        ThrottleSpec {
            enabled: true,
            app_writes_per_150s: writes,
            ..ThrottleSpec::default()
        }
    }

    #[test]
    fn writes_beyond_the_bucket_wait_for_the_refill() {
        let t0 = Instant::now();
        let mut t = Throttle::new(&spec(3_000), 250, 1, t0);
        for _ in 0..3_000 {
            assert!(matches!(t.check(1, 1, t0), Verdict::Allowed { .. }));
        }
        match t.check(1, 1, t0) {
            Verdict::Throttled {
                retry_after,
                scope,
                information,
            } => {
                // 3,000 per 150 s refills one write every 0.05 s.
                assert!((retry_after - 0.05).abs() < 1e-6, "{retry_after}");
                assert_eq!(scope, "Tenant_Application/Write");
                assert_eq!(information, "WriteLimitExceeded");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            t.check(1, 1, t0 + Duration::from_millis(60)),
            Verdict::Allowed { .. }
        ));
    }

    #[test]
    fn time_scale_shrinks_the_window() {
        let t0 = Instant::now();
        let mut s = spec(3_000);
        s.time_scale = 10.0;
        let mut t = Throttle::new(&s, 250, 1, t0);
        for _ in 0..3_000 {
            t.check(1, 1, t0);
        }
        match t.check(1, 1, t0) {
            Verdict::Throttled { retry_after, .. } => assert!((retry_after - 0.005).abs() < 1e-6),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn limit_percentage_appears_above_80_percent() {
        let t0 = Instant::now();
        let mut t = Throttle::new(&spec(10), 250, 1, t0);
        let mut seen = Vec::new();
        for _ in 0..10 {
            if let Verdict::Allowed {
                limit_percentage, ..
            } = t.check(1, 1, t0)
            {
                seen.push(limit_percentage);
            }
        }
        assert_eq!(seen[7], None);
        assert!(seen[8].is_some_and(|p| p > 0.8));
    }

    #[test]
    fn resource_units_depend_on_tenant_size() {
        let t0 = Instant::now();
        let s = spec(3_000);
        let mut small = Throttle::new(&s, 10, 1, t0);
        assert!(matches!(small.check(3_500, 0, t0), Verdict::Allowed { .. }));
        assert!(matches!(small.check(1, 0, t0), Verdict::Throttled { .. }));
        let mut large = Throttle::new(&s, 501, 1, t0);
        assert!(matches!(large.check(7_999, 0, t0), Verdict::Allowed { .. }));
    }

    #[test]
    fn disabled_never_throttles() {
        let t0 = Instant::now();
        let off = ThrottleSpec {
            enabled: false,
            ..ThrottleSpec::default()
        };
        let mut t = Throttle::new(&off, 10, 1, t0);
        for _ in 0..50_000 {
            assert!(matches!(t.check(5, 1, t0), Verdict::Allowed { .. }));
        }
    }
}
