//! What the desktop app's tests share: a private X server, processes killed with their whole
//! group, the app's log read line by line, and plain HTTP requests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test uses part of it

pub mod release_server;
pub mod sidebar;
pub mod webdriver;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tether_fake_anthropic::FakeAnthropic;

pub const WAIT: Duration = Duration::from_secs(60);
/// What the app logs once its engine listens, before the address.
pub const READY: &str = "engine listening address=";
/// The most log lines read while waiting for one.
const MAX_LINES: usize = 100_000;

/// A child process, started in a process group of its own, killed with its whole group (the
/// window's WebKit helpers included) and reaped however the test ends.
pub struct Running(pub Child);

impl Running {
    /// Starts `command` in a process group of its own.
    pub fn spawn(command: &mut Command) -> Self {
        Self(command.process_group(0).spawn().unwrap_or_else(|error| {
            panic!(
                "cannot start {:?}: {error} (run through `make test`, which installs it)",
                command.get_program()
            )
        }))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private X server on a display it picks itself (`-displayfd`), so no number is fixed.
pub fn start_xvfb() -> (Running, String) {
    let mut xvfb = Running::spawn(
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let stdout = xvfb.0.stdout.take().unwrap();
    let mut display = String::new();
    BufReader::new(stdout).read_line(&mut display).unwrap();
    assert!(
        !display.trim().is_empty(),
        "Xvfb did not report its display"
    );
    (xvfb, format!(":{}", display.trim()))
}

/// A process's output, line by line, kept for the failure message.
pub struct Log {
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Log {
    pub fn follow(output: impl Read + Send + 'static) -> Self {
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads lines until one has every one of `parts`, for [`WAIT`] at most; returns it.
    pub fn until(&mut self, parts: &[&str], what: &str) -> String {
        self.within(parts, WAIT)
            .unwrap_or_else(|| panic!("{what} never happened; the log:\n{}", self.seen.join("\n")))
    }

    /// Finds a line already read that has every one of `parts`, or reads on until one comes:
    /// for lines the app may write in either order. Asked twice, it finds the same line.
    pub fn seen_or_until(&mut self, parts: &[&str], what: &str) -> String {
        let has_all = |line: &&String| parts.iter().all(|part| line.contains(part));
        match self.seen.iter().find(has_all) {
            Some(line) => line.clone(),
            None => self.until(parts, what),
        }
    }

    /// Reads lines until one has every one of `parts`, for `wait` at most; `None` if none had.
    pub fn within(&mut self, parts: &[&str], wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        for _ in 0..MAX_LINES {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).ok()?;
            self.seen.push(line.clone());
            if parts.iter().all(|part| line.contains(part)) {
                return Some(line);
            }
        }
        None
    }

    /// Waits for the engine's readiness line; returns the address it listens on.
    pub fn engine_address(&mut self) -> String {
        let line = self.until(&[READY], "the engine listening");
        let at = line.find(READY).unwrap() + READY.len();
        line[at..].split_whitespace().next().unwrap().to_owned()
    }
}

/// A GET's status and whole response.
pub fn get(address: &str, path: &str) -> (u16, String) {
    request(
        address,
        &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"),
    )
}

/// Sends a raw HTTP/1.1 request (ending in `Connection: close`); returns the status and the
/// whole response.
pub fn request(address: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, response)
}

/// A settings file that runs the pinned claude CLI against `fake`, with its own home.
pub fn claude_settings(dir: &Path, fake: &FakeAnthropic) -> PathBuf {
    let claude = std::env::var("TETHER_CLAUDE")
        .expect("TETHER_CLAUDE names the claude binary: run through `make test`");
    let file = dir.join("tether.toml");
    let home = dir.join("claude-home");
    std::fs::create_dir_all(&home).unwrap();
    let env: String = fake
        .claude_env(&home)
        .into_iter()
        .map(|(key, value)| format!("{key} = {value:?}\n"))
        .collect();
    std::fs::write(
        &file,
        format!("[claude]\npath = {claude:?}\n[claude.env]\n{env}"),
    )
    .unwrap();
    file
}

/// The environment an app under test starts with: `display`, the `settings` file, a data
/// directory under `dir` and a keyring service of its own (named after `test`), any free port,
/// and info logs.
pub fn app_env(
    display: &str,
    settings: &Path,
    dir: &Path,
    test: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("DISPLAY", display.to_owned()),
        ("TETHER_CONFIG", settings.display().to_string()),
        ("TETHER_PORT", "0".to_owned()),
        ("TETHER_DATA_DIR", dir.join("data").display().to_string()),
        (
            "TETHER_KEYRING_SERVICE",
            format!("tether-test-{test}-{}", std::process::id()),
        ),
        ("TETHER_LOG", "info".to_owned()),
    ]
}
