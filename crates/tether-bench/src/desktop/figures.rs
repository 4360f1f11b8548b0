//! What two snapshots of the app's processes say: each role's memory, CPU and wake-ups, and
//! which threads wake most.

use std::collections::HashMap;

use serde::Serialize;

use super::processes::{Member, Role, Snapshot};

const MIB: f64 = 1024.0 * 1024.0;
/// The threads named in the report, the busiest first.
const WAKERS: usize = 10;

/// One role's figures.
#[derive(Debug, Serialize)]
pub struct RoleFigures {
    pub role: Role,
    pub processes: usize,
    /// Resident memory once the sessions and devices were set up, in MiB.
    pub started_mib: f64,
    /// Resident memory after the idle time, in MiB.
    pub idle_mib: f64,
    /// CPU used over the measured idle time, in percent of one core.
    pub cpu_percent: f64,
    /// Times its threads woke, per second, over the measured idle time.
    pub wakeups_per_sec: f64,
}

/// Threads of one name in one role, and how often they woke.
#[derive(Debug, Serialize)]
pub struct Waker {
    pub role: Role,
    pub thread: String,
    pub threads: usize,
    pub per_sec: f64,
}

/// Each role's figures from the snapshot after start-up (`started`) and the two that bound
/// the measured idle time (`from`, `to`).
pub fn roles(started: &Snapshot, from: &Snapshot, to: &Snapshot) -> Vec<RoleFigures> {
    let seconds = to.at.duration_since(from.at).as_secs_f64().max(1e-9);
    let mut roles = Vec::new();
    for role in [Role::App, Role::Web, Role::Network, Role::Other] {
        if to.count(role) == 0 && started.count(role) == 0 {
            continue;
        }
        let (mut cpu, mut sleeps) = (0.0, 0);
        for (pid, after) in to.members.iter().filter(|(_, m)| m.role == role) {
            let before = from.members.get(pid);
            cpu += after.cpu_seconds - before.map_or(0.0, |before| before.cpu_seconds);
            sleeps += woken(before, after).map(|(_, count)| count).sum::<u64>();
        }
        roles.push(RoleFigures {
            role,
            processes: to.count(role),
            started_mib: started.resident(role) as f64 / MIB,
            idle_mib: to.resident(role) as f64 / MIB,
            cpu_percent: cpu / seconds * 100.0,
            wakeups_per_sec: sleeps as f64 / seconds,
        });
    }
    roles
}

/// The threads that woke most between `from` and `to`, by role and name.
pub fn wakers(from: &Snapshot, to: &Snapshot) -> Vec<Waker> {
    let seconds = to.at.duration_since(from.at).as_secs_f64().max(1e-9);
    let mut by_name: HashMap<(Role, String), (usize, u64)> = HashMap::new();
    for (pid, after) in &to.members {
        for (name, count) in woken(from.members.get(pid), after) {
            let entry = by_name.entry((after.role, name.to_owned())).or_default();
            entry.0 += 1;
            entry.1 += count;
        }
    }
    let mut wakers: Vec<Waker> = (by_name.into_iter())
        .filter(|(_, (_, count))| *count > 0)
        .map(|((role, thread), (threads, count))| Waker {
            role,
            thread,
            threads,
            per_sec: count as f64 / seconds,
        })
        .collect();
    wakers.sort_by(|a, b| b.per_sec.total_cmp(&a.per_sec));
    wakers.truncate(WAKERS);
    wakers
}

/// Each thread alive at the later moment, by name, with how often it slept (and so woke)
/// since the earlier one, or since it started if it was not there yet (a process, too, that
/// was not). A thread that lived and ended between the two is not seen.
fn woken<'a>(before: Option<&Member>, after: &'a Member) -> impl Iterator<Item = (&'a str, u64)> {
    let earlier: HashMap<u32, u64> = (before.iter().flat_map(|before| &before.threads))
        .map(|thread| (thread.tid, thread.sleeps))
        .collect();
    (after.threads.iter()).map(move |thread| {
        let then = earlier.get(&thread.tid).copied().unwrap_or(0);
        (thread.name.as_str(), thread.sleeps.saturating_sub(then))
    })
}
