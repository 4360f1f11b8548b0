//! The supervisor: one actor per Claude Code session, owning one `claude` child process.

/// The values from outside that reach `claude`'s command line, checked.
pub mod arguments;
/// Finding the `claude` binary.
pub mod binary;
/// A session's `claude`: a child of this engine, or a run on a machine.
mod child;
/// Writing user turns and control messages to `claude`'s stdin.
pub mod control;
/// The environment a `claude` gets.
pub mod environment;
/// The handle to a session actor: commands in, answers back.
pub mod handle;
/// How a `claude` is started, from a session's settings.
pub(crate) mod launch;
/// Processes a crashed engine left behind.
pub mod orphans;
pub(crate) mod pages;
/// One `claude` child in its own process group.
pub mod process;
/// Who may approve what, and which suggested rules an approval may add.
pub mod rules;
/// The session actor: one task owns a session's `claude` process and its state.
mod session_actor;
/// The session reducer: inputs in, events out, state changed only by them.
pub mod session_reducer;
/// Every session: creating, finding and stopping them.
pub mod sessions;
/// The slash commands a `claude` offers, from its `initialize` answer.
pub mod slash_commands;
/// The stream-json parser: one typed line per line `claude` prints.
pub mod stream_json;
pub(crate) mod titles;
