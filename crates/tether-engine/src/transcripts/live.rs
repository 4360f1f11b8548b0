//! Which transcripts a `claude` outside Tether is writing now. Every running `claude` keeps
//! `<config>/sessions/<pid>.json` with its session id and its process's start time; a file
//! whose process is gone (or whose pid now belongs to another process) is stale, and a
//! `claude` whose parent is this engine is one of Tether's own sessions.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// The most `<pid>.json` files read.
const MAX_RUNNING: usize = 1_000;
/// The largest `<pid>.json` read.
const MAX_FILE: u64 = 64 << 10;

#[derive(Deserialize)]
struct Running {
    pid: u32,
    #[serde(rename = "sessionId")]
    session_id: String,
    #[serde(rename = "procStart", default)]
    proc_start: Option<String>,
}

/// The session ids being written by a `claude` outside this engine, with its pid.
pub fn outside(running_dir: &Path) -> HashMap<String, u32> {
    let mut live = HashMap::new();
    let Ok(entries) = std::fs::read_dir(running_dir) else {
        return live;
    };
    for entry in entries.flatten().take(MAX_RUNNING) {
        let path = entry.path();
        if path.extension().is_none_or(|extension| extension != "json")
            || entry.metadata().is_ok_and(|meta| meta.len() > MAX_FILE)
        {
            continue;
        }
        let Some(running) = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Running>(&bytes).ok())
        else {
            continue;
        };
        if let Some(parent) = alive(running.pid, running.proc_start.as_deref())
            && parent != std::process::id()
        {
            live.insert(running.session_id, running.pid);
        }
    }
    live
}

/// The parent of `pid` if that process runs and started when `started` says (clock ticks
/// since boot, field 22 of `/proc/<pid>/stat`).
fn alive(pid: u32, started: Option<&str>) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields are counted after its `)`.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let parent = fields.get(1)?.parse().ok()?;
    match started {
        Some(started) if fields.get(19) != Some(&started) => None,
        _ => Some(parent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(dir: &Path, pid: u32, id: &str, started: &str) {
        let json = format!(r#"{{"pid":{pid},"sessionId":"{id}","procStart":"{started}"}}"#);
        std::fs::write(dir.join(format!("{pid}.json")), json).unwrap();
    }

    #[test]
    fn only_running_processes_outside_this_engine_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 1..];
        let started = after_name.split_whitespace().nth(19).unwrap().to_owned();
        // Our own child: one of this engine's sessions.
        running(dir.path(), child.id(), "mine", &started);
        // PID 1 runs, but started at another time than this file says: a reused pid.
        running(dir.path(), 1, "reused", "1");
        // A pid that does not run.
        running(dir.path(), u32::MAX - 1, "gone", "5");
        std::fs::write(dir.path().join("junk.json"), "{").unwrap();
        assert!(outside(dir.path()).is_empty(), "{:?}", outside(dir.path()));
        let init = std::fs::read_to_string("/proc/1/stat").unwrap();
        let init_started = init[init.rfind(')').unwrap() + 1..]
            .split_whitespace()
            .nth(19)
            .unwrap()
            .to_owned();
        running(dir.path(), 1, "terminal", &init_started);
        assert_eq!(outside(dir.path()).get("terminal"), Some(&1));
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
