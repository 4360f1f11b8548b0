//! The chat UI in a real browser against the real engine: `tether serve` with the real
//! `claude` and the fake API, `tether pair --yes` on the terminal, and Debian's chromium
//! (driven by `ui/e2e/chat.mjs` through playwright-core): the first page's load time, pairing,
//! a session with a todo list and streaming markdown, approvals from a second page and from a
//! diff at phone size, the socket lost mid-answer without losing or repeating a word, an
//! interrupt, the pickers, archiving and the devices screen. Screenshots land in
//! `test-output/screenshots/`, the load figures in `test-output/ui-load.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::e2e::{self, repository};
use crate::common::{PairRun, Setup};

mod common;

/// The answer that streams slowly enough for the socket to drop in the middle of it.
const SLOW: &str = "one two three four five six seven eight nine ten eleven twelve.";
/// The start of an answer that never ends unless interrupted.
const HELD: &str = "Waiting for you";
/// A todo item the model lists.
const TODO: &str = "Count slowly";
/// The file the model writes once the browser approves it.
const NOTES: &str = "# Notes\nWritten from the browser\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_pairs_starts_a_session_and_sees_the_answer_stream() {
    let folder = tempfile::tempdir().unwrap();
    let notes = folder.path().join("notes.md");
    let fake = FakeAnthropic::start(Script::new([
        Reply::tool_use(
            "toolu_task01",
            "TaskCreate",
            serde_json::json!({ "subject": "Greet the user", "description": "Say hello", "activeForm": "Greeting the user" }),
        ),
        Reply::tool_use(
            "toolu_task02",
            "TaskCreate",
            serde_json::json!({ "subject": TODO, "description": "Count to twelve", "activeForm": "Counting" }),
        ),
        Reply::tool_use(
            "toolu_task03",
            "TaskUpdate",
            serde_json::json!({ "taskId": "1", "status": "in_progress" }),
        ),
        Reply::text(["**Hello** ", "from ", "the ", "browser"]),
        Reply::tool_use(
            "toolu_browser01",
            "Bash",
            serde_json::json!({ "command": "echo approved > approved.txt && cat approved.txt", "description": "Write a file" }),
        ),
        Reply::text(["The ", "command ", "ran."]),
        Reply::tool_use(
            "toolu_browser02",
            "Write",
            serde_json::json!({ "file_path": notes, "content": NOTES }),
        ),
        Reply::text(["Written."]),
        Reply::Slow {
            chunks: SLOW.split_inclusive(' ').map(str::to_owned).collect(),
            delay_ms: 250,
        },
        Reply::Stall {
            chunks: HELD.split_inclusive(' ').map(str::to_owned).collect(),
        },
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    let (_server, address) = setup.serve().await;
    setup
        .output(&["project", "add", folder.path().to_str().unwrap()])
        .await;
    let project = folder
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();

    // Its output stays open (`_lines`) until it has printed its outcome.
    let PairRun {
        child: mut pair,
        code,
        lines: _lines,
        ..
    } = setup.pair_yes().await;

    let metrics = repository().join("test-output/ui-load.json");
    let mut browser = e2e::script("chat.mjs", &address);
    browser
        .env("PAIR_CODE", &code)
        .env("PROJECT", &project)
        .env("ANSWER", "Hello from the browser")
        .env("AFTER_TOOL", "The command ran.")
        .env("SLOW", SLOW)
        .env("TODO", TODO)
        .env("WRITTEN", "Written.")
        .env("HELD", HELD)
        .env("METRICS", &metrics);
    let printed = e2e::passes(browser).await;
    assert!(
        pair.wait().await.unwrap().success(),
        "tether pair approved the browser"
    );
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        NOTES,
        "the write approved in the browser happened"
    );
    println!("{printed}");
    for shot in [
        "pair-phone",
        "pair-desktop",
        "sessions-desktop",
        "chat-desktop",
        "chat-phone",
        "sessions-phone",
        "approval-desktop",
        "approval-phone",
        "after-approval-desktop",
        "after-drop-desktop",
        "shortcuts-desktop",
        "devices-phone",
    ] {
        let png = std::fs::read(e2e::screenshots().join(format!("{shot}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 2_000, "{shot}");
    }
}
