//! A phone meets Claude Code's history in a real browser (Debian's chromium, driven by
//! `ui/e2e/terminal.mjs`): the real `claude` ran a session in a terminal; the phone pairs,
//! its first run lists that folder, one click adds it as a project, and the session opens and
//! carries on with a message that reaches the fake API with the earlier turn.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::terminal::{allow_device_roots, sent_texts, terminal_turn};
use crate::common::{PairRun, Setup, e2e};

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_finds_the_terminal_history_adds_its_folder_and_carries_a_session_on() {
    let roots = tempfile::tempdir().unwrap();
    let folder = roots.path().canonicalize().unwrap().join("garden");
    std::fs::create_dir(&folder).unwrap();
    let fake = FakeAnthropic::start(Script::new([
        Reply::text(["Plant the tomatoes in May."]),
        Reply::text(["Carried on from the phone."]),
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    allow_device_roots(&setup, roots.path());
    terminal_turn(&setup, &fake, &folder, &["-p", "when do tomatoes go out"]).await;

    let (_server, address) = setup.serve().await;
    let PairRun {
        child: mut pair,
        code,
        lines: _lines,
        ..
    } = setup.pair_yes().await;
    let mut browser = e2e::script("terminal.mjs", &address);
    browser
        .env("PAIR_CODE", &code)
        .env("FOLDER", "garden")
        .env("TITLE", "when do tomatoes go out")
        .env("EARLIER", "Plant the tomatoes in May.")
        .env("CONTINUED", "Carried on from the phone.");
    e2e::passes(browser).await;
    assert!(pair.wait().await.unwrap().success());
    let request = fake.message_requests().last().cloned().unwrap();
    let history = sent_texts(&request);
    assert!(history.contains("when do tomatoes go out"), "{history}");
    assert!(history.contains("carry on from the phone"), "{history}");
}
