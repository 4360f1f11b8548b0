//! Command-line arguments, and how they override the settings file and environment.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tether_core::Config;
use tether_core::config::ConfigError;

#[derive(Debug, Parser)]
#[command(
    name = "tether",
    version,
    about = "Run Claude Code sessions on this computer and drive them from anywhere you pair."
)]
pub struct Cli {
    /// A TOML settings file (settings also come from TETHER_* environment variables).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the engine keeps its data and its local control socket.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the engine headless; prints `listening on ws://HOST:PORT` once ready.
    Serve(ServeArgs),
    /// Create, list and revoke the tokens clients connect with.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Register the folders Claude Code sessions may run in.
    Project {
        #[command(subcommand)]
        action: ProjectAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProjectAction {
    /// Allow sessions in a folder.
    Add {
        /// The folder.
        path: PathBuf,
    },
    /// List the registered folders.
    List,
    /// Stop allowing a folder.
    Remove {
        /// The project's id, as `tether project list` shows it.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (loopback only).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<IpAddr>,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Make a token and print it (once; it is never shown again).
    Create {
        /// A name to recognise the client by, e.g. "laptop script".
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token; its live connections close at once.
    Revoke {
        /// The token's id, as `tether token list` shows it.
        id: String,
    },
}

impl Cli {
    /// Defaults, then the file, then the environment, then these flags; validated.
    pub fn config(&self) -> Result<Config, ConfigError> {
        let mut config = Config::load(self.config.as_deref())?;
        if let Some(dir) = &self.data_dir {
            config.data_dir.clone_from(dir);
        }
        if let Command::Serve(serve) = &self.command {
            config.bind = serve.bind.unwrap_or(config.bind);
            config.port = serve.port.unwrap_or(config.port);
        }
        config.validate()?;
        Ok(config)
    }
}
