//! The fan-out's figures as people read them: the burst and paced tables, and their goals.

use std::fmt::Write as _;

use serde::Serialize;

use crate::fanout::{Delivery, delivery};
use crate::report::Target;
use crate::servers::Kind;

/// How much worse than Bun's p99 Tether's may be at the same rate.
const P99_OVER_BUN: f64 = 1.5;

#[derive(Debug, Serialize)]
pub struct FanOut {
    /// Everything due at once: the peak delivered rate.
    pub burst: Vec<Delivery>,
    /// Every server at half of Tether's peak for the same subscribers: the latency.
    pub paced: Vec<Delivery>,
}

impl FanOut {
    fn subscriber_counts(&self) -> Vec<usize> {
        let mut counts: Vec<usize> = self.burst.iter().map(|run| run.subscribers).collect();
        counts.dedup();
        counts
    }

    /// Tether's burst rate over Bun's, at each count.
    fn ratios(&self) -> Vec<(usize, f64)> {
        self.subscriber_counts()
            .into_iter()
            .filter_map(|n| {
                let tether = delivery(&self.burst, Kind::Tether, n)?;
                let bun = delivery(&self.burst, Kind::Bun, n)?;
                Some((n, tether.delivered_per_sec / bun.delivered_per_sec))
            })
            .collect()
    }

    /// Tether's paced p99 over Bun's at the same rate, at each count.
    fn p99_ratios(&self) -> Vec<(usize, f64)> {
        self.subscriber_counts()
            .into_iter()
            .filter_map(|n| {
                let tether = delivery(&self.paced, Kind::Tether, n)?;
                let bun = delivery(&self.paced, Kind::Bun, n)?;
                Some((n, tether.p99_ms / bun.p99_ms.max(1e-3)))
            })
            .collect()
    }

    pub fn targets(&self) -> Vec<Target> {
        let worst = |ratios: Vec<(usize, f64)>, higher_is_better: bool| {
            ratios.into_iter().reduce(|a, b| {
                let a_worse = if higher_is_better {
                    a.1 <= b.1
                } else {
                    a.1 >= b.1
                };
                if a_worse { a } else { b }
            })
        };
        let mut targets = Vec::new();
        if let Some((n, ratio)) = worst(self.ratios(), true) {
            targets.push(Target {
                name: "fan-out throughput ≥ 1.0× Bun (every subscriber count)",
                measured: format!("{ratio:.2}× at worst ({n} subscribers)"),
                met: ratio >= 1.0,
            });
        }
        if let Some((n, ratio)) = worst(self.p99_ratios(), false) {
            targets.push(Target {
                name: "p99 at half of Tether's peak ≤ 1.5× Bun's p99 at that rate (every count)",
                measured: format!("{ratio:.2}× Bun's at worst ({n} subscribers)"),
                met: ratio <= P99_OVER_BUN,
            });
        }
        targets
    }

    /// The throughput and latency tables.
    pub fn tables(&self) -> String {
        let mut out = String::new();
        self.write_throughput(&mut out);
        self.write_latency(&mut out);
        out
    }

    fn write_throughput(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "## Fan-out: delivered events per second (all events due at once)\n\n\
             | subscribers | events | Tether | Node ws | Bun | Tether/Node | Tether/Bun |\n\
             |---:|---:|---:|---:|---:|---:|---:|"
        );
        for n in self.subscriber_counts() {
            let rate = |kind| delivery(&self.burst, kind, n).map(|run| run.delivered_per_sec);
            let (Some(tether), Some(node), Some(bun)) =
                (rate(Kind::Tether), rate(Kind::Node), rate(Kind::Bun))
            else {
                continue;
            };
            let events = delivery(&self.burst, Kind::Tether, n).map_or(0, |run| run.events);
            let _ = writeln!(
                out,
                "| {n} | {events} | {tether:.0} | {node:.0} | {bun:.0} | {:.2}× | {:.2}× |",
                tether / node,
                tether / bun
            );
        }
        let unsaved = self
            .burst
            .iter()
            .chain(&self.paced)
            .map(|run| run.unsaved)
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "\nTether saved every event it published{}.\n",
            if unsaved == 0 {
                String::new()
            } else {
                format!(" but {unsaved} (its store's queue was full)")
            }
        );
    }

    fn write_latency(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "## Latency at half of Tether's peak (the same rate for every server), ms\n\n\
             Measured from each event's due time to its arrival, p50 / p99 / p99.9. A server \
             that delivers less than 90% of the offered rate is marked overloaded: its queue \
             grows for the whole run, and so does the latency.\n\n\
             | subscribers | events/s | Tether | Node ws | Bun |\n|---:|---:|---|---|---|"
        );
        for n in self.subscriber_counts() {
            let cell = |kind| {
                delivery(&self.paced, kind, n).map_or_else(String::new, |run| {
                    let mut cell =
                        format!("{:.2} / {:.2} / {:.2}", run.p50_ms, run.p99_ms, run.p999_ms);
                    let delivered = run.delivered_per_sec / n as f64;
                    if delivered < 0.9 * run.offered_per_sec {
                        let _ = write!(cell, " (overloaded: {delivered:.0}/s)");
                    }
                    cell
                })
            };
            let rate = delivery(&self.paced, Kind::Tether, n)
                .map_or(0.0, |run| run.delivered_per_sec / n as f64);
            let _ = writeln!(
                out,
                "| {n} | {rate:.0} | {} | {} | {} |",
                cell(Kind::Tether),
                cell(Kind::Node),
                cell(Kind::Bun)
            );
        }
        out.push('\n');
    }
}
