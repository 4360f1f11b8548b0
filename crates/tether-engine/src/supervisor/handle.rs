//! The cloneable handle to a session actor: commands in, answers back, the summary always readable.

use tokio::sync::{mpsc, oneshot, watch};

use super::arguments::ArgumentError;
use super::binary::ClaudeNotFound;
use super::rules::Approver;
use super::session_reducer::Prompt;
use tether_protocol::model::{SessionInfo, SlashCommand, Todo};
use tether_protocol::results::RefusedRule;
use tether_protocol::session_view::{MessagePage, SessionSnapshot};

/// Why a session could not do what was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SessionError {
    #[error("the session has ended")]
    Ended,
    #[error("no pending approval has the id {0:?}; it may have been answered already")]
    NoSuchApproval(String),
    #[error(transparent)]
    ClaudeNotFound(#[from] ClaudeNotFound),
    #[error("could not start claude: {0}")]
    Spawn(String),
    #[error("nothing to {0}")]
    Nothing(&'static str),
    #[error("claude refused: {0}")]
    Refused(String),
    #[error("claude did not answer within {0:?}; the setting is unchanged")]
    NoAnswer(std::time::Duration),
    #[error(transparent)]
    Argument(#[from] ArgumentError),
    #[error(
        "only the desktop may approve this {0} call (the setting claude.bash_approvals_desktop_only \
         keeps Bash commands, and edits that would let commands run, for the desktop): approve \
         it on the desktop, or deny it"
    )]
    DesktopOnly(String),
}

pub(super) type Reply<T> = oneshot::Sender<Result<T, SessionError>>;

/// What a session actor can be asked to do.
pub enum Command {
    Send {
        prompt: Prompt,
        /// The client's id for this prompt: the same id sent again gets the same message,
        /// and the prompt is not sent twice.
        client_id: Option<String>,
        reply: Reply<String>,
    },
    Retry {
        reply: Reply<String>,
    },
    Cancel {
        reply: Reply<()>,
    },
    /// Allows a pending tool call; with `always`, also the suggested rules `by` may apply
    /// (the answer lists those it may not).
    Approve {
        request_id: String,
        always: bool,
        by: Approver,
        reply: Reply<Vec<RefusedRule>>,
    },
    Reject {
        request_id: String,
        message: Option<String>,
        by: String,
        reply: Reply<()>,
    },
    SetModel {
        model: String,
        reply: Reply<()>,
    },
    SetPermissionMode {
        mode: String,
        reply: Reply<()>,
    },
    Rename {
        title: Option<String>,
        reply: Reply<()>,
    },
    SetTodos {
        todos: Vec<Todo>,
        reply: Reply<()>,
    },
    /// The slash commands its `claude` offers (starting it if it is not running).
    SlashCommands {
        reply: Reply<Vec<SlashCommand>>,
    },
    /// The session as it stands; with `parts`, its last page only (see `pages`).
    Snapshot {
        parts: Option<usize>,
        reply: Reply<SessionSnapshot>,
    },
    /// The page of messages that ends at `before`.
    Page {
        before: usize,
        parts: usize,
        reply: Reply<MessagePage>,
    },
    Archive {
        reply: Reply<()>,
    },
}

/// A handle to one session's actor.
#[derive(Clone)]
pub struct SessionHandle {
    tx: mpsc::Sender<Command>,
    info: watch::Receiver<SessionInfo>,
}

impl SessionHandle {
    pub(super) fn new(tx: mpsc::Sender<Command>, info: watch::Receiver<SessionInfo>) -> Self {
        Self { tx, info }
    }

    /// The handle of an archived session an earlier run saved: it has no actor, so every
    /// command answers that the session has ended.
    pub(super) fn ended(info: SessionInfo) -> Self {
        let (tx, _) = mpsc::channel(1);
        let (_, info) = watch::channel(info);
        Self { tx, info }
    }

    /// The session's summary as of now, without asking the actor.
    pub fn info(&self) -> SessionInfo {
        self.info.borrow().clone()
    }

    /// Sends a command and waits for its answer.
    pub async fn ask<T>(
        &self,
        command: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, SessionError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(command(reply))
            .await
            .map_err(|_| SessionError::Ended)?;
        answer.await.map_err(|_| SessionError::Ended)?
    }
}
