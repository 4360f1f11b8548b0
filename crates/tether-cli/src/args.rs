//! Command-line arguments, and how they override the settings file and environment.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tether_engine::Config;
use tether_engine::config::{ConfigError, default_config_file};

#[derive(Debug, Parser)]
#[command(
    name = "tether",
    version,
    about = "Run Claude Code sessions on this computer and drive them from anywhere you pair."
)]
pub struct Cli {
    /// A TOML settings file [default: $TETHER_CONFIG, else ~/.config/tether/tether.toml when it
    /// exists] (settings also come from TETHER_* environment variables).
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
    /// Pair a phone or tablet: shows a code and a QR code, then asks you to approve the device.
    Pair(PairArgs),
    /// List, add, rename and revoke paired devices.
    Devices {
        #[command(subcommand)]
        action: DevicesAction,
    },
    /// Authorize SSH keys to sign in (for `tether connect` from another machine).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Turn LAN access (HTTPS and WSS with the app's own certificate) on or off.
    Lan {
        #[command(subcommand)]
        action: LanAction,
    },
    /// Reach Tether from anywhere: the public HTTPS URL your own proxy (Tailscale Serve,
    /// Cloudflare Tunnel, Caddy) serves it at.
    Remote {
        #[command(subcommand)]
        action: RemoteAction,
    },
    /// Notifications through ntfy, to the topic push.ntfy_url names.
    Ntfy {
        #[command(subcommand)]
        action: NtfyAction,
    },
    /// Open a session on a Tether engine and chat with it in this terminal.
    Connect(ConnectArgs),
    /// Run this computer's sessions for a Tether desktop elsewhere (the hub): pair with it
    /// once, then run the agent, which dials out to the hub (no port opens here).
    Agent {
        #[command(subcommand)]
        action: AgentAction,
    },
    /// Register the folders Claude Code sessions may run in.
    Project {
        #[command(subcommand)]
        action: ProjectAction,
    },
    /// Check what Tether needs (claude, the keyring, the data directory, the port, LAN access)
    /// and say what to fix; exits 1 when something is wrong.
    Doctor,
}

#[derive(Debug, Subcommand)]
pub enum AgentAction {
    /// Join a hub as one of its machines, with the pairing code its desktop shows; the
    /// desktop user approves, and the machine's token goes to this computer's keyring.
    Pair {
        /// The hub's address: its public URL (https://…), wss://ADDRESS:PORT for LAN
        /// access, or ws://127.0.0.1:PORT on the same computer.
        url: String,
        /// The pairing code the desktop shows, e.g. 7KQF-3M9D.
        code: String,
        /// The certificate fingerprint (SHA256:…) to trust for LAN access.
        #[arg(long, value_name = "FP")]
        fingerprint: Option<String>,
        /// The name the hub shows for this computer [default: its host name].
        #[arg(long)]
        name: Option<String>,
    },
    /// Connect to the paired hub and run sessions for it until stopped (SIGINT or SIGTERM);
    /// the link is kept up, reconnecting with backoff. Register the folders it offers with
    /// `tether project add` while it runs.
    Run,
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

#[derive(Debug, Args)]
pub struct PairArgs {
    /// Approve the first device that presents the code, without asking.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum DevicesAction {
    /// Add a device without pairing and print its token (once; it is never shown again),
    /// e.g. for a script.
    Add {
        /// A name to recognise it by, e.g. "build server".
        #[arg(long)]
        name: String,
        /// A token for a computer running `tether agent`, which connects only as a machine.
        #[arg(long)]
        machine: bool,
    },
    /// List paired devices (never their tokens).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Give a device another name.
    Rename {
        /// The device's id, as `tether devices list` shows it.
        id: String,
        name: String,
    },
    /// Unpair a device; its live connections close at once.
    Revoke {
        /// The device's id, as `tether devices list` shows it.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Authorize a public key (a `.pub` file, or `-` for standard input).
    Add {
        file: PathBuf,
        /// A name for it; by default the key's comment.
        #[arg(long)]
        name: Option<String>,
    },
    /// List the authorized keys.
    List,
    /// Stop a key from signing in; its live connections close at once.
    Remove {
        /// The key's fingerprint (`SHA256:…`), as `tether keys list` shows it.
        fingerprint: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LanAction {
    /// Serve the local network over TLS, and print the address and certificate fingerprint.
    On {
        /// The interface address; by default the one that routes to the network.
        #[arg(long, value_name = "ADDR")]
        address: Option<IpAddr>,
        #[arg(long, value_name = "N")]
        port: Option<u16>,
    },
    /// Stop serving the local network; its connections close.
    Off,
    /// Whether the local network is served, where, and with which certificate.
    Status,
    /// Replace the certificate with a new one (a new key and fingerprint): devices that
    /// pinned the old one must pin the new one, and browsers ask again.
    RotateCert,
}

#[derive(Debug, Subcommand)]
pub enum RemoteAction {
    /// Serve devices at URL (`https://HOST[:PORT]`, where your proxy forwards to this
    /// engine's port), or `off`; connections through the old URL close.
    Set {
        /// `https://HOST[:PORT]`, or `off`.
        url: String,
    },
    /// Turn Tailscale Serve on (https://MACHINE.TAILNET.ts.net/ becomes the public URL) or off.
    Tailscale {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// The public URL, and who set it.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum NtfyAction {
    /// Keep the topic's access token, read as one line of standard input, in the keyring.
    Token {
        /// Forget the token instead.
        #[arg(long)]
        clear: bool,
    },
    /// Publish a test notification to the topic, and say whether the server took it.
    Test,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The engine's address: ws://127.0.0.1:7410 or wss://ADDRESS:7411.
    pub url: String,
    /// The project to work in: its id, or its folder.
    #[arg(long)]
    pub project: String,
    /// Continue this session instead of starting one.
    #[arg(long)]
    pub session: Option<String>,
    /// Sign in with this SSH private key file instead of a token.
    #[arg(long, value_name = "FILE", conflicts_with = "agent")]
    pub key: Option<PathBuf>,
    /// Sign in with the first key ssh-agent holds (or the one whose .pub file is given).
    #[arg(long, num_args = 0..=1, value_name = "PUBFILE")]
    pub agent: Option<Option<PathBuf>>,
    /// The certificate fingerprint (SHA256:…) to trust for wss:// (from the desktop or QR).
    #[arg(long, value_name = "FP")]
    pub fingerprint: Option<String>,
}

impl Cli {
    /// Defaults, then the file, then the environment, then these flags; validated.
    pub fn config(&self) -> Result<Config, ConfigError> {
        let file = self.config.clone().or_else(default_config_file);
        let mut config = Config::load(file.as_deref())?;
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
