//! The desktop layout in a real browser against the real engine (`ui/e2e/sidebar.mjs`, Debian's
//! chromium): two projects, four sessions made and answered from the sidebar with the real
//! `claude` and the fake API, switching between them (timed, into
//! `test-output/ui-switch.json`), unread and approval markers, the filter, the sidebar hidden
//! and resized, the project and settings screens at their URLs, the phone's single pane, and
//! axe on every screen.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::e2e::{self, repository};
use crate::common::{PairRun, Setup};

mod common;

const ANSWERS: [&str; 4] = [
    "Alpha answers first.",
    "Alpha answers second.",
    "Beta answers first.",
    "Beta answers second.",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sidebar_drives_four_sessions_across_two_projects() {
    let alpha = tempfile::Builder::new().prefix("alpha").tempdir().unwrap();
    let beta = tempfile::Builder::new().prefix("beta").tempdir().unwrap();
    let mut replies: Vec<Reply> = ANSWERS.iter().map(|text| Reply::text([*text])).collect();
    replies.extend([
        Reply::text(["A late answer."]),
        Reply::tool_use(
            "toolu_sidebar01",
            "Bash",
            serde_json::json!({ "command": "touch sidebar.txt && ls", "description": "Make a file" }),
        ),
        Reply::text(["Approved from the sidebar."]),
    ]);
    let fake = FakeAnthropic::start(Script::new(replies)).await.unwrap();
    let setup = Setup::new(&fake);
    let (_server, address) = setup.serve().await;
    for folder in [&alpha, &beta] {
        setup
            .output(&["project", "add", folder.path().to_str().unwrap()])
            .await;
    }
    let PairRun {
        child: mut pair,
        code,
        lines: _lines,
        ..
    } = setup.pair_yes().await;

    let metrics = repository().join("test-output/ui-switch.json");
    let mut browser = e2e::script("sidebar.mjs", &address);
    browser
        .env("PAIR_CODE", &code)
        .env("PROJECT_A", folder_name(&alpha))
        .env("PROJECT_B", folder_name(&beta))
        .env("ANSWERS", serde_json::to_string(&ANSWERS).unwrap())
        .env("LATE", "A late answer.")
        .env("ASKED", "Bash")
        .env("APPROVED", "Approved from the sidebar.")
        .env("METRICS", &metrics);
    let printed = e2e::passes(browser).await;
    assert!(pair.wait().await.unwrap().success());
    println!("{printed}");
    let measured: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    assert!(measured["axe_checked"].as_array().unwrap().len() >= 9);
}

fn folder_name(folder: &tempfile::TempDir) -> String {
    folder
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}
