//! `tether`: the engine without a window — serve it, and manage its tokens and projects.

mod args;
mod control;
mod project;
mod serve;
mod token;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// Exit code for settings that are present but wrong (clap uses the same for bad flags).
const EXIT_BAD_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tether_core::logging::init();
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
            Command::Token { action } => token::run(&config, action).await,
            Command::Project { action } => project::run(&config, action).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tether: {error:#}");
            ExitCode::FAILURE
        }
    }
}
