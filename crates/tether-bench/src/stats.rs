//! Percentiles of latency samples.

/// The `quantile` (0..=1) of sorted `samples`, by nearest rank.
pub fn percentile(sorted: &[u64], quantile: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Nanoseconds as milliseconds.
pub fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}

/// The median of a few timings.
pub fn median(mut samples: Vec<u64>) -> u64 {
    samples.sort_unstable();
    percentile(&samples, 0.5)
}
