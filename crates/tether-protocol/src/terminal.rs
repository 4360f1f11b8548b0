//! Claude Code's own sessions, found in its transcripts (`~/.claude/projects`): what a list
//! shows of each, the folders they ran in, how far the index has come, and pages of history.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Usage;
use crate::session_view::SessionSnapshot;

/// A session the CLI keeps a transcript of, started in a terminal or anywhere else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TerminalSession {
    /// The CLI's session id (what `--resume` takes).
    pub id: String,
    /// The working directory its lines name; none when no line could be read.
    pub folder: Option<String>,
    /// A title given with `/rename`, else the CLI's summary, else the first prompt.
    pub title: Option<String>,
    /// Seconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub first_at: Option<u64>,
    #[ts(type = "number | null")]
    pub last_at: Option<u64>,
    /// Prompts and assistant messages.
    #[ts(type = "number")]
    pub messages: u64,
    pub git_branch: Option<String>,
    pub model: Option<String>,
    pub total_cost_usd: f64,
    pub usage: Usage,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Lines that could not be read and were skipped.
    #[ts(type = "number")]
    pub skipped_lines: u64,
    /// Why some or all of it could not be read.
    pub problem: Option<String>,
    /// A `claude` outside Tether is writing it now.
    pub live: bool,
    /// The Tether session that continues it, if one does.
    pub tether_session_id: Option<String>,
}

/// A folder Claude Code has worked in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TerminalFolder {
    pub path: String,
    #[ts(type = "number")]
    pub sessions: u64,
    #[ts(type = "number | null")]
    pub last_at: Option<u64>,
    /// The project for this folder, when there is one.
    pub project_id: Option<String>,
    /// The folder no longer exists.
    pub missing: bool,
}

/// How far reading the transcripts has come.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IndexProgress {
    /// Transcript files found.
    #[ts(type = "number")]
    pub files: u64,
    /// Of them, read up to date.
    #[ts(type = "number")]
    pub indexed: u64,
    /// Every file found has been read.
    pub done: bool,
}

/// The answer to `terminal.list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TerminalList {
    /// Most recent first.
    pub sessions: Vec<TerminalSession>,
    pub progress: IndexProgress,
}

/// The answer to `terminal.folders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TerminalFolders {
    /// Most recent first.
    pub folders: Vec<TerminalFolder>,
    pub progress: IndexProgress,
}

/// The answer to `terminal.open`: the last page as a read-only session. Subscribe to
/// `session:{id}` from `snapshot.position` to follow what a terminal adds to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TerminalOpened {
    pub transcript: TerminalSession,
    pub snapshot: SessionSnapshot,
    /// Pass as `before` to `terminal.read` for the page before; none at the start.
    #[ts(type = "number | null")]
    pub before: Option<u64>,
}
