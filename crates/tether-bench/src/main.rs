//! `make bench`: Tether's fan-out, memory per connection, catch-up, pipeline, push latency and
//! start-up, measured side by side with a Node `ws` server and a Bun server doing the same work
//! in the same run, its reading of Claude Code's transcripts next to `wc -l`, search and file
//! search next to `grep` and `find`, a session on a remote machine next to one on the hub, a
//! token's trip, the release desktop app left idle, and the chat UI's figures from the browser
//! tests. Prints a markdown table and writes it, with
//! the JSON, to the output folder.

mod catch_up;
mod client;
mod clock;
mod desktop;
mod engine;
mod fanout;
mod fanout_report;
mod idle;
mod lines;
mod machine;
mod pipeline;
mod proc_stat;
mod project;
mod push;
mod remote;
mod report;
mod serve;
mod servers;
mod stand_in_claude;
mod startup;
mod stats;
mod tap;
mod tether_process;
mod transcripts;
mod trip;
mod ui;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tether_protocol::clock::{unix_now, utc};

use crate::machine::Machine;
use crate::report::Results;
use crate::servers::Programs;

/// How long the desktop app is left idle by default: ten minutes, as a person leaves it.
const DESKTOP_IDLE_SECS: u64 = 600;
/// The release desktop app, built beside this program.
const DESKTOP_APP: &str = "tether-desktop";

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every measurement and write the results.
    Run {
        /// Where latest.json and latest.md go.
        #[arg(long, default_value = "bench/results")]
        out: PathBuf,
        /// The peers' scripts and their node_modules.
        #[arg(long, default_value = "bench/peers")]
        peers: PathBuf,
        /// Subscriber counts for the fan-out.
        #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000")]
        subscribers: Vec<usize>,
        /// Idle connections held for the memory measurement.
        #[arg(long, default_value_t = 10_000)]
        idle: usize,
        /// Missed events for the catch-up.
        #[arg(long, default_value_t = 10_000)]
        missed: usize,
        /// Where the browser tests left the chat UI's figures (none: not reported).
        #[arg(long)]
        ui: Option<PathBuf>,
        /// How long the desktop app is left idle, in seconds.
        #[arg(long, default_value_t = DESKTOP_IDLE_SECS)]
        desktop_idle: u64,
    },
    /// The fan-out and the idle connections' memory alone (all three servers), as markdown
    /// tables: for profiling them.
    Fanout {
        #[arg(long, default_value = "bench/peers")]
        peers: PathBuf,
        #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000")]
        subscribers: Vec<usize>,
        /// Idle connections held (0: not measured).
        #[arg(long, default_value_t = 0)]
        idle: usize,
    },
    /// Tether's side of the fan-out (started by `run`; reads commands on stdin).
    Serve { lines: PathBuf },
    /// Indexes Claude Code transcripts from nothing, then after `grow` grew (started by `run`).
    Index { projects: PathBuf, grow: PathBuf },
    /// Reads the last page of one transcript (started by `run`).
    Page { projects: PathBuf, id: String },
    /// Search and file search alone, as JSON (for profiling them).
    Project,
    /// The supervisor pipeline alone, as JSON (for profiling it).
    Pipeline {
        #[arg(long, default_value_t = 100_000)]
        lines: usize,
    },
    /// A session on a remote machine next to one on the hub, alone, as JSON.
    Remote,
    /// A token's trip alone, as markdown (needs TETHER_CLAUDE, the real `claude`, and for the
    /// window's cases the release app built beside this program, Xvfb and tauri-driver).
    Trip,
    /// The desktop app alone, as markdown (needs TETHER_CLAUDE and the release app built beside
    /// this program).
    Desktop {
        /// How long it is left idle, in seconds.
        #[arg(long, default_value_t = DESKTOP_IDLE_SECS)]
        idle: u64,
    },
    /// The `claude` the trip bench gives Tether: runs TETHER_BENCH_CLAUDE and notes when it
    /// handed each token over (started by Tether; its arguments are claude's).
    Tap {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The stand-in `claude` the remote bench runs (its arguments are claude's, ignored).
    Claude {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        ignored: Vec<String>,
    },
}

/// mimalloc: the engine allocates many small, short-lived buffers (frames, events, rows).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Serve { lines } => serve::run(&lines).await,
        Command::Fanout {
            peers,
            subscribers,
            idle,
        } => {
            raise_open_files_limit()?;
            let lines = tempfile::tempdir()?;
            let programs = programs(peers, lines.path())?;
            if idle > 0 {
                println!("{}", idle::table(&idle::measure(&programs, idle).await?));
            }
            let fanout = fanout::measure(&programs, &subscribers).await?;
            println!("{}", fanout.tables());
            print_targets(&fanout.targets());
            Ok(())
        }
        Command::Index { projects, grow } => {
            println!(
                "{}",
                serde_json::to_string(&transcripts::index(&projects, &grow)?)?
            );
            Ok(())
        }
        Command::Pipeline { lines } => {
            println!("{}", serde_json::to_string(&pipeline::run(lines).await?)?);
            Ok(())
        }
        Command::Project => {
            println!("{}", serde_json::to_string(&project::run().await?)?);
            Ok(())
        }
        Command::Remote => {
            let bench = std::env::current_exe()?;
            let remote = remote::run(&bench.with_file_name("tether"), &bench).await?;
            println!("{}", serde_json::to_string(&remote)?);
            Ok(())
        }
        Command::Claude { .. } => stand_in_claude::run(),
        Command::Tap { args } => tap::run(&args),
        Command::Trip => {
            let bench = std::env::current_exe()?;
            let trip = trip::run(
                &bench.with_file_name(DESKTOP_APP),
                &bench.with_file_name("tether"),
                &bench,
            )
            .await?;
            println!("{}", trip.table());
            print_targets(&trip.targets());
            Ok(())
        }
        Command::Desktop { idle } => {
            let bench = std::env::current_exe()?;
            let desktop = desktop::run(
                &bench.with_file_name(DESKTOP_APP),
                &bench.with_file_name("tether"),
                Duration::from_secs(idle),
            )
            .await?;
            println!("{}", desktop.table());
            print_targets(&desktop.targets());
            Ok(())
        }
        Command::Page { projects, id } => {
            println!(
                "{}",
                serde_json::to_string(&transcripts::page(&projects, &id)?)?
            );
            Ok(())
        }
        Command::Run {
            out,
            peers,
            subscribers,
            idle,
            missed,
            ui,
            desktop_idle,
        } => {
            let desktop_idle = Duration::from_secs(desktop_idle);
            let mut results = measure(peers, &subscribers, idle, missed, desktop_idle).await?;
            results.ui = ui.as_deref().map(ui::read_figures).transpose()?;
            let markdown = results.markdown();
            std::fs::create_dir_all(&out)?;
            std::fs::write(out.join("latest.md"), &markdown)?;
            std::fs::write(
                out.join("latest.json"),
                serde_json::to_string_pretty(&results)? + "\n",
            )?;
            println!("{markdown}");
            Ok(())
        }
    }
}

async fn measure(
    peers: PathBuf,
    subscribers: &[usize],
    idle: usize,
    missed: usize,
    desktop_idle: Duration,
) -> Result<Results> {
    raise_open_files_limit()?;
    let bench = std::env::current_exe()?;
    let tether = bench.with_file_name("tether");
    let app = bench.with_file_name(DESKTOP_APP);
    for program in [&tether, &app] {
        anyhow::ensure!(
            program.exists(),
            "{} is missing: build it with the bench",
            program.display()
        );
    }
    let lines_dir = tempfile::tempdir()?;
    let programs = programs(peers, lines_dir.path())?;
    let machine = Machine::describe(&programs.node, &programs.bun);

    let memory = idle::measure(&programs, idle).await?;

    let fanout = fanout::measure(&programs, subscribers).await?;

    eprintln!("catch-up, pipeline, push, start-up, transcripts, search and files");
    Ok(Results {
        measured_at: format!("{} UTC", utc(unix_now())),
        machine,
        fanout,
        idle: memory,
        catch_up: catch_up::run(missed).await?,
        pipeline: pipeline::run(100_000).await?,
        push: push::run(8, 300).await?,
        startup: startup::run(&programs, &tether).await?,
        transcripts: transcripts::run(&programs.bench).await?,
        project: project::run().await?,
        remote: remote::run(&tether, &programs.bench).await?,
        trip: trip::run(&app, &tether, &programs.bench).await?,
        desktop: desktop::run(&app, &tether, desktop_idle).await?,
        ui: None,
    })
}

/// Prints each goal, measured, and whether it was met.
fn print_targets(targets: &[report::Target]) {
    for target in targets {
        let met = if target.met { "met" } else { "missed" };
        println!("{}: {} ({met})", target.name, target.measured);
    }
}

/// The servers' programs, fed the bench's stream-json lines (written into `dir`).
fn programs(peers: PathBuf, dir: &std::path::Path) -> Result<Programs> {
    let bench = std::env::current_exe()?;
    let lines = dir.join("lines.jsonl");
    lines::write(&lines, &lines::deltas(1000))?;
    Ok(Programs {
        node: servers::find("node", &peers)?,
        bun: servers::find("bun", &peers)?,
        bench,
        peers: peers.canonicalize().context("the peers folder")?,
        lines,
    })
}

/// Lets this process (and the servers it starts) hold the idle crowd's sockets.
fn raise_open_files_limit() -> Result<()> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    Ok(())
}
