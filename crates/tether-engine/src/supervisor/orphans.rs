//! Processes a crashed engine left behind. Each running `claude` is recorded in the data
//! directory (`run/claude-<group>`, holding its start time and run marker); the next engine to
//! claim the directory stops what is still alive before it serves: every process carrying the
//! run's marker, and the group if it is provably the recorded one (its leader alive with the
//! recorded start time, or, with the leader gone, members still in it: a group id cannot be
//! reused while any member lives).

use std::path::{Path, PathBuf};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::process::{ClaudeProcess, kill_marked, live_group_members, start_time};

const PREFIX: &str = "claude-";

/// Where running `claude` processes are recorded.
pub fn run_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("run")
}

/// Records a running `claude`: its group, its start time and its run marker.
pub fn record(data_dir: &Path, process: &ClaudeProcess) {
    let dir = run_dir(data_dir);
    let group = process.group();
    let started = start_time(group)
        .map(|ticks| format!("{ticks} {}", process.marker()))
        .unwrap_or_default();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{PREFIX}{group}")), started));
    if let Err(error) = written {
        tracing::warn!(%error, group, "could not record a claude process; a crash could leave it running");
    }
}

/// Forgets a process group that has been stopped.
pub fn forget(data_dir: &Path, group: i32) {
    let _ = std::fs::remove_file(run_dir(data_dir).join(format!("{PREFIX}{group}")));
}

/// Stops what is left of every recorded run; returns how many runs had something left.
/// Call only while holding the data directory's lock, before any session starts.
pub fn reap(data_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(run_dir(data_dir)) else {
        return 0;
    };
    let mut stopped = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let group = name
            .to_str()
            .and_then(|name| name.strip_prefix(PREFIX))
            .and_then(|id| id.parse::<i32>().ok());
        let record = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let mut fields = record.split_whitespace();
        let recorded = fields.next().and_then(|ticks| ticks.parse::<u64>().ok());
        let group_killed = group.is_some_and(|group| {
            still_ours(group, recorded) && killpg(Pid::from_raw(group), Signal::SIGKILL).is_ok()
        });
        let marked_killed = fields.next().map_or_else(Vec::new, kill_marked);
        if group_killed || !marked_killed.is_empty() {
            stopped += 1;
        }
        let _ = std::fs::remove_file(entry.path());
    }
    if stopped > 0 {
        tracing::warn!(
            stopped,
            "stopped claude processes left running by an engine that crashed"
        );
    }
    stopped
}

fn still_ours(group: i32, recorded: Option<u64>) -> bool {
    match start_time(group) {
        Some(started) => Some(started) == recorded,
        None => live_group_members(group) > 0,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::supervisor::process::spawn_sh;

    #[tokio::test]
    async fn recorded_groups_are_stopped_and_recycled_ids_are_left_alone() {
        let data = tempfile::tempdir().unwrap();
        let ours = spawn_sh("sleep 300 & wait", data.path());
        record(data.path(), &ours);
        // A group whose leader started at another time than recorded: its id was reused.
        let reused = spawn_sh("sleep 300 & wait", data.path());
        let dir = run_dir(data.path());
        std::fs::write(dir.join(format!("{PREFIX}{}", reused.group())), "1").unwrap();
        // A group whose leader is gone but whose tool process lives on.
        let mut orphaned = spawn_sh(
            "(trap '' INT TERM HUP; sleep 300) & echo started; exec true",
            data.path(),
        );
        assert_eq!(
            orphaned.stdout.next_line().await.unwrap().as_deref(),
            Some("started")
        );
        let orphaned_group = orphaned.group();
        record(data.path(), &orphaned);
        let leader_gone = async {
            while start_time(orphaned_group).is_some() {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), leader_gone)
            .await
            .expect("the leader exits at once");

        assert_eq!(
            reap(data.path()),
            2,
            "ours and the orphaned group, not the reused id"
        );
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            0,
            "records are cleared"
        );
        // A killed process is gone once the system has reaped it, a moment after the signal.
        let orphan_gone = async {
            while live_group_members(orphaned_group) > 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), orphan_gone)
            .await
            .expect("the orphaned tool process is killed");
        assert!(live_group_members(reused.group()) > 0);
        reused.stop(Duration::from_millis(100)).await;
        drop((ours, orphaned));
    }
}
