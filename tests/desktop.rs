//! The desktop app as a user starts it: a real window under Xvfb, with the engine in-process,
//! whose chat UI connects to the engine through IPC as the local client.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);
const READY: &str = "engine listening address=";
/// What the engine logs when the window's chat UI opens its IPC link.
const WINDOW_CONNECTED: &str = "connected connection=";
const LOCAL: &str = "device=\"local\"";
/// The most log lines read while waiting for the readiness line.
const MAX_FRAMES: usize = 100_000;

/// A child process, started in a process group of its own, killed with its whole group (the
/// window's WebKit helpers included) and reaped however the test ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private X server on a display it picks itself (`-displayfd`), so no number is fixed.
fn start_xvfb() -> (Running, String) {
    let mut xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1024x768x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("Xvfb is missing: run through `make test`, which installs it");
    let stdout = xvfb.stdout.take().unwrap();
    let xvfb = Running(xvfb);
    let mut display = String::new();
    BufReader::new(stdout).read_line(&mut display).unwrap();
    assert!(
        !display.trim().is_empty(),
        "Xvfb did not report its display"
    );
    (xvfb, format!(":{}", display.trim()))
}

fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[test]
fn the_app_opens_its_window_whose_chat_ui_connects_through_ipc() {
    let data = tempfile::tempdir().unwrap();
    let service = format!("tether-test-desktop-{}", std::process::id());
    let (_xvfb, display) = start_xvfb();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tether-desktop"))
        .env("DISPLAY", &display)
        .env("TETHER_PORT", "0")
        .env("TETHER_DATA_DIR", data.path())
        .env("TETHER_KEYRING_SERVICE", &service)
        .env("TETHER_LOG", "info")
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _app = Running(child);

    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut frames = 0;
    let address = loop {
        frames += 1;
        assert!(
            frames <= MAX_FRAMES,
            "more than {MAX_FRAMES} log lines without the readiness line"
        );
        let line = lines
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("the engine never said it listens:\n{}", seen.join("\n")));
        if let Some(at) = line.find(READY) {
            break line[at + READY.len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
        }
        seen.push(line);
    };

    // The window loaded the chat UI, which opened its link to the engine through IPC.
    let mut frames = 0;
    loop {
        frames += 1;
        assert!(
            frames <= MAX_FRAMES,
            "more than {MAX_FRAMES} log lines without the window's connection"
        );
        let line = lines.recv_timeout(WAIT).unwrap_or_else(|_| {
            panic!(
                "the window never connected to the engine:\n{}",
                seen.join("\n")
            )
        });
        if line.contains(WINDOW_CONNECTED) && line.contains(LOCAL) {
            break;
        }
        seen.push(line);
    }

    let (status, body) = get(&address, "/healthz");
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&address, "/readyz");
    assert_eq!(status, 200, "the app's engine reached the keyring: {body}");
    assert!(
        data.path().join("control.sock").exists(),
        "the control socket is open for `tether pair`"
    );
}
