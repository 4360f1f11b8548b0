//! A connection's frame rate: a token bucket (a sustained rate with room for bursts), and how
//! many frames in a row went over it.

use tokio::time::Instant;

use tether_engine::config::Limits;

/// Where a frame stands against the connection's rate limit.
pub(crate) enum Rate {
    /// Within the rate.
    Within,
    /// Over it: the frame is dropped and answered with `rate_limited`.
    Over,
    /// Over it too many times in a row: the connection is closed (1008).
    Abusive,
}

/// The rate limit of one connection's incoming frames.
pub(crate) struct FrameRate {
    bucket: RateLimit,
    violations: u32,
    max_violations: u32,
}

impl FrameRate {
    pub fn new(limits: &Limits) -> Self {
        Self::of(limits.frames_per_second, limits.frame_burst, limits)
    }

    /// The rate of a machine's link, which carries its sessions' output.
    pub fn for_machine(limits: &Limits) -> Self {
        Self::of(
            limits.machine_frames_per_second,
            limits.machine_frame_burst,
            limits,
        )
    }

    fn of(per_second: u32, burst: u32, limits: &Limits) -> Self {
        Self {
            bucket: RateLimit::new(per_second, burst),
            violations: 0,
            max_violations: limits.max_rate_violations,
        }
    }

    /// Counts one frame.
    pub fn check(&mut self) -> Rate {
        if self.bucket.allow() {
            self.violations = 0;
            return Rate::Within;
        }
        self.violations += 1;
        if self.violations > self.max_violations {
            Rate::Abusive
        } else {
            Rate::Over
        }
    }
}

struct RateLimit {
    per_second: f64,
    burst: f64,
    tokens: f64,
    refilled: Instant,
}

impl RateLimit {
    fn new(per_second: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(per_second),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            refilled: Instant::now(),
        }
    }

    /// Takes one token; false when the bucket is empty.
    fn allow(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + earned).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn allows_the_burst_then_the_sustained_rate() {
        let mut limit = RateLimit::new(10, 5);
        assert_eq!((0..20).filter(|_| limit.allow()).count(), 5);
        tokio::time::advance(Duration::from_millis(300)).await;
        assert_eq!((0..20).filter(|_| limit.allow()).count(), 3);
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(
            (0..20).filter(|_| limit.allow()).count(),
            5,
            "never more than the burst"
        );
    }
}
