//! Attempts per network address per minute, for the routes anyone may call before signing in.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::peer_address::counted_as;

/// The window over which attempts are counted.
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at once; past this, the one counted longest ago is forgotten.
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
    /// until the next attempt is allowed. Addresses count as [`counted_as`] says: all of
    /// loopback as one, IPv6 per /64.
    pub fn attempt(&self, address: Option<IpAddr>) -> Result<(), Duration> {
        let address = address.map(counted_as);
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_ADDRESSES && !windows.contains_key(&address) {
            windows.retain(|_, window| now.duration_since(window.started) < WINDOW);
            let oldest = windows
                .iter()
                .min_by_key(|(_, window)| window.started)
                .map(|(address, _)| *address);
            if let (true, Some(oldest)) = (windows.len() >= MAX_ADDRESSES, oldest) {
                windows.remove(&oldest);
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

    #[test]
    fn every_loopback_address_shares_one_allowance() {
        let limiter = AddressLimiter::new(2);
        limiter.attempt(Some([127, 0, 0, 1].into())).unwrap();
        limiter.attempt(Some([127, 0, 0, 2].into())).unwrap();
        for other in ["127.0.0.3", "127.8.9.10", "::1"] {
            assert!(
                limiter.attempt(Some(other.parse().unwrap())).is_err(),
                "{other}"
            );
        }
    }

    #[test]
    fn an_ipv6_block_shares_one_allowance_and_a_full_table_forgets_the_oldest() {
        let limiter = AddressLimiter::new(1);
        limiter
            .attempt(Some("2001:db8::1".parse().unwrap()))
            .unwrap();
        assert!(
            limiter
                .attempt(Some("2001:db8::2".parse().unwrap()))
                .is_err()
        );
        for n in 0..MAX_ADDRESSES as u32 {
            limiter
                .attempt(Some(std::net::Ipv4Addr::from(n).into()))
                .unwrap();
        }
        limiter
            .attempt(Some([203, 0, 113, 9].into()))
            .expect("a new address is counted even when the table is full");
    }
}
