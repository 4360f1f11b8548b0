//! A project's files and its git state, as devices read them: entries to mention, a file to
//! show, the working tree's status and a file's diff. Every path is relative to the project's
//! folder, with `/` between its parts.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FilesSearchParams {
    pub project_id: String,
    /// Letters to find in a path, in order (`srvmain` finds `src/server/main.rs`); blank
    /// lists the project's first entries.
    pub query: String,
    /// At most this many (1–200, default 50).
    #[ts(optional)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    File,
    Folder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FileEntry {
    pub path: String,
    pub kind: FileKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FileMatches {
    /// Best first.
    pub entries: Vec<FileEntry>,
    /// The project holds more entries than are searched (see `files.search`).
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FilePathParams {
    pub project_id: String,
    /// Relative to the project's folder.
    pub path: String,
}

/// One file, to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FileContent {
    pub path: String,
    /// In bytes.
    #[ts(type = "number")]
    pub size: u64,
    pub body: FileBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileBody {
    Text {
        text: String,
    },
    /// Not UTF-8 text.
    Binary,
    /// Larger than `files.read` shows.
    TooLarge {
        #[ts(type = "number")]
        limit: u64,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectParams {
    pub project_id: String,
}

/// The project's git state, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum GitStatus {
    /// The folder is not in a git repository.
    NotRepository,
    Repository(GitRepository),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GitRepository {
    /// `None` on a detached HEAD.
    pub branch: Option<String>,
    /// The commit checked out (abbreviated); `None` before the first commit.
    pub head: Option<String>,
    pub upstream: Option<String>,
    pub ahead: u32,
    pub behind: u32,
    /// Changed, added, deleted, renamed, conflicted and untracked files.
    pub changes: Vec<GitChange>,
    /// More files changed than are listed.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GitChange {
    pub path: String,
    /// The path it was renamed or copied from.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What changed in the index (staged), as git's one-letter code (`M`, `A`, `D`, `R`, `C`,
    /// `U`, `.` for nothing, `?` untracked).
    pub staged: String,
    /// What changed in the working tree, likewise.
    pub unstaged: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GitDiffParams {
    pub project_id: String,
    pub path: String,
    /// The staged change (index against HEAD) instead of the working tree's.
    #[ts(optional)]
    pub staged: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GitDiff {
    pub path: String,
    /// A unified diff; empty when nothing changed. An untracked file's whole text.
    pub diff: String,
    /// The diff was cut at the most shown.
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to find, as typed: quotes, `*`, `NEAR`, `AND`, parentheses are plain text; the
    /// last word also matches as the start of a word.
    pub query: String,
    /// At most this many (1–100, default 30).
    #[ts(optional)]
    pub limit: Option<usize>,
}

/// A message that matched, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchHit {
    pub session_id: String,
    pub message_id: String,
    pub role: crate::model::Role,
    /// The text around the match, the matched words marked.
    pub snippet: Vec<SnippetPiece>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SnippetPiece {
    pub text: String,
    pub matched: bool,
}
