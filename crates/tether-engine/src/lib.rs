//! The engine: sessions and everything around them, with no listener of its own. Whoever
//! serves (tether-server) owns the sockets and hands each connection's frames to `rpc` and
//! the `hub`.

/// Who may connect: paired devices and their tokens, pairing codes, SSH keys, callers.
pub mod auth;
/// Settings: defaults, a TOML file, then `TETHER_*` variables.
pub mod config;
/// Every live connection, so revoking a device or key closes its connections at once.
pub mod connections;
/// The data directory, private to its user and used by one engine at a time.
pub mod data_dir;
/// The engine handle the shells hold, wiring every service below.
pub mod engine;
/// A project's files for devices: confined paths, the `@` index, one file read.
pub mod files;
/// A project's git state, read-only, through the `git` binary.
pub mod git;
/// Channels with offsets and epochs, bounded history, in-order fan-out.
pub mod hub;
/// A prompt's images, checked from their bytes.
pub mod images;
/// The engine's handle to LAN access, whose listener the server owns.
pub mod lan_switch;
/// Logging for both shells, filtered by `TETHER_LOG`.
pub mod logging;
/// Remote machines: their links and runs at the hub, and the agent that runs them.
pub mod machines;
/// Counters and histograms for `/metrics`.
pub mod metrics;
/// The address a limit counts a peer as.
pub mod peer_address;
/// The folders sessions may run in.
pub mod projects;
/// Push notifications to paired devices: the VAPID key and their subscriptions.
pub mod push;
/// QR codes for the pairing link.
pub mod qr;
/// The public URL a proxy on the user's network serves the engine at, and Tailscale Serve.
pub mod remote;
/// The RPC methods, one dispatcher for every transport.
pub mod rpc;
/// One actor per Claude Code session, each owning one `claude` process.
pub mod supervisor;
/// Claude Code's own sessions, from its transcripts: index, history pages, live followers.
pub mod transcripts;

pub use config::Config;
pub use engine::Engine;

/// This build's version, as reported in `welcome` and `system.info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
