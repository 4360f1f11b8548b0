//! A token bucket: a sustained frame rate with room for bursts.

use tokio::time::Instant;

pub(super) struct RateLimit {
    per_second: f64,
    burst: f64,
    tokens: f64,
    refilled: Instant,
}

impl RateLimit {
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(per_second),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            refilled: Instant::now(),
        }
    }

    /// Takes one token; false when the bucket is empty.
    pub fn allow(&mut self) -> bool {
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
