//! A latency histogram with fixed buckets, lock-free to observe.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the buckets, in seconds: 50 µs to 5 s.
const BOUNDS: [f64; 16] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0,
];

/// Counts of observed durations per bucket, with their sum.
#[derive(Default)]
pub struct Histogram {
    /// One count per bound, then the overflow (`+Inf`).
    buckets: [AtomicU64; BOUNDS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, elapsed: Duration) {
        self.observe_all([elapsed]);
    }

    /// Observes many durations at once: they are tallied first, so the shared counters are
    /// touched once per bucket used rather than once per duration.
    pub fn observe_all(&self, elapsed: impl IntoIterator<Item = Duration>) {
        let mut tally = [0u64; BOUNDS.len() + 1];
        let mut sum_nanos = 0u64;
        for elapsed in elapsed {
            let seconds = elapsed.as_secs_f64();
            let bucket = BOUNDS
                .iter()
                .position(|bound| seconds <= *bound)
                .unwrap_or(BOUNDS.len());
            tally[bucket] += 1;
            let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
            sum_nanos = sum_nanos.saturating_add(nanos);
        }
        for (bucket, count) in self.buckets.iter().zip(tally) {
            if count > 0 {
                bucket.fetch_add(count, Ordering::Relaxed);
            }
        }
        if sum_nanos > 0 {
            self.sum_nanos.fetch_add(sum_nanos, Ordering::Relaxed);
        }
    }

    /// Writes the histogram as Prometheus text: cumulative buckets, sum and count.
    pub fn render(&self, name: &str, help: &str, out: &mut String) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (index, bucket) in self.buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            let bound = BOUNDS
                .get(index)
                .map_or_else(|| "+Inf".to_owned(), f64::to_string);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {cumulative}");
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Histogram;

    #[test]
    fn buckets_are_cumulative_and_the_count_is_the_last() {
        let histogram = Histogram::default();
        histogram.observe(Duration::from_micros(40));
        histogram.observe(Duration::from_millis(3));
        histogram.observe(Duration::from_secs(9));
        let mut text = String::new();
        histogram.render("t_seconds", "test", &mut text);
        assert!(
            text.contains("t_seconds_bucket{le=\"0.00005\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("t_seconds_bucket{le=\"0.0025\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("t_seconds_bucket{le=\"0.005\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("t_seconds_bucket{le=\"5\"} 2\n"), "{text}");
        assert!(text.contains("t_seconds_bucket{le=\"+Inf\"} 3\n"), "{text}");
        assert!(text.contains("t_seconds_count 3\n"), "{text}");
        assert!(text.contains("t_seconds_sum 9.00304"), "{text}");
    }

    #[test]
    fn observing_all_at_once_counts_as_observing_each() {
        let one_by_one = Histogram::default();
        let at_once = Histogram::default();
        let durations = [40, 3_000, 3_001, 9_000_000].map(Duration::from_micros);
        for elapsed in durations {
            one_by_one.observe(elapsed);
        }
        at_once.observe_all(durations);
        let (mut a, mut b) = (String::new(), String::new());
        one_by_one.render("t", "test", &mut a);
        at_once.render("t", "test", &mut b);
        assert_eq!(a, b);
        assert!(a.contains("t_count 4\n"), "{a}");
    }
}
