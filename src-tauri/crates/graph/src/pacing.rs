//! Pacing writes from Graph's own account of its write limit, so that a long run draws almost
//! no 429s.
//!
//! Graph's identity limits are token buckets (3,000 writes per 150 s per app and tenant, …).
//! Every answer above 0.8 of a limit carries `x-ms-throttle-limit-percentage`: how full the
//! bucket is. Between 0.8 and 1.0 the bucket follows a straight line,
//!
//! ```text
//! accepted writes so far  =  capacity · percentage  +  refill · time  −  constant
//! ```
//!
//! so a least-squares fit over the recent answers gives the bucket's capacity and its refill
//! rate without knowing either in advance (they differ per tenant size, per cloud, and the
//! emulator may run their clock faster). The pacer then sends at the refill rate plus whatever
//! brings the bucket to [`TARGET`] within [`HORIZON`]: a feedback loop on the level Graph
//! reports, which converges instead of probing the limit with 429s.
//!
//! Until Graph reports a level (a fresh bucket), writes are not paced: the executor's window
//! sends them as fast as answers come back. When no level has been reported for [`MEMORY`]
//! (the bucket refilled while nothing was sent), pacing stops again.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The level the pacer holds the bucket at: close enough to full to use the limit, far enough
/// from it that a round trip's worth of writes in flight never overflows it.
const TARGET: f64 = 0.93;
/// How far the pacer lets the bucket fill before a run's last writes are sent all at once.
const CEILING: f64 = 0.98;
/// Seconds in which the pacer aims to close the gap between the level and the target.
const HORIZON: f64 = 1.0;
/// Seconds of answers the fit looks at.
const MEMORY: f64 = 10.0;
/// Fewer answers than this with a level, and the fit is not trusted.
const MIN_OBSERVATIONS: usize = 8;
/// The share of the bucket below the level Graph starts reporting at (0.8), less a margin:
/// the most writes in flight while Graph reports no level.
const UNREPORTED_SHARE: f64 = 0.15;
/// Never slower than this many writes per second while pacing: a level misread can always
/// be corrected by the answers that follow.
const MIN_RATE: f64 = 1.0;

#[derive(Debug, Clone, Copy)]
struct Observation {
    /// Seconds since the pacer started.
    t: f64,
    /// Writes Graph accepted so far.
    accepted: f64,
    /// The level Graph reported with this answer (0.8–1.8).
    level: f64,
}

/// What the fit says about the bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BucketEstimate {
    /// Writes the bucket holds.
    pub capacity: f64,
    /// Writes per second it refills.
    pub refill: f64,
}

#[derive(Debug)]
pub(crate) struct WritePacer {
    start: Instant,
    accepted: f64,
    observations: VecDeque<Observation>,
    sums: Sums,
    /// The bucket's level as last heard: Graph's figure, 0.8 when it gave none (below 0.8),
    /// above 1 after a 429.
    level: Option<f64>,
    last_signal: Option<Instant>,
    estimate: Option<BucketEstimate>,
    /// Writes the pacer allows now (its own small bucket, at most one batch).
    credit: f64,
    credit_at: Instant,
}

impl WritePacer {
    pub fn new(now: Instant) -> Self {
        Self {
            start: now,
            accepted: 0.0,
            observations: VecDeque::new(),
            sums: Sums::default(),
            level: None,
            last_signal: None,
            estimate: None,
            credit: 0.0,
            credit_at: now,
        }
    }

    /// Hears one write's answer: accepted or not, and the level Graph reported with it.
    pub fn on_write_answer(&mut self, now: Instant, status: u16, level: Option<f64>) {
        let t = now.saturating_duration_since(self.start).as_secs_f64();
        match status {
            200..=299 => {
                self.accepted += 1.0;
                match level.filter(|l| l.is_finite() && (0.0..=10.0).contains(l)) {
                    Some(level) => {
                        self.observe(Observation {
                            t,
                            accepted: self.accepted,
                            level,
                        });
                        self.level = Some(level);
                        self.last_signal = Some(now);
                    }
                    // Below 0.8 of every limit Graph says nothing: the bucket has room again,
                    // and the window sends at full speed (within the in-flight cap) until
                    // Graph reports a level again.
                    None => self.level = None,
                }
            }
            429 => {
                self.level = Some(self.level.unwrap_or(1.0).max(1.0));
                self.last_signal = Some(now);
            }
            _ => {}
        }
        while let Some(old) = self.observations.front().copied()
            && t - old.t > MEMORY
        {
            self.observations.pop_front();
            self.sums.add(&old, -1.0);
        }
        if let Some(fit) = self.sums.fit(self.estimate) {
            self.estimate = Some(fit);
        }
        if self
            .last_signal
            .is_some_and(|s| now.saturating_duration_since(s).as_secs_f64() > MEMORY)
        {
            // Nothing heard of the limit for a while: the bucket has refilled.
            self.level = None;
            self.last_signal = None;
        }
    }

    /// Writes per second to send now; `None` while the bucket is far from full.
    pub fn rate(&self) -> Option<f64> {
        let level = self.level?;
        let estimate = self.estimate.or_else(|| self.first_guess())?;
        let correction = (TARGET - level) * estimate.capacity / HORIZON;
        Some(
            (estimate.refill + correction)
                .max(estimate.refill * 0.25)
                .max(MIN_RATE),
        )
    }

    /// How many of `wanted` writes may be sent now (`Ok(0)`: wait for an answer first), or
    /// how long to wait. `in_flight` writes are sent and unanswered; `remaining` is every write
    /// still to send, these included.
    pub fn permit(
        &mut self,
        now: Instant,
        wanted: usize,
        in_flight: usize,
        remaining: usize,
    ) -> Result<usize, Duration> {
        let Some(rate) = self.rate() else {
            self.credit_at = now;
            // Unpaced, but never more in flight than the part of the bucket Graph does not
            // report (below 0.8): what is sent before the first level arrives cannot overflow.
            return Ok(match self.estimate {
                Some(e) => {
                    let cap = (UNREPORTED_SHARE * e.capacity).max(1.0) as usize;
                    wanted.min(cap.saturating_sub(in_flight))
                }
                None => wanted,
            });
        };
        // A run's last writes fit in what is left of the bucket: no reason to trickle them.
        if let (Some(level), Some(estimate)) = (self.level, self.estimate)
            && (remaining as f64) <= (CEILING - level) * estimate.capacity
        {
            return Ok(wanted);
        }
        let elapsed = now.saturating_duration_since(self.credit_at).as_secs_f64();
        self.credit = (self.credit + elapsed * rate).min(wanted.max(1) as f64);
        self.credit_at = now;
        // A hair short of a whole write after waiting exactly as long as asked is rounding,
        // not a reason to wait again.
        let allowed = ((self.credit + 1e-6).floor() as usize).min(wanted);
        if allowed >= 1 {
            self.credit = (self.credit - allowed as f64).max(0.0);
            Ok(allowed)
        } else {
            Err(Duration::from_secs_f64((1.0 - self.credit) / rate).max(Duration::from_micros(100)))
        }
    }

    fn observe(&mut self, o: Observation) {
        self.sums.add(&o, 1.0);
        self.observations.push_back(o);
    }

    #[cfg(test)]
    pub fn estimate(&self) -> Option<BucketEstimate> {
        self.estimate
    }

    /// Before the fit has enough answers: Graph first reported a level after about that share
    /// of the bucket was used, so the capacity is about the writes accepted over the level,
    /// and no refill is counted (the level itself then steers the rate).
    fn first_guess(&self) -> Option<BucketEstimate> {
        let first = self.observations.front()?;
        Some(BucketEstimate {
            capacity: (first.accepted / first.level).max(1.0),
            refill: 0.0,
        })
    }
}

/// Running sums for the least-squares fit, kept as answers come and go so that each answer
/// costs the same however many are remembered.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    n: f64,
    t: f64,
    l: f64,
    a: f64,
    tt: f64,
    ll: f64,
    lt: f64,
    la: f64,
    ta: f64,
}

impl Sums {
    fn add(&mut self, o: &Observation, sign: f64) {
        self.n += sign;
        self.t += sign * o.t;
        self.l += sign * o.level;
        self.a += sign * o.accepted;
        self.tt += sign * o.t * o.t;
        self.ll += sign * o.level * o.level;
        self.lt += sign * o.level * o.t;
        self.la += sign * o.level * o.accepted;
        self.ta += sign * o.t * o.accepted;
    }

    /// Least squares of `accepted = capacity · level + refill · t + c`. When the levels or the
    /// times hardly vary, the part that cannot be told is taken from the previous estimate
    /// (or, for the refill during a first burst, as zero).
    fn fit(&self, previous: Option<BucketEstimate>) -> Option<BucketEstimate> {
        if self.n < MIN_OBSERVATIONS as f64 {
            return None;
        }
        let n = self.n;
        // Centred second moments.
        let sll = self.ll - self.l * self.l / n;
        let stt = self.tt - self.t * self.t / n;
        let slt = self.lt - self.l * self.t / n;
        let sla = self.la - self.l * self.a / n;
        let sta = self.ta - self.t * self.a / n;
        // Graph reports the level in hundredths; less spread than a few of them tells nothing.
        let levels_vary = sll / n > 0.02 * 0.02;
        // Less than a quarter of a second of spread: a burst, too short to see the refill in.
        let times_vary = stt / n > 0.25 * 0.25;
        let det = sll * stt - slt * slt;
        let (capacity, refill) = if levels_vary && times_vary && det > 1e-6 * sll * stt {
            ((sla * stt - sta * slt) / det, (sta * sll - sla * slt) / det)
        } else if levels_vary {
            let refill = previous.map_or(0.0, |p| p.refill);
            ((sla - refill * slt) / sll, refill)
        } else if times_vary {
            let capacity = previous?.capacity;
            (capacity, (sta - capacity * slt) / stt)
        } else {
            return None;
        };
        (capacity.is_finite() && refill.is_finite() && capacity >= 1.0).then_some(BucketEstimate {
            capacity,
            refill: refill.max(0.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bucket like the emulator's: the level Graph would report after each accepted write.
    struct Bucket {
        capacity: f64,
        refill: f64,
        used: f64,
        last: f64,
    }

    impl Bucket {
        /// Tries one write at time `t`; the answer's status and reported level.
        fn write(&mut self, t: f64) -> (u16, Option<f64>) {
            self.used = (self.used - (t - self.last) * self.refill).max(0.0);
            self.last = t;
            if self.used + 1.0 > self.capacity {
                return (429, None);
            }
            self.used += 1.0;
            let level = self.used / self.capacity;
            // Reported in hundredths, as Graph and the emulator do.
            (200, (level > 0.8).then(|| (level * 100.0).round() / 100.0))
        }
    }

    #[test]
    fn a_fresh_bucket_is_not_paced() {
        let now = Instant::now();
        let mut pacer = WritePacer::new(now);
        for _ in 0..100 {
            pacer.on_write_answer(now, 200, None);
        }
        assert_eq!(pacer.rate(), None);
        assert_eq!(pacer.permit(now, 20, 0, 1000), Ok(20));
    }

    #[test]
    fn the_fit_finds_the_capacity_and_refill_of_a_bucket_it_was_not_told() {
        let start = Instant::now();
        let mut pacer = WritePacer::new(start);
        let mut bucket = Bucket {
            capacity: 3_000.0,
            refill: 200.0,
            used: 0.0,
            last: 0.0,
        };
        // Simulated time: send whenever the pacer allows, one write at a time.
        let mut t = 0.0;
        let mut throttled = 0;
        let mut sent = 0;
        while t < 20.0 {
            let now = start + Duration::from_secs_f64(t);
            match pacer.permit(now, 1, 0, 1_000_000) {
                Ok(0) => unreachable!("nothing in flight"),
                Ok(_) => {
                    let (status, level) = bucket.write(t);
                    if status == 429 {
                        throttled += 1;
                    }
                    sent += 1;
                    pacer.on_write_answer(now, status, level);
                    // Unpaced, the window sends about 2,000 writes a second.
                    t += 1.0 / 2_000.0;
                }
                Err(wait) => t += wait.as_secs_f64(),
            }
        }
        let estimate = pacer.estimate().expect("an estimate");
        assert!(
            (estimate.capacity - 3_000.0).abs() < 300.0,
            "capacity {estimate:?}"
        );
        assert!(
            (estimate.refill - 200.0).abs() < 10.0,
            "refill {estimate:?}"
        );
        // The limit permits 3,000 + 20 s · 200 writes; the pacer gets close without 429s.
        let permitted = 3_000.0 + 20.0 * 200.0;
        assert!(
            sent as f64 > 0.9 * permitted,
            "only {sent} of {permitted} sent"
        );
        assert!(throttled < sent / 100, "{throttled} of {sent} throttled");
    }

    #[test]
    fn the_last_writes_of_a_run_use_what_is_left_of_the_bucket() {
        let start = Instant::now();
        let mut pacer = WritePacer::new(start);
        // A fit of a 3,000-write bucket refilling at 200/s, now at 0.9.
        for i in 0..200 {
            let t = f64::from(i) * 0.05;
            let level = 0.85 + f64::from(i % 10) * 0.01;
            pacer.observe(Observation {
                t,
                accepted: 3_000.0 * level + 200.0 * t,
                level,
            });
        }
        pacer.on_write_answer(start + Duration::from_secs(10), 200, Some(0.9));
        assert!(pacer.rate().is_some());
        let now = start + Duration::from_secs(10);
        assert!(
            pacer.permit(now, 20, 0, 20) == Ok(20),
            "20 writes fit in 0.08 of 3,000"
        );
        // 5,000 do not: at most one batch at once, then at the pace.
        let _ = pacer.permit(now, 20, 0, 5_000);
        let wait = pacer.permit(now, 20, 0, 5_000).expect_err("paced");
        let rate = pacer.rate().expect("a rate");
        assert!(
            (wait.as_secs_f64() - 1.0 / rate).abs() < 1e-4,
            "{wait:?} at {rate}/s"
        );
        // Half a batch's time later, half a batch may go.
        let later = now + Duration::from_secs_f64(10.0 / rate);
        assert_eq!(pacer.permit(later, 20, 0, 5_000), Ok(10));
        assert!((150.0..350.0).contains(&rate), "near the refill: {rate}");
    }

    #[test]
    fn silence_from_the_limit_ends_pacing() {
        let start = Instant::now();
        let mut pacer = WritePacer::new(start);
        pacer.on_write_answer(start, 429, None);
        for i in 0..10 {
            pacer.on_write_answer(start, 200, Some(0.95 + f64::from(i) * 0.001));
        }
        assert!(pacer.rate().is_some());
        pacer.on_write_answer(start + Duration::from_secs(30), 200, None);
        assert_eq!(pacer.rate(), None);
    }

    #[test]
    fn below_the_reported_level_writes_in_flight_stay_within_the_unreported_part_of_the_bucket() {
        let start = Instant::now();
        let mut pacer = WritePacer::new(start);
        pacer.estimate = Some(BucketEstimate {
            capacity: 300.0,
            refill: 100.0,
        });
        pacer.on_write_answer(start, 200, None);
        assert_eq!(pacer.rate(), None);
        // 15 % of 300 is 45.
        assert_eq!(pacer.permit(start, 20, 0, 1_000), Ok(20));
        assert_eq!(pacer.permit(start, 20, 40, 1_000), Ok(5));
        assert_eq!(pacer.permit(start, 20, 45, 1_000), Ok(0));
    }
}
