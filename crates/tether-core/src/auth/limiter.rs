//! Attempts per network address per minute, for the routes anyone may call before signing in.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The window over which attempts are counted.
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at once; past this, unknown addresses wait for room.
const MAX_ADDRESSES: usize = 4096;

struct Window {
    started: Instant,
    attempts: u32,
}

/// Counts attempts per address in fixed one-minute windows.
pub struct AddressLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<Option<IpAddr>, Window>>,
}

impl AddressLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::default(),
        }
    }

    /// Counts one attempt from `address` (none for the local socket); `Err` holds how long
    /// until the next attempt is allowed.
    pub fn attempt(&self, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_ADDRESSES && !windows.contains_key(&address) {
            windows.retain(|_, window| now.duration_since(window.started) < WINDOW);
            if windows.len() >= MAX_ADDRESSES {
                return Err(WINDOW);
            }
        }
        let window = windows.entry(address).or_insert(Window {
            started: now,
            attempts: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                attempts: 0,
            };
        }
        if window.attempts >= self.per_minute {
            return Err(WINDOW.saturating_sub(now.duration_since(window.started)));
        }
        window.attempts += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_address_gets_its_own_allowance_per_minute() {
        let limiter = AddressLimiter::new(3);
        let (a, b) = (Some([192, 0, 2, 1].into()), Some([192, 0, 2, 2].into()));
        for _ in 0..3 {
            limiter.attempt(a).unwrap();
        }
        let wait = limiter.attempt(a).unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= WINDOW, "{wait:?}");
        limiter.attempt(b).unwrap();
        tokio::time::advance(WINDOW).await;
        limiter.attempt(a).unwrap();
    }
}
