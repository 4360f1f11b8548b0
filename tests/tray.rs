//! Closing the window leaves Tether running in the tray: under Xvfb with a window manager
//! (openbox) and a notification daemon (dunst), the window is closed the way a user closes it;
//! it hides, the engine keeps serving and a session keeps its turn going; when the turn ends
//! while the window is hidden, a desktop notification says so, naming the project and nothing
//! of the conversation; launching Tether again brings the window back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use common::webdriver::{Driver, ENTER, wait_for};
use common::{Log, Running, app_env, claude_settings, get, start_xvfb};

/// The window's title, as the window manager lists it.
const TITLE: &str = "Tether";
/// What the prompt and the answer say: never part of a notification.
const SECRET: &str = "the-answer-is-private";
/// How long the monitor gets to print a probe call dunst has already answered.
const PROBE_SEEN: Duration = Duration::from_secs(1);

/// The titles of the windows the window manager shows.
fn shown_windows(display: &str) -> Vec<String> {
    let listed = Command::new("wmctrl")
        .arg("-l")
        .env("DISPLAY", display)
        .output()
        .unwrap();
    String::from_utf8_lossy(&listed.stdout)
        .lines()
        // `wmctrl -l`: id, desktop, host, then the title.
        .map(|line| {
            line.split_whitespace()
                .skip(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn window_shown(display: &str) -> bool {
    shown_windows(display).iter().any(|title| title == TITLE)
}

/// `Some` when `command` runs and succeeds (its output unread).
fn succeeds(command: &mut Command) -> Option<()> {
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    status.success().then_some(())
}

/// openbox on `display`, once it manages windows.
fn start_window_manager(display: &str) -> Running {
    let manager = Running::spawn(
        Command::new("openbox")
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    wait_for("the window manager", || {
        succeeds(Command::new("wmctrl").arg("-m").env("DISPLAY", display))
    });
    manager
}

/// dunst on the session bus, and a monitor of every call made to it, both ready: the
/// monitor has seen a probe call that dunst answered. The monitor registers with the bus on its
/// own time, so a probe answered before it did goes unseen and the probe is sent again.
fn start_notifications(display: &str) -> (Running, Running, Log) {
    let daemon = Running::spawn(
        Command::new("dunst")
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let mut monitor = Running::spawn(
        Command::new("dbus-monitor")
            .args([
                "--session",
                "type='method_call',interface='org.freedesktop.Notifications'",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let mut calls = Log::follow(monitor.0.stdout.take().unwrap());
    wait_for("the monitor to see dunst answer a probe", || {
        succeeds(Command::new("dbus-send").args([
            "--session",
            "--print-reply",
            "--reply-timeout=2000",
            "--dest=org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications.GetServerInformation",
        ]))?;
        calls.within(&["GetServerInformation"], PROBE_SEEN)
    });
    (daemon, monitor, calls)
}

#[test]
fn a_closed_window_keeps_sessions_running_in_the_tray_and_notifies_when_a_turn_ends() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run through `make test`, which gives the tests a session bus"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime
        .block_on(FakeAnthropic::start(Script::new([Reply::Stall {
            chunks: vec![format!("Thinking about {SECRET}")],
        }])))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let project_name = project.path().file_name().unwrap().to_str().unwrap();
    let (_xvfb, display) = start_xvfb();
    let _manager = start_window_manager(&display);
    let (_dunst, _monitor, mut notifications) = start_notifications(&display);

    let settings = claude_settings(dir.path(), &fake);
    let env = app_env(&display, &settings, dir.path(), "tray");
    let mut driver = Driver::start(&env);
    let app = Path::new(env!("CARGO_BIN_EXE_tether-desktop"));
    let window = driver.session(app);
    let address = driver.log.engine_address();

    // A session whose turn is under way (the fake holds its answer).
    window.find(".connection", "Connected");
    window.type_on(
        "input[aria-label='Project folder']",
        "",
        project.path().to_str().unwrap(),
    );
    window.click_on(".add-project button", "Add project");
    window.click_on("button[aria-label^='New session in']", "");
    window.type_on(
        "textarea[aria-label='Message']",
        "",
        &format!("Tell me {SECRET}{ENTER}"),
    );
    window.find(".message-assistant", &format!("Thinking about {SECRET}"));
    assert!(
        window_shown(&display),
        "the window is shown: {:?}",
        shown_windows(&display)
    );

    // Closed as a user closes it (the window manager asks it to close): it hides, and the
    // app, its engine and the session keep going.
    let closed = Command::new("wmctrl")
        .args(["-F", "-c", TITLE])
        .env("DISPLAY", &display)
        .status()
        .unwrap();
    assert!(closed.success());
    wait_for("the window to hide", || {
        (!window_shown(&display)).then_some(())
    });
    let (status, body) = get(&address, "/healthz");
    assert_eq!(status, 200, "the engine still serves: {body}");

    // The turn ends while the window is hidden: a notification names the project, not what
    // was said.
    fake.release_stalls();
    let told = notifications.until(
        &[&format!("The answer in {project_name} is ready.")],
        "a notification that the turn ended",
    );
    let call: String = notifications.seen.join("\n");
    assert!(call.contains("Claude has finished"), "{call}");
    assert!(
        !call.contains(SECRET),
        "the notification tells nothing of the conversation: {told}"
    );

    // Launched again, it hands over: the running app shows its window.
    let mut again = Running::spawn(
        Command::new(app)
            .envs(env.iter().map(|(key, value)| (key, value)))
            .stderr(Stdio::null()),
    );
    let exited = wait_for("the second launch to exit", || again.0.try_wait().unwrap());
    assert!(exited.success(), "{exited}");
    wait_for("the window to come back", || {
        window_shown(&display).then_some(())
    });
    driver
        .log
        .until(&["launched again"], "the app hearing of the second launch");
}
