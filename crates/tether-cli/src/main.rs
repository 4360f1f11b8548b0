//! `tether`: the engine without a window — serve it, pair devices, manage access and projects,
//! connect to an engine from a terminal, and check what Tether needs.

mod args;
mod connect;
mod control;
mod devices;
mod doctor;
mod keys;
mod lan;
mod machine;
mod ntfy;
mod pair;
mod project;
mod remote;
mod serve;
mod ssh_agent;
mod target;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// Exit code for settings that are present but wrong (clap uses the same for bad flags).
const EXIT_BAD_CONFIG: u8 = 2;

/// mimalloc: the engine allocates many small, short-lived buffers (frames, events, rows).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tether_engine::logging::init();
    let config = match cli.config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("tether: invalid settings: {error}");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("tether: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(_) => serve::run(config).await,
            Command::Pair(args) => pair::run(&config, args).await,
            Command::Devices { action } => devices::run(&config, action).await,
            Command::Keys { action } => keys::run(&config, action).await,
            Command::Lan { action } => lan::run(&config, action).await,
            Command::Remote { action } => remote::run(&config, action).await,
            Command::Ntfy { action } => ntfy::run(&config, action).await,
            Command::Connect(args) => connect::run(args).await,
            Command::Agent { action } => machine::run(config, action).await,
            Command::Project { action } => project::run(&config, action).await,
            Command::Doctor => doctor::run(&config).await,
        }
    });
    // A probe still blocked (a keyring that never answered) must not keep the command alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tether: {error:#}");
            ExitCode::FAILURE
        }
    }
}
