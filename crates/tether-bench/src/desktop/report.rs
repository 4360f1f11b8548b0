//! The desktop app as people read it: its table, the threads that wake most, and its goals.

use std::fmt::Write as _;

use super::DesktopBench;
use super::processes::Role;
use crate::report::Target;

impl DesktopBench {
    fn idle_mib(&self, role: Role) -> f64 {
        (self.roles.iter())
            .find(|figures| figures.role == role)
            .map_or(0.0, |figures| figures.idle_mib)
    }

    fn cpu_percent(&self) -> f64 {
        self.roles.iter().map(|figures| figures.cpu_percent).sum()
    }

    pub fn targets(&self) -> Vec<Target> {
        let (app, web) = (self.idle_mib(Role::App), self.idle_mib(Role::Web));
        vec![
            Target {
                name: "desktop app resident memory, idle: the app ≤ 80 MiB",
                measured: format!("{app:.0} MiB"),
                met: app <= 80.0,
            },
            Target {
                name: "desktop app resident memory, idle: the web process ≤ 150 MiB",
                measured: format!("{web:.0} MiB"),
                met: web <= 150.0,
            },
            Target {
                name: "launch to the window's first paint ≤ 300 ms",
                measured: format!("{:.0} ms", self.launch_to_paint_ms),
                met: self.launch_to_paint_ms <= 300.0,
            },
            Target {
                name: "desktop app idle CPU < 0.1 %",
                measured: format!("{:.3} %", self.cpu_percent()),
                met: self.cpu_percent() < 0.1,
            },
        ]
    }

    pub fn table(&self) -> String {
        let mut out = format!(
            "## The desktop app (release build, under Xvfb)\n\n\
             {} sessions open (their `claude` running) and {} devices connected. Launch to the \
             window's first paint: **{:.0} ms** (the app's own figure, from its `main`: {:.0} \
             ms, of which the page, from its first request: {:.0} ms). Memory is resident \
             (RSS: shared libraries count in full in each process), after start and after {} s \
             idle; CPU and wake-ups are over the last {} s of that idle, CPU in percent of one \
             core.\n\n\
             | process | count | after start | after idle | CPU | wake-ups/s |\n\
             |---|---:|---:|---:|---:|---:|\n",
            self.sessions,
            self.devices,
            self.launch_to_paint_ms,
            self.app_paint_ms,
            self.page_paint_ms,
            self.idle_secs,
            self.measured_secs
        );
        for figures in &self.roles {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} MiB | {:.1} MiB | {:.3} % | {:.1} |",
                figures.role.name(),
                figures.processes,
                figures.started_mib,
                figures.idle_mib,
                figures.cpu_percent,
                figures.wakeups_per_sec
            );
        }
        out.push_str("\nThe threads that woke most while idle:\n\n| process | thread | threads | wake-ups/s |\n|---|---|---:|---:|\n");
        for waker in &self.wakers {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {:.2} |",
                waker.role.name(),
                waker.thread,
                waker.threads,
                waker.per_sec
            );
        }
        out.push('\n');
        out
    }
}
