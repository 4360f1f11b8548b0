//! How a session's `claude` is started: the program, the fixed streaming arguments, the
//! session's resume id, model and permission mode (each checked, each one `--flag=value`
//! argument), and the environment (see [`environment`]).

use std::path::Path;

use super::arguments;
use super::binary::locate;
use super::environment;
use super::handle::SessionError;
use super::process::{Launch, check_cwd};
use crate::config::ClaudeSettings;
use tether_protocol::machine::RunSpec;
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

/// How the session `info`'s `claude` starts: resuming its conversation, with its settings.
pub(crate) fn run_spec(info: &SessionInfo) -> RunSpec {
    // A fork gets its own id at its first start; until then it resumes the original.
    let fork = info.origin.as_ref().is_some_and(|origin| {
        origin.fork && info.claude_session_id.as_ref() == Some(&origin.transcript_id)
    });
    RunSpec {
        project_id: info.project_id.clone(),
        resume: info.claude_session_id.clone(),
        fork,
        model: info.model.clone(),
        permission_mode: info.permission_mode.clone(),
    }
}

/// What starts `claude` as `spec` says in `cwd`; every value is checked before it reaches
/// the command line (here, and again on a machine that receives the spec).
pub(crate) fn launch(
    settings: &ClaudeSettings,
    spec: &RunSpec,
    cwd: &Path,
) -> Result<Launch, SessionError> {
    let program = locate(settings.path.as_deref())?;
    check_cwd(cwd)
        .map_err(|error| SessionError::Spawn(format!("the project folder is gone: {error}")))?;
    let mut args: Vec<String> = BASE_ARGS.iter().map(|arg| (*arg).to_owned()).collect();
    if let Some(resume) = &spec.resume {
        args.push(format!("--resume={}", arguments::resume(resume)?));
        if spec.fork {
            args.push("--fork-session".to_owned());
        }
    }
    if let Some(model) = &spec.model {
        args.push(format!("--model={}", arguments::model(model)?));
    }
    let mode = arguments::permission_mode(&spec.permission_mode)?;
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
