//! What the CLI tests share: an engine's data directory wired to the real `claude` and a fake
//! Anthropic API, starting `tether serve` and waiting for its listening line, and a client.

#![allow(dead_code)] // each test binary uses its own part of this

pub mod caddy;
pub mod e2e;
pub mod machines;
pub mod proxy;
pub mod terminal;
pub mod watcher;

use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_fake_anthropic::FakeAnthropic;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The longest any single wait in these tests may take.
pub const WAIT: Duration = Duration::from_secs(60);

/// Awaits `future` for at most [`WAIT`] in all. A wait that reads many frames is bounded as a
/// whole: bounded per frame, each of the server's pings started the clock again, and a frame
/// that never came was waited for forever.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: not within {WAIT:?}"))
}

/// The most frames any loop in these tests reads while waiting for one.
pub const MAX_FRAMES: usize = 100_000;

/// Runs `tether … serve --port 0` and returns it with the address from its first stdout line.
pub async fn serve(mut tether: Command) -> (Child, String) {
    tether.args(["serve", "--port", "0"]);
    listening(tether).await
}

/// Starts a command that ends in `tether serve` and waits for its listening line.
async fn listening(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("tether starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let first = tokio::time::timeout(WAIT, BufReader::new(stdout).lines().next_line())
        .await
        .expect("no listening line in time")
        .expect("stdout is readable")
        .expect("tether serve printed nothing");
    let address = first
        .strip_prefix("listening on ws://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    (child, address.to_owned())
}

/// A data directory and a keyring service of its own (in the test run's throwaway keyring),
/// so runs never touch real secrets; with [`Setup::new`], its engine runs the real `claude` against a fake API.
pub struct Setup {
    pub data: tempfile::TempDir,
    /// The settings file and `claude`'s home, beside the data directory, not in it: a test may
    /// mount another file system there.
    home: tempfile::TempDir,
    service: String,
}

impl Setup {
    /// An engine with default settings.
    pub fn plain() -> Self {
        let setup = Self {
            data: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            service: format!("tether-test-{:016x}", RandomState::new().hash_one(1)),
        };
        std::fs::write(setup.config(), "").unwrap();
        setup
    }

    /// An engine whose sessions run the real `claude` (from TETHER_CLAUDE) against `fake`.
    pub fn new(fake: &FakeAnthropic) -> Self {
        let setup = Self::plain();
        setup.run_claude_against(fake);
        setup
    }

    /// Makes this engine's sessions run the real `claude` against `fake` (its settings file
    /// is written anew).
    pub fn run_claude_against(&self, fake: &FakeAnthropic) {
        let claude = std::env::var("TETHER_CLAUDE")
            .expect("TETHER_CLAUDE must name the claude binary: run through `make test`");
        let env: String = fake
            .claude_env(self.home.path())
            .into_iter()
            .map(|(key, value)| format!("{key} = {value:?}\n"))
            .collect();
        let settings = format!("[claude]\npath = {claude:?}\n[claude.env]\n{env}");
        std::fs::write(self.config(), settings).unwrap();
    }

    /// The folder the real `claude` keeps its settings and transcripts in
    /// (`CLAUDE_CONFIG_DIR`), whether Tether runs it or a test runs it as a terminal would.
    pub fn claude_home(&self) -> &Path {
        self.home.path()
    }

    /// The settings file `tether` is started with.
    pub fn config(&self) -> PathBuf {
        self.home.path().join("tether.toml")
    }

    pub fn tether(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tether"));
        command
            .arg("--config")
            .arg(self.config())
            .env("TETHER_DATA_DIR", self.data.path())
            .env("TETHER_KEYRING_SERVICE", &self.service)
            // Claude Code's folder is the test's own, never the real `~/.claude`.
            .env("CLAUDE_CONFIG_DIR", self.home.path())
            .kill_on_drop(true);
        command
    }

    /// Runs a `tether` command to its end, whatever its outcome.
    pub async fn run(&self, args: &[&str]) -> Output {
        let run = self.tether().args(args).output();
        tokio::time::timeout(WAIT, run)
            .await
            .expect("tether hung")
            .unwrap()
    }

    /// Runs a `tether` command that must succeed; returns its stdout.
    pub async fn output(&self, args: &[&str]) -> String {
        self.output_at(self.data.path(), args).await
    }

    /// Like [`Setup::output`], for the engine whose data directory is seen at `data`.
    pub async fn output_at(&self, data: &Path, args: &[&str]) -> String {
        let run = self
            .tether()
            .env("TETHER_DATA_DIR", data)
            .args(args)
            .output();
        let output = tokio::time::timeout(WAIT, run).await.unwrap().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub async fn serve(&self) -> (Child, String) {
        serve(self.tether()).await
    }

    /// `tether serve` in a mount namespace of its own, where the data directory is a 2 MiB
    /// tmpfs, after the shell commands `prepare` ran there (`$T` is the `tether` binary, `$C`
    /// its config, `$D` the directory). Needs `unshare` (util-linux) and user namespaces.
    pub async fn serve_on_small_disk(&self, prepare: &str) -> (Child, String) {
        let tether = self.tether();
        let std = tether.as_std();
        let mut command = Command::new("unshare");
        command
            .args(["--user", "--map-root-user", "--mount", "sh", "-ec"])
            .arg(format!(
                "mount -t tmpfs -o size=2m tmpfs \"$D\"; {prepare}; exec \"$T\" --config \"$C\" serve --port 0"
            ))
            .env("T", std.get_program())
            .env("D", self.data.path())
            .env("C", self.config())
            .envs(std.get_envs().filter_map(|(key, value)| Some((key, value?))))
            .kill_on_drop(true);
        listening(command).await
    }
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A running `tether pair --yes`: the code it printed, what it printed before the code, and
/// the rest of its output to read.
pub struct PairRun {
    pub child: Child,
    pub code: String,
    pub shown: Vec<String>,
    pub lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl Setup {
    /// Starts `tether pair --yes` against the running engine and reads up to its code.
    pub async fn pair_yes(&self) -> PairRun {
        let mut child = self
            .tether()
            .args(["pair", "--yes"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut shown = Vec::new();
        let code = loop {
            let line = tokio::time::timeout(WAIT, lines.next_line())
                .await
                .expect("tether pair printed no code")
                .unwrap()
                .expect("tether pair ended before its code");
            if let Some(rest) = line.strip_prefix("Pairing code: ") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
            shown.push(line);
            assert!(shown.len() < 200, "no code in {shown:?}");
        };
        PairRun {
            child,
            code,
            shown,
            lines,
        }
    }
}

/// Sends a raw HTTP/1.1 request (ending in `Connection: close`) and returns the status and the
/// JSON body.
pub async fn http(address: &str, request: &str) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    let status = response[9..12].parse().unwrap();
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(body).unwrap())
}

/// Opens `/ws` with a bearer token and reads the `welcome`.
pub async fn connect(address: &str, token: &str) -> Socket {
    let mut request = format!("ws://{address}/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let (mut socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "welcome");
    socket
}

/// The next text frame, as JSON.
pub async fn next_json(socket: &mut Socket) -> Value {
    let text = async {
        for _ in 0..MAX_FRAMES {
            if let Message::Text(text) = socket.next().await.unwrap().unwrap() {
                return serde_json::from_str(&text).unwrap();
            }
        }
        panic!("more than {MAX_FRAMES} frames without a text frame");
    };
    within("a text frame", text).await
}

/// Reads until the server's close frame and returns its code (frames before it are skipped).
pub async fn close_code(socket: &mut Socket) -> u16 {
    let close = async {
        for _ in 0..MAX_FRAMES {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map_or(1005, |f| f.code.into()),
                Some(Ok(_)) => {}
                other => panic!("no close frame: {other:?}"),
            }
        }
        panic!("more than {MAX_FRAMES} frames without a close");
    };
    within("a close frame", close).await
}

/// Sends a frame.
pub async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.unwrap();
}

/// Calls a method and returns its result, skipping events that arrive meanwhile.
pub async fn call(socket: &mut Socket, id: u64, method: &str, params: Value) -> Value {
    let request = json!({ "type": "request", "id": id, "method": method, "params": params });
    send(socket, request).await;
    let answer = async {
        for _ in 0..MAX_FRAMES {
            let frame = next_json(socket).await;
            if frame["type"] == "response" && frame["id"] == id {
                assert!(frame["error"].is_null(), "{method} failed: {frame}");
                return frame["result"].clone();
            }
        }
        panic!("more than {MAX_FRAMES} frames without the answer to {method}");
    };
    within(method, answer).await
}
