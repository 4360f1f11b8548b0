//! The supervisor: one actor per Claude Code session, owning one `claude` child process.

mod actor;
pub mod arguments;
pub mod binary;
pub mod cli_line;
pub mod control;
pub mod environment;
pub mod handle;
pub mod orphans;
pub mod process;
pub mod rules;
pub mod sessions;
pub mod transcript;
