//! The desktop app's processes as `/proc` shows them at one moment: the app, and the web and
//! network processes its window started (all in the app's process group), each with its
//! resident memory, CPU time and threads.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use crate::proc_stat::{self, Thread};

/// What a process of the app is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The app itself: the engine, the tray and the window's native side.
    App,
    /// WebKit's web process, which runs the chat UI.
    Web,
    /// WebKit's network process.
    Network,
    /// Anything else in the group.
    Other,
}

impl Role {
    fn of(pid: u32, app: u32, name: &str) -> Self {
        // The kernel keeps 15 bytes of a name.
        match name {
            _ if pid == app => Self::App,
            "WebKitWebProces" => Self::Web,
            "WebKitNetworkPr" => Self::Network,
            _ => Self::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::App => "the app",
            Self::Web => "web process",
            Self::Network => "network process",
            Self::Other => "other",
        }
    }
}

/// One process at one moment.
pub struct Member {
    pub role: Role,
    pub resident: u64,
    pub cpu_seconds: f64,
    pub threads: Vec<Thread>,
}

/// The app's processes at one moment, by process id.
pub struct Snapshot {
    pub at: Instant,
    pub members: HashMap<u32, Member>,
}

impl Snapshot {
    /// The processes of the app whose id (and process group) is `app`.
    pub fn take(app: u32) -> Result<Self> {
        let at = Instant::now();
        let mut members = HashMap::new();
        for pid in proc_stat::group_members(app)? {
            // A process that ended meanwhile is left out.
            let member = (|| {
                Ok::<_, anyhow::Error>(Member {
                    role: Role::of(pid, app, &proc_stat::name(pid)?),
                    resident: proc_stat::resident_bytes(pid)?,
                    cpu_seconds: proc_stat::cpu_seconds(pid)?,
                    threads: proc_stat::threads(pid)?,
                })
            })();
            if let Ok(member) = member {
                members.insert(pid, member);
            }
        }
        for (role, what) in [
            (Role::App, "the app is not running"),
            (Role::Web, "its window has no web process"),
        ] {
            anyhow::ensure!(members.values().any(|member| member.role == role), "{what}");
        }
        Ok(Self { at, members })
    }

    /// Resident memory of the processes in `role`, in bytes.
    pub fn resident(&self, role: Role) -> u64 {
        (self.members.values())
            .filter(|member| member.role == role)
            .map(|member| member.resident)
            .sum()
    }

    /// How many processes have `role`.
    pub fn count(&self, role: Role) -> usize {
        (self.members.values())
            .filter(|member| member.role == role)
            .count()
    }
}
