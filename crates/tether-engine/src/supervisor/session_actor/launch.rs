//! How a session's `claude` is started: the program, the fixed streaming arguments, the
//! session's resume id, model and permission mode (each checked, each one `--flag=value`
//! argument), and the environment (see [`environment`]).

use std::path::Path;

use super::super::arguments;
use super::super::binary::locate;
use super::super::environment;
use super::super::handle::SessionError;
use super::super::process::{Launch, check_cwd};
use crate::config::ClaudeSettings;
use tether_protocol::model::SessionInfo;

/// The environment every `claude` gets, under the user's own `claude.env`: the task tools
/// (TaskCreate, TaskUpdate…) that a `--print` run leaves out, so the model keeps a todo list.
const BASE_ENV: [(&str, &str); 1] = [("CLAUDE_CODE_ENABLE_TODO_TOOLS", "1")];

/// The fixed part of every `claude` command line: streaming JSON both ways, token deltas,
/// and tool permissions asked of the host over stdio.
const BASE_ARGS: [&str; 9] = [
    "--print",
    "--output-format",
    "stream-json",
    "--input-format",
    "stream-json",
    "--verbose",
    "--include-partial-messages",
    "--permission-prompt-tool",
    "stdio",
];

/// What starts `claude` for the session `info` in `cwd`.
pub(super) fn launch(
    settings: &ClaudeSettings,
    info: &SessionInfo,
    cwd: &Path,
) -> Result<Launch, SessionError> {
    let program = locate(settings.path.as_deref())?;
    check_cwd(cwd)
        .map_err(|error| SessionError::Spawn(format!("the project folder is gone: {error}")))?;
    let mut args: Vec<String> = BASE_ARGS.iter().map(|arg| (*arg).to_owned()).collect();
    if let Some(resume) = &info.claude_session_id {
        args.push(format!("--resume={}", arguments::resume(resume)?));
        // A fork gets its own id at its first start; until then it resumes the original.
        if info
            .origin
            .as_ref()
            .is_some_and(|origin| origin.fork && origin.transcript_id == *resume)
        {
            args.push("--fork-session".to_owned());
        }
    }
    if let Some(model) = &info.model {
        args.push(format!("--model={}", arguments::model(model)?));
    }
    let mode = arguments::permission_mode(&info.permission_mode)?;
    if mode != "default" {
        args.push(format!("--permission-mode={mode}"));
    }
    let env = environment::for_claude(std::env::vars(), &BASE_ENV, settings);
    Ok(Launch {
        program,
        args,
        cwd: cwd.to_path_buf(),
        env,
    })
}
