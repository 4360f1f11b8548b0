//! The desktop app as a user starts it: a real window under Xvfb, with the engine in-process,
//! whose chat UI connects to the engine through IPC as the local client and says when it has
//! painted; a second launch hands over to it, the log is kept in the platform's log directory,
//! and a signal quits it cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use common::webdriver::wait_for;
use common::{Log, Running, get, start_xvfb};

#[test]
fn the_app_opens_its_window_connects_through_ipc_and_runs_once() {
    let data = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let service = format!("tether-test-desktop-{}", std::process::id());
    let (_xvfb, display) = start_xvfb();
    let launch = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tether-desktop"));
        command
            .env("DISPLAY", &display)
            .env("TETHER_PORT", "0")
            .env("TETHER_DATA_DIR", data.path())
            .env("TETHER_KEYRING_SERVICE", &service)
            .env("TETHER_LOG", "info")
            .env("XDG_STATE_HOME", state.path())
            .stderr(Stdio::piped());
        command
    };
    let mut app = Running::spawn(&mut launch());
    let mut log = Log::follow(app.0.stderr.take().unwrap());
    let address = log.engine_address();
    // The window's chat UI connects through its in-process link (the tray and notifications
    // follow the engine's typed events, with no link of their own).
    log.until(
        &["connected connection=", "device=\"local\""],
        "the window connecting to the engine through IPC",
    );
    // The window says when it has painted, and the app logs how long that took (the bench's
    // launch-to-first-paint figure reads it). It may paint before or after it connects.
    log.seen_or_until(
        &["the window painted its first frame", "after_ms="],
        "the window telling the app it painted",
    );
    // Idle, no thread of a pool is left waking on a timer (D-Bus's pool, as `blocking` 1.7
    // had it, kept one that woke twice a second for as long as the app ran).
    let pid = app.0.id();
    wait_for("the app's idle pool threads to end", || {
        (!threads(pid)
            .iter()
            .any(|name| name.starts_with("blocking-")))
        .then_some(())
    });

    let (status, body) = get(&address, "/healthz");
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&address, "/readyz");
    assert_eq!(status, 200, "the app's engine reached the keyring: {body}");
    assert!(
        data.path().join("control.sock").exists(),
        "the control socket is open for `tether pair`"
    );

    // The log is also kept in a daily file in the platform's log directory.
    let logs = state.path().join("tether/logs");
    let kept: String = std::fs::read_dir(&logs)
        .unwrap_or_else(|error| panic!("{}: {error}", logs.display()))
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    assert!(
        kept.contains("engine listening"),
        "the log file has the log: {kept}"
    );
    let mode = std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "only the user can open the log directory");

    // Launched again on the same data directory, it hands over to the running app and exits.
    let mut again = Running::spawn(&mut launch());
    let exited = wait_for("the second launch to exit", || again.0.try_wait().unwrap());
    assert!(exited.success(), "{exited}");
    log.until(
        &["launched again"],
        "the running app hearing of the second launch",
    );

    // A signal quits it like the tray's Quit: the engine stops, and the app exits 0.
    let pid = app.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    log.until(&["asked to quit by a signal"], "the app hearing SIGTERM");
    let quit = wait_for("the app to quit", || app.0.try_wait().unwrap());
    assert!(
        quit.success(),
        "quitting by a signal: {quit}; the log:\n{}",
        log.seen.join("\n")
    );
}

/// The names of a process's threads.
fn threads(pid: u32) -> Vec<String> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).unwrap();
    (tasks.filter_map(Result::ok))
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}
