//! Remote machines: what devices see of a computer running `tether agent`, and the link
//! between that agent and its hub (`/ws/machine`), on which the hub runs `claude` there.
//!
//! The link carries JSON text frames. The hub sends [`HubFrame`]s: it starts a run of
//! `claude` for one of its sessions, writes its input lines (numbered, so none is written
//! twice), stops it, acknowledges output it has kept, and asks about a project's files and
//! git state. The agent sends [`AgentFrame`]s: a `hello` when it connects (its projects and
//! the runs it still has), each output line with its offset in the run, a run's end, and
//! answers.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::Project;

/// The upgrade header naming one running agent: a link from the same agent replaces its
/// stale one (a network change), while another agent with the machine's identity is refused.
pub const INSTANCE_HEADER: &str = "tether-agent-instance";

/// A machine as devices see it (`machines.list`, `machine.updated`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Machine {
    /// Its device id.
    pub id: String,
    /// The name it paired with (renamed like a device).
    pub name: String,
    pub online: bool,
    /// When its link was last heard from, in seconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub last_seen: Option<u64>,
    /// Its host name, as it reported it.
    pub hostname: Option<String>,
    /// The Tether version it runs.
    pub version: Option<String>,
    /// `claude --version` there, if it found claude.
    pub claude_version: Option<String>,
}

/// The methods a hub may ask a machine, about one of its projects: all read-only.
pub const FORWARDED_METHODS: [&str; 4] = ["files.search", "files.read", "git.status", "git.diff"];

/// How a run of `claude` starts: each value is checked again on the agent before it reaches
/// a command line, and the folder is named by project id, never by path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    pub project_id: String,
    /// The CLI's id of the conversation to resume.
    pub resume: Option<String>,
    /// Resume into a new conversation (`--fork-session`).
    #[serde(default)]
    pub fork: bool,
    pub model: Option<String>,
    pub permission_mode: String,
}

/// A run the agent still has, as it reports it in `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunState {
    pub run: String,
    /// The last input line it received (0: none).
    pub input: u64,
}

/// The hub to the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum HubFrame {
    /// Start `claude` as `run`.
    Start { run: String, spec: RunSpec },
    /// Write line `seq` (1, 2, …; one ending in a newline) to the run's input; a line the
    /// agent already has is ignored.
    Input { run: String, seq: u64, line: String },
    /// Send the run's output after `after` (its offsets start at 1): on connecting, what the
    /// hub missed.
    Resume { run: String, after: u64 },
    /// The hub keeps the run's output up to `offset`; the agent may forget it.
    Ack { run: String, offset: u64 },
    /// End the run (and whatever it started).
    Stop { run: String },
    /// Call one of [`FORWARDED_METHODS`] on the machine, for one of its projects.
    Request {
        id: u64,
        method: String,
        params: Value,
    },
    /// The answer to a frame the agent may not send (`forbidden`), or that is not a frame
    /// (`invalid_frame`); too many close the link (1008).
    Refused { error: crate::RpcError },
}

impl HubFrame {
    /// The frame as the link sends it.
    pub fn encode(&self) -> crate::FrameText {
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default().into()
    }
}

/// Which of a run's streams a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of a run's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputLine {
    pub stream: Stream,
    pub line: String,
}

/// The agent to the hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AgentFrame {
    /// First on every link: who it is, the projects it offers, the runs it still has.
    Hello {
        version: String,
        hostname: String,
        claude_version: Option<String>,
        projects: Vec<Project>,
        runs: Vec<RunState>,
    },
    /// Lines of a run's output, the first being line `offset` (lines are numbered 1, 2, …
    /// across both streams); `input` is the last input line the run has received, so the
    /// hub forgets those.
    Output {
        run: String,
        offset: u64,
        lines: Vec<OutputLine>,
        input: u64,
    },
    /// The run ended after its output up to `offset`: with its exit code, or killed by a
    /// signal (`code` is none), or `lost` when the agent no longer had it.
    Exited {
        run: String,
        offset: u64,
        code: Option<i32>,
        #[serde(default)]
        lost: bool,
    },
    /// The projects it offers changed.
    Projects { projects: Vec<Project> },
    /// The answer to the hub's `request` `id`: `{"result": …}` or `{"error": …}`.
    Response { id: u64, outcome: Outcome },
}

/// A forwarded method's result or error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Result(Value),
    Error(crate::RpcError),
}

/// Every frame type an agent may send.
pub const AGENT_FRAME_TYPES: [&str; 5] = ["hello", "output", "exited", "projects", "response"];

impl AgentFrame {
    /// A frame from the agent, or why it is not one.
    pub fn decode(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|error| error.to_string())
    }
}

/// The type a frame says it is, for refusing frames an agent may not send by name.
pub fn frame_type(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    value.get("type")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_their_documented_shape() {
        let start = HubFrame::Start {
            run: "r1".into(),
            spec: RunSpec {
                project_id: "p".into(),
                resume: None,
                fork: false,
                model: None,
                permission_mode: "default".into(),
            },
        };
        let text = serde_json::to_string(&start).unwrap();
        assert!(text.starts_with(r#"{"type":"start","run":"r1""#), "{text}");
        let output = AgentFrame::decode(
            r#"{"type":"output","run":"r1","offset":3,"lines":[{"stream":"stdout","line":"{}"}],"input":2}"#,
        )
        .unwrap();
        assert_eq!(
            output,
            AgentFrame::Output {
                run: "r1".into(),
                offset: 3,
                lines: vec![OutputLine {
                    stream: Stream::Stdout,
                    line: "{}".into()
                }],
                input: 2,
            }
        );
        assert!(AgentFrame::decode(r#"{"type":"output","run":"r1"}"#).is_err());
        assert!(
            AgentFrame::decode(r#"{"type":"request","id":1,"method":"devices.list"}"#).is_err()
        );
        assert_eq!(
            frame_type(r#"{"type":"request","id":1}"#).as_deref(),
            Some("request")
        );
    }
}
