//! The results: JSON for machines, a markdown table for people, and the targets checked.

use std::fmt::Write as _;

use serde::Serialize;

use crate::catch_up::CatchUp;
use crate::desktop::DesktopBench;
use crate::fanout_report::FanOut;
use crate::idle::IdleMemory;
use crate::machine::Machine;
use crate::pipeline::Pipeline;
use crate::project::ProjectBench;
use crate::push::PushLatency;
use crate::remote::RemoteBench;
use crate::servers::Kind;
use crate::startup::Startup;
use crate::transcripts::TranscriptBench;
use crate::trip::TripBench;
use crate::ui::UiBench;

#[derive(Debug, Serialize)]
pub struct Results {
    pub measured_at: String,
    pub machine: Machine,
    #[serde(flatten)]
    pub fanout: FanOut,
    pub idle: Vec<IdleMemory>,
    pub catch_up: Vec<CatchUp>,
    pub pipeline: Pipeline,
    /// From a move to awaiting approval to its pushes arriving.
    pub push: PushLatency,
    pub startup: Vec<Startup>,
    pub transcripts: TranscriptBench,
    pub project: ProjectBench,
    /// A session on a remote machine next to one on the hub.
    pub remote: RemoteBench,
    /// What Tether adds to a token's trip from the real `claude` to each device.
    pub trip: TripBench,
    /// The release desktop app, idle with sessions open and devices connected.
    pub desktop: DesktopBench,
    /// The browser's figures, when the browser tests ran first (`make bench` runs them).
    pub ui: Option<UiBench>,
}

/// One goal of the bench, and whether this run met it.
#[derive(Debug)]
pub struct Target {
    pub name: &'static str,
    pub measured: String,
    pub met: bool,
}

impl Results {
    fn idle_of(&self, server: Kind) -> Option<&IdleMemory> {
        self.idle.iter().find(|idle| idle.server == server)
    }

    /// The targets, each checked against these numbers.
    pub fn targets(&self) -> Vec<Target> {
        let mut targets = Vec::new();
        targets.extend(self.trip.targets());
        targets.extend(self.desktop.targets());
        targets.extend(self.fanout.targets());
        if let Some(idle) = self.idle_of(Kind::Tether) {
            let kib = idle.bytes_per_connection / 1024.0;
            targets.push(Target {
                name: "≤ 2.5 KiB per idle authenticated connection",
                measured: format!("{kib:.2} KiB"),
                met: kib <= 2.5,
            });
            targets.push(Target {
                name: "10,000 connections held on 2 cores",
                measured: format!("{} held on {} cores", idle.connections, self.machine.cores),
                met: idle.connections >= 10_000 && self.machine.cores <= 2,
            });
        }
        targets.push(Target {
            name: "supervisor pipeline ≥ 500,000 lines/s",
            measured: format!("{:.0} lines/s", self.pipeline.lines_per_sec),
            met: self.pipeline.lines_per_sec >= 500_000.0,
        });
        targets.push(Target {
            name: "approval to push leaving the engine, p99 ≤ 20 ms",
            measured: format!("{:.2} ms", self.push.p99_ms),
            met: self.push.p99_ms <= 20.0,
        });
        let t = &self.transcripts;
        targets.extend([
            Target {
                name: "index 2,000 transcripts (1 GiB) from nothing ≤ 3 s",
                measured: format!("{:.0} ms", t.cold_ms),
                met: t.cold_ms <= 3_000.0,
            },
            Target {
                name: "index again after one grew ≤ 50 ms",
                measured: format!("{:.1} ms", t.reindex_ms),
                met: t.reindex_ms <= 50.0,
            },
            Target {
                name: "indexing's peak memory ≤ 64 MiB",
                measured: format!("{:.1} MiB", t.peak_rss_mib),
                met: t.peak_rss_mib <= 64.0,
            },
            Target {
                name: "last page of a 100 MB transcript ≤ 100 ms",
                measured: format!("{:.1} ms", t.last_page_ms),
                met: t.last_page_ms <= 100.0,
            },
        ]);
        let p = &self.project;
        targets.extend([
            Target {
                name: "search over 100,000 messages, p99 ≤ 50 ms",
                measured: format!("{:.2} ms", p.search_p99_ms),
                met: p.search_p99_ms <= 50.0,
            },
            Target {
                name: "file search in a 100,000-file tree, cold ≤ 200 ms",
                measured: format!("{:.0} ms", p.file_cold_ms),
                met: p.file_cold_ms <= 200.0,
            },
            Target {
                name: "file search in a 100,000-file tree, warm ≤ 20 ms",
                measured: format!("{:.2} ms", p.file_warm_p99_ms),
                met: p.file_warm_p99_ms <= 20.0,
            },
        ]);
        if let Some(ui) = &self.ui {
            targets.extend([
                Target {
                    name: "the chat UI's first load ≤ 100 kB compressed",
                    measured: format!("{:.1} kB", ui.first_load_kb),
                    met: ui.first_load_kb <= 100.0,
                },
                Target {
                    name: "a 10,000-part session's last page painted ≤ 300 ms",
                    measured: format!("{:.0} ms", ui.open_ms),
                    met: ui.open_ms <= 300.0,
                },
                Target {
                    name: "no long task over 50 ms scrolling through it",
                    measured: format!(
                        "{} long tasks, longest {:.0} ms",
                        ui.long_tasks, ui.longest_task_ms
                    ),
                    met: ui.longest_task_ms <= 50.0,
                },
                Target {
                    name: "a 12-megapixel photo ready to send on a phone's CPU ≤ 1 s",
                    measured: format!(
                        "{:.0} ms (desktop {:.0} ms)",
                        ui.prepare_photo_phone_ms, ui.prepare_photo_desktop_ms
                    ),
                    met: ui.prepare_photo_phone_ms <= 1_000.0,
                },
                Target {
                    name: "switching between two open sessions ≤ 100 ms",
                    measured: format!(
                        "median {:.0} ms, max {:.0} ms",
                        ui.switch_median_ms, ui.switch_max_ms
                    ),
                    met: ui.switch_max_ms <= 100.0,
                },
            ]);
        }
        targets.extend(self.remote.targets());
        targets
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(out, "# Tether benchmark, {}\n", self.measured_at);
        let _ = writeln!(
            out,
            "Machine: {} ({} cores), {} GiB, Linux {}. Tether {}, Node {}, Bun {}. \
             Servers and load generator share the machine.\n",
            m.cpu, m.cores, m.memory_gib, m.kernel, m.tether, m.node, m.bun
        );
        out.push_str(&self.trip.table());
        out.push_str(&self.desktop.table());
        out.push_str(&self.fanout.tables());
        out.push_str(&crate::idle::table(&self.idle));
        out.push('\n');
        self.write_rest(&mut out);
        self.write_transcripts(&mut out);
        out.push_str(&self.project.table());
        out.push_str(&self.remote.table());
        let _ = writeln!(
            out,
            "## Targets\n\n| target | measured | met |\n|---|---|---|"
        );
        for target in self.targets() {
            let met = if target.met { "yes" } else { "**no**" };
            let _ = writeln!(out, "| {} | {} | {met} |", target.name, target.measured);
        }
        out
    }

    fn write_transcripts(&self, out: &mut String) {
        let t = &self.transcripts;
        let _ = writeln!(
            out,
            "## Claude Code's transcripts (files in the page cache)\n\n\
             | measure | Tether | `wc -l`, same bytes |\n|---|---:|---:|\n\
             | index {} files, {:.2} GiB, from nothing | {:.0} ms ({:.2}× the floor) | {:.0} ms |\n\
             | index again after one file grew | {:.1} ms | |\n\
             | peak memory of the indexing process | {:.1} MiB | |\n\
             | last page of a {:.0} MB transcript ({} messages) | {:.1} ms | |\n",
            t.files,
            t.bytes as f64 / (1u64 << 30) as f64,
            t.cold_ms,
            t.cold_ms / t.read_floor_ms,
            t.read_floor_ms,
            t.reindex_ms,
            t.peak_rss_mib,
            t.big_bytes as f64 / 1e6,
            t.last_page_messages,
            t.last_page_ms,
        );
    }

    fn write_rest(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "## Catch-up after missing events (one subscribe; history limits raised to hold them)\n\n\
             | from | events | median | events/s |\n|---|---:|---:|---:|"
        );
        for catch_up in &self.catch_up {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} ms | {:.0} |",
                catch_up.from, catch_up.events, catch_up.median_ms, catch_up.events_per_sec
            );
        }
        let p = &self.pipeline;
        let _ = writeln!(
            out,
            "\n## Supervisor pipeline (parse, transcript, publish and save; no `claude` process)\n\n\
             {} stream-json lines became {} events at **{:.0} lines/s**.\n",
            p.lines, p.events, p.lines_per_sec
        );
        let push = &self.push;
        let _ = writeln!(
            out,
            "## Push: a move to awaiting approval to each device's push at the push service\n\n\
             {} approvals, each pushed to {} devices (encrypted and signed, over HTTPS on \
             loopback): p50 {:.2} ms, p99 **{:.2} ms**, max {:.2} ms.\n",
            push.approvals, push.devices, push.p50_ms, push.p99_ms, push.max_ms
        );
        let _ = writeln!(
            out,
            "## Start to accepting connections (median of 5)\n\n| server | time |\n|---|---:|"
        );
        for startup in &self.startup {
            let _ = writeln!(
                out,
                "| {} | {:.1} ms |",
                startup.server.name(),
                startup.median_ms
            );
        }
        out.push('\n');
        if let Some(ui) = &self.ui {
            let _ = writeln!(
                out,
                "## The chat UI in Debian's chromium, against the optimized engine\n\n\
                 The first page moves {:.1} kB. A session of {} parts opens on its last page in \
                 **{:.0} ms**; scrolling from there to its first part (1,500 px a frame, pages \
                 loading on the way) took {:.1} s with {} long tasks, the longest {:.0} ms. \
                 Switching between two open sessions from the sidebar: median {:.0} ms, max \
                 {:.0} ms.\n",
                ui.first_load_kb,
                ui.parts,
                ui.open_ms,
                ui.scroll_ms / 1000.0,
                ui.long_tasks,
                ui.longest_task_ms,
                ui.switch_median_ms,
                ui.switch_max_ms
            );
        }
    }
}
