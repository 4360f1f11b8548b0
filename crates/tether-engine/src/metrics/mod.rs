//! What the engine counts for operators, as Prometheus text at `/metrics`: connections by kind,
//! frames and bytes in and out, outbound queue depth, slow consumers cut off, sessions by status, `claude` restarts
//! and stalls, how long the event log takes to commit, and how long an event takes to reach
//! each subscriber's socket.

mod scrape;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

pub use self::scrape::scrape;
pub use tether_store::Histogram;

/// A count that only goes up.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn add(&self, amount: u64) {
        self.0.fetch_add(amount, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The engine's counters, shared by everything that moves.
#[derive(Default)]
pub struct Metrics {
    pub frames_in: Counter,
    pub frames_out: Counter,
    pub bytes_in: Counter,
    pub bytes_out: Counter,
    /// Connections closed because they could not keep up (4002).
    pub slow_consumers: Counter,
    /// `claude` processes started again, resuming a session's conversation.
    pub claude_restarts: Counter,
    /// Turns that went silent past the stall timeout.
    pub claude_stalls: Counter,
    /// Push notifications the push service accepted.
    pub pushes_sent: Counter,
    /// Push notifications given up on (refused, or still failing after every retry), or
    /// dropped because the queue was full.
    pub pushes_failed: Counter,
    /// From an event's publication to its write on each subscriber's socket.
    pub fanout_seconds: Histogram,
}

/// What is read at scrape time: how many of each there are now.
pub struct Gauges {
    /// Live connections by kind of caller (`local`, `device`, `key`).
    pub connections: Vec<(&'static str, usize)>,
    /// Sessions by status (`idle`, `running`, …).
    pub sessions: Vec<(String, usize)>,
    /// Bytes waiting in outbound queues: in all, and in the fullest one.
    pub queued_bytes: (usize, usize),
}

impl Metrics {
    /// Counts a data frame (text or binary) of `bytes` read from a client.
    pub fn received(&self, bytes: usize) {
        self.frames_in.add(1);
        self.bytes_in.add(bytes as u64);
    }

    /// Counts `frames` data frames, `bytes` in all, written to a client.
    pub fn sent(&self, frames: usize, bytes: usize) {
        self.frames_out.add(frames as u64);
        self.bytes_out.add(bytes as u64);
    }

    /// Everything, as Prometheus text (version 0.0.4), with `commits` (the event log's
    /// commit times).
    pub fn render(&self, gauges: &Gauges, commits: &Histogram) -> String {
        let mut out = String::new();
        gauge_family(
            &mut out,
            "tether_connections",
            "Live WebSocket and IPC connections, by kind of caller.",
            "kind",
            gauges.connections.iter().map(|(kind, n)| (*kind, *n)),
        );
        gauge_family(
            &mut out,
            "tether_sessions",
            "Sessions, by status.",
            "status",
            gauges
                .sessions
                .iter()
                .map(|(status, n)| (status.as_str(), *n)),
        );
        let (queued, fullest) = gauges.queued_bytes;
        let _ = writeln!(
            out,
            "# HELP tether_outbound_queued_bytes Bytes waiting in connections' outbound queues.\n\
             # TYPE tether_outbound_queued_bytes gauge\ntether_outbound_queued_bytes {queued}\n\
             # HELP tether_outbound_queued_bytes_max Bytes waiting in the fullest outbound queue.\n\
             # TYPE tether_outbound_queued_bytes_max gauge\ntether_outbound_queued_bytes_max {fullest}"
        );
        let counters = [
            (
                "tether_frames_received_total",
                "Frames received from clients.",
                &self.frames_in,
            ),
            (
                "tether_frames_sent_total",
                "Frames sent to clients.",
                &self.frames_out,
            ),
            (
                "tether_bytes_received_total",
                "Bytes of frames received from clients.",
                &self.bytes_in,
            ),
            (
                "tether_bytes_sent_total",
                "Bytes of frames sent to clients.",
                &self.bytes_out,
            ),
            (
                "tether_slow_consumer_disconnects_total",
                "Connections closed because they could not keep up (4002).",
                &self.slow_consumers,
            ),
            (
                "tether_claude_restarts_total",
                "claude processes started again, resuming a session's conversation.",
                &self.claude_restarts,
            ),
            (
                "tether_claude_stalls_total",
                "Turns that went silent past the stall timeout.",
                &self.claude_stalls,
            ),
            (
                "tether_pushes_sent_total",
                "Push notifications the push service accepted.",
                &self.pushes_sent,
            ),
            (
                "tether_pushes_failed_total",
                "Push notifications given up on, or dropped with the queue full.",
                &self.pushes_failed,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.get()
            );
        }
        commits.render(
            "tether_event_log_commit_seconds",
            "Time to commit one batch of events to the event log.",
            &mut out,
        );
        self.fanout_seconds.render(
            "tether_fanout_seconds",
            "Time from an event's publication to its write on a subscriber's socket.",
            &mut out,
        );
        out
    }
}

fn gauge_family<'a>(
    out: &mut String,
    name: &str,
    help: &str,
    label: &str,
    values: impl Iterator<Item = (&'a str, usize)>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (value, count) in values {
        let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {count}");
    }
}
