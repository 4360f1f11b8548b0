//! What `/proc` tells of a process and its threads: CPU time, resident memory, process group,
//! and how often each thread went to sleep (each such sleep ends in a wake-up).

use std::path::Path;

use anyhow::{Context, Result};

/// One line of `/proc/<pid>/stat`, past the command name (which may hold spaces).
struct Stat(String);

impl Stat {
    fn read(dir: &Path) -> Result<Self> {
        let stat = std::fs::read_to_string(dir.join("stat"))?;
        let (_, rest) = stat.rsplit_once(") ").context("an unreadable stat")?;
        Ok(Self(rest.to_owned()))
    }

    /// The field numbered `n` in proc(5) (3 is the state, the first after the name).
    fn field(&self, n: usize) -> Result<u64> {
        let field = self.0.split(' ').nth(n - 3).context("a short stat")?;
        Ok(field.parse()?)
    }
}

/// Clock ticks per second, the unit of `/proc`'s CPU times.
fn ticks_per_second() -> Result<f64> {
    let ticks = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)?.unwrap_or(100);
    Ok(ticks as f64)
}

/// A process's CPU time so far (user and system, all its threads), in seconds.
pub fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = Stat::read(&Path::new("/proc").join(pid.to_string()))?;
    Ok((stat.field(14)? + stat.field(15)?) as f64 / ticks_per_second()?)
}

/// Whether process `pid` is still running: it exists and has not ended (an ended process the
/// parent has not yet reaped is a zombie).
pub fn running(pid: u32) -> bool {
    Stat::read(&Path::new("/proc").join(pid.to_string()))
        .is_ok_and(|stat| !stat.0.starts_with(['Z', 'X']))
}

/// The processes of process group `group`.
pub fn group_members(group: u32) -> Result<Vec<u32>> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse().ok())
        else {
            continue;
        };
        // A process may end between listing and reading: it is then no member.
        if let Ok(stat) = Stat::read(&entry.path())
            && stat.field(5)? == u64::from(group)
        {
            members.push(pid);
        }
    }
    Ok(members)
}

/// One value of a `/proc/…/status` file, by its name (`VmRSS`, `voluntary_ctxt_switches`).
fn status_value(dir: &Path, name: &str) -> Result<u64> {
    let status = std::fs::read_to_string(dir.join("status"))?;
    let line = (status.lines())
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .with_context(|| format!("no {name} in {}", dir.display()))?;
    let value = line.split_whitespace().next().context("an empty value")?;
    Ok(value.parse()?)
}

/// A process's name (as the kernel keeps it: 15 bytes at most).
pub fn name(pid: u32) -> Result<String> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))?;
    Ok(comm.trim_end().to_owned())
}

/// A process's resident memory, in bytes.
pub fn resident_bytes(pid: u32) -> Result<u64> {
    Ok(status_value(&Path::new("/proc").join(pid.to_string()), "VmRSS")? * 1024)
}

/// One thread: its id, name and how many times it has gone to sleep so far.
pub struct Thread {
    pub tid: u32,
    pub name: String,
    pub sleeps: u64,
}

/// A process's threads as they stand.
pub fn threads(pid: u32) -> Result<Vec<Thread>> {
    let mut threads = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let entry = entry?;
        let Some(tid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse().ok())
        else {
            continue;
        };
        // A thread may end between listing and reading.
        let (Ok(name), Ok(sleeps)) = (
            std::fs::read_to_string(entry.path().join("comm")),
            status_value(&entry.path(), "voluntary_ctxt_switches"),
        ) else {
            continue;
        };
        threads.push(Thread {
            tid,
            name: name.trim_end().to_owned(),
            sleeps,
        });
    }
    Ok(threads)
}
