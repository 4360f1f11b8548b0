//! A token's trip as people read it: the table and its goals.

use std::fmt::Write as _;

use super::TripBench;
use crate::report::Target;

impl TripBench {
    pub fn targets(&self) -> Vec<Target> {
        let mut targets = Vec::new();
        for case in &self.cases {
            let (name, goal) = match (case.sessions, case.devices) {
                (16, 10) => (
                    "a token's trip, 16 sessions × 10 devices: added p99 ≤ 5 ms",
                    5.0,
                ),
                (1, 1) => (
                    "a token's trip, 1 session × 1 device: added p99 ≤ 1 ms",
                    1.0,
                ),
                _ => (
                    "a token's trip, 4 sessions × 4 devices: added p99 ≤ 1 ms",
                    1.0,
                ),
            };
            targets.push(Target {
                name,
                measured: format!("{:.2} ms", case.p99_ms),
                met: case.p99_ms <= goal,
            });
        }
        targets
    }

    pub fn table(&self) -> String {
        let mut out = format!(
            "## A token's trip: what Tether adds from claude's stdout to each device\n\n\
             The real `claude` streams {} deltas {} ms apart from the fake API in every session \
             at once; every device follows every session. Added latency: from the moment a \
             tap between `claude` and Tether handed the line over to the moment the device \
             read the token's frame.\n\n\
             | sessions × devices | tokens delivered | added p50 | p99 | p99.9 | engine CPU per delivered token |\n\
             |---|---:|---:|---:|---:|---:|\n",
            self.chunks, self.delay_ms
        );
        for case in &self.cases {
            let _ = writeln!(
                out,
                "| {} × {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} µs |",
                case.sessions,
                case.devices,
                case.delivered,
                case.p50_ms,
                case.p99_ms,
                case.p999_ms,
                case.engine_cpu_us_per_token
            );
        }
        out.push('\n');
        out
    }
}
