//! A token's trip as people read it: the table and its goals.

use std::fmt::Write as _;

use super::{TripBench, TripCase};
use crate::report::Target;

impl TripCase {
    /// Who follows the sessions, as the table names it.
    fn followers(&self) -> String {
        match (self.window, self.devices) {
            (false, devices) => format!("{} × {devices}", self.sessions),
            (true, 0) => format!("{} × the window", self.sessions),
            (true, devices) => format!("{} × {devices}, and the window showing one", self.sessions),
        }
    }

    /// The goal this case is held to, if it has one: its name, and the most added p99 it
    /// allows, in ms.
    fn goal(&self) -> Option<(&'static str, f64)> {
        let goal = match (self.window, self.sessions, self.devices) {
            (false, 1, 1) => (
                "a token's trip, 1 session × 1 device: added p99 ≤ 1 ms",
                1.0,
            ),
            (false, 4, 4) => (
                "a token's trip, 4 sessions × 4 devices: added p99 ≤ 1 ms",
                1.0,
            ),
            (false, 16, 10) => (
                "a token's trip, 16 sessions × 10 devices: added p99 ≤ 5 ms",
                5.0,
            ),
            (true, 1, 0) => (
                "a token's trip to the window, 1 session: added p99 ≤ 1 ms",
                1.0,
            ),
            (true, 16, 9) => (
                "a token's trip to the window, showing 1 of 16 sessions, 9 devices: added p99 ≤ 5 ms",
                5.0,
            ),
            _ => return None,
        };
        Some(goal)
    }

    /// The most its p99 may be: the page reads whole milliseconds, so a window's figure may
    /// read up to 1 ms low.
    fn p99_at_most(&self) -> f64 {
        if self.window {
            self.p99_ms + 1.0
        } else {
            self.p99_ms
        }
    }
}

impl TripBench {
    pub fn targets(&self) -> Vec<Target> {
        (self.cases.iter())
            .filter_map(|case| {
                let (name, goal) = case.goal()?;
                Some(Target {
                    name,
                    measured: format!("{:.2} ms", case.p99_ms),
                    met: case.p99_at_most() <= goal,
                })
            })
            .collect()
    }

    pub fn table(&self) -> String {
        let mut out = format!(
            "## A token's trip: what Tether adds from claude's stdout to each follower\n\n\
             The real `claude` streams an answer of {} tokens, with a paragraph break after \
             every {}, from the fake API, a delta each {} ms, in every session at once; every \
             device follows every session. Added latency: from the moment a \
             tap between `claude` and Tether handed the line over to the moment the device \
             read the token's frame. In the window's rows, the engine runs in the desktop app, \
             whose window shows one session: the figures are that session's tokens arriving \
             on the chat's IPC link, read in the page, and their percentiles are over those \
             tokens alone. The page reads the clock in whole milliseconds, so those figures \
             may read up to 1 ms low, and a goal counts as met only with that millisecond \
             added. Engine CPU is the CPU time of the process the \
             engine runs in (`tether`, or the app) per token delivered to any follower.\n\n\
             | sessions × followers | tokens delivered | added p50 | p99 | p99.9 | engine CPU per delivered token |\n\
             |---|---:|---:|---:|---:|---:|\n",
            self.chunks, self.paragraph, self.delay_ms
        );
        for case in &self.cases {
            let _ = writeln!(
                out,
                "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} µs |",
                case.followers(),
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
