//! Runs the real `claude` CLI against a fake in a throwaway sandbox, with every wait bounded.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;
use tether_fake_anthropic::FakeAnthropic;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// The longest any single wait on the CLI may take (a line, the exit).
pub const STEP: Duration = Duration::from_secs(60);
/// More stdout lines than any of these runs produces; reading stops there.
const MAX_LINES: usize = 2_000;

/// The CLI under test, from `TETHER_CLAUDE`.
pub fn claude_path() -> PathBuf {
    match std::env::var_os("TETHER_CLAUDE") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => panic!(
            "TETHER_CLAUDE is not set: run these tests through `make test` \
             (scripts/setup.sh installs the pinned CLI into tools/claude and scripts/test.sh \
             exports TETHER_CLAUDE=$PWD/tools/claude/node_modules/.bin/claude)"
        ),
    }
}

/// A private config dir, HOME, runtime dir and working dir for one CLI run.
pub struct Sandbox {
    root: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["config", "home", "run", "work"] {
            std::fs::create_dir(root.path().join(dir)).expect("sandbox dir");
        }
        Self { root }
    }

    /// The CLI's working directory.
    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// `claude ARGS` pointed at `fake`, with a clean environment (facts §1) and piped stdio.
    pub fn command(&self, fake: &FakeAnthropic, args: &[&str]) -> Command {
        let mut cmd = Command::new(claude_path());
        cmd.args(args)
            .current_dir(self.work())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LANG", "C.UTF-8")
            .env("HOME", self.dir("home"))
            .env("XDG_RUNTIME_DIR", self.dir("run"))
            .envs(fake.claude_env(&self.dir("config")))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    /// `claude -p PROMPT --output-format stream-json --verbose EXTRA…`, the one-shot print mode.
    pub fn print(&self, fake: &FakeAnthropic, prompt: &str, extra: &[&str]) -> Command {
        let mut args = vec!["-p", prompt, "--output-format", "stream-json", "--verbose"];
        args.extend_from_slice(extra);
        self.command(fake, &args)
    }
}

fn parse_line(line: &str) -> Value {
    serde_json::from_str(line)
        .unwrap_or_else(|err| panic!("stdout line is not JSON ({err}): {line}"))
}

/// What a finished run left behind.
pub struct Finished {
    pub status: ExitStatus,
    pub lines: Vec<Value>,
    pub stderr: String,
}

impl Finished {
    /// The one `result` line.
    pub fn result(&self) -> &Value {
        let results: Vec<&Value> = self
            .lines
            .iter()
            .filter(|v| v["type"] == "result")
            .collect();
        assert_eq!(
            results.len(),
            1,
            "want one result line; stderr: {}",
            self.stderr
        );
        results[0]
    }
}

/// Run to completion (stdin closed), bounded by [`STEP`].
pub async fn run_to_end(mut cmd: Command) -> Finished {
    let output = timeout(STEP, cmd.output())
        .await
        .expect("claude did not finish in time")
        .expect("claude could not start");
    let stdout = String::from_utf8_lossy(&output.stdout);
    Finished {
        status: output.status,
        lines: stdout.lines().map(parse_line).collect(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A CLI in `--input-format stream-json` mode: write JSON lines, read JSON lines.
pub struct Live {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: JoinHandle<String>,
    /// The `type` of every line read so far (for failure messages).
    seen: Vec<String>,
}

impl Live {
    pub fn spawn(mut cmd: Command) -> Self {
        cmd.stdin(Stdio::piped());
        let mut child = cmd.spawn().expect("claude could not start");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text).await;
            text
        });
        Self {
            child,
            stdin,
            stdout,
            stderr,
            seen: Vec::new(),
        }
    }

    /// Write one JSON line to the CLI's stdin.
    pub async fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        let line = format!("{message}\n");
        timeout(STEP, async {
            stdin.write_all(line.as_bytes()).await?;
            stdin.flush().await
        })
        .await
        .expect("stdin write timed out")
        .expect("stdin write failed");
    }

    /// The next stdout line, or `None` at EOF.
    async fn next(&mut self) -> Option<Value> {
        let line = timeout(STEP, self.stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("no stdout line within {STEP:?}; seen {:?}", self.seen))
            .expect("stdout read failed")?;
        let value = parse_line(&line);
        let kind = match value["subtype"]
            .as_str()
            .or(value["request"]["subtype"].as_str())
        {
            Some(sub) => format!("{}/{sub}", value["type"].as_str().unwrap_or("?")),
            None => value["type"].as_str().unwrap_or("?").to_owned(),
        };
        self.seen.push(kind);
        Some(value)
    }

    /// Read lines until one matches `wanted`, and return it.
    pub async fn until(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..MAX_LINES {
            match self.next().await {
                Some(value) if wanted(&value) => return value,
                Some(_) => {}
                None => panic!("stdout ended before {what}; seen {:?}", self.seen),
            }
        }
        panic!("no {what} in {MAX_LINES} lines; seen {:?}", self.seen)
    }

    /// Close stdin (EOF tells the CLI to finish and exit).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Read stdout to EOF, then wait for the exit; both bounded.
    pub async fn wait(mut self) -> (ExitStatus, Vec<Value>, String) {
        let mut rest = Vec::new();
        for _ in 0..MAX_LINES {
            match self.next().await {
                Some(value) => rest.push(value),
                None => break,
            }
        }
        let status = timeout(STEP, self.child.wait())
            .await
            .expect("claude did not exit in time")
            .expect("wait failed");
        let stderr = timeout(STEP, self.stderr)
            .await
            .expect("stderr did not close")
            .expect("stderr task");
        (status, rest, stderr)
    }
}

/// Read a file the CLI's tool wrote, if it exists.
pub fn read(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}
