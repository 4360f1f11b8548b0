//! Monotonic time in nanoseconds since this process first asked, for arithmetic on due times.

use std::sync::OnceLock;
use std::time::Instant;

pub fn now_ns() -> u64 {
    static BASE: OnceLock<Instant> = OnceLock::new();
    BASE.get_or_init(Instant::now).elapsed().as_nanos() as u64
}
