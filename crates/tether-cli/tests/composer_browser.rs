//! The composer and the project in a real browser against the real engine
//! (`ui/e2e/composer.mjs`, Debian's chromium): images pasted and picked reach the fake API as
//! image blocks (a large photo scaled down first), a slash command from the menu (the
//! project's own and a built-in), an `@` mention, an approved edit in the session's changes
//! and the file viewer, git status and diff of a scratch repository, and search that opens the
//! message found; at desktop and phone sizes, with axe on each screen.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::Path;
use std::process::Command;

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::e2e::{self, repository};
use crate::common::{PairRun, Setup};

mod common;

/// The text answers, in the order the script waits for them.
const ANSWERS: [&str; 5] = [
    "A rust square and a photo.",
    "Reviewed the parser: it is fine.",
    "Main is empty.",
    "Edited main to say hello.",
    "A small picture from the phone.",
];

const MAIN: &str = "fn main() {}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_commands_mentions_changes_git_and_search_in_the_browser() {
    let folder = tempfile::Builder::new()
        .prefix("composer")
        .tempdir()
        .unwrap();
    let root = folder.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join("src/server")).unwrap();
    std::fs::create_dir_all(root.join(".claude/commands")).unwrap();
    std::fs::write(root.join("src/server/main.rs"), MAIN).unwrap();
    std::fs::write(
        root.join(".claude/commands/review.md"),
        "---\ndescription: Review the staged changes\nargument-hint: [focus]\n---\nReview the staged diff, focusing on $ARGUMENTS.\n",
    )
    .unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "."],
        &["commit", "-qm", "first"],
    ] {
        git(&root, args);
    }
    let main = root.join("src/server/main.rs");
    let fake = FakeAnthropic::start(Script::new([
        Reply::text([ANSWERS[0]]),
        Reply::text([ANSWERS[1]]),
        Reply::text([ANSWERS[2]]),
        Reply::tool_use(
            "toolu_read01",
            "Read",
            serde_json::json!({ "file_path": main }),
        ),
        Reply::tool_use(
            "toolu_edit01",
            "Edit",
            serde_json::json!({ "file_path": main, "old_string": "fn main() {}", "new_string": "fn main() {\n    println!(\"hello\");\n}" }),
        ),
        Reply::text([ANSWERS[3]]),
        Reply::text([ANSWERS[4]]),
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    let (_server, address) = setup.serve().await;
    setup
        .output(&["project", "add", root.to_str().unwrap()])
        .await;
    let PairRun {
        child: mut pair,
        code,
        lines: _lines,
        ..
    } = setup.pair_yes().await;

    let metrics = repository().join("test-output/ui-composer.json");
    let mut browser = e2e::script("composer.mjs", &address);
    browser
        .env("PAIR_CODE", &code)
        .env("PROJECT", root.file_name().unwrap())
        .env("ANSWERS", serde_json::to_string(&ANSWERS).unwrap())
        .env("METRICS", &metrics);
    let printed = e2e::passes(browser).await;
    assert!(pair.wait().await.unwrap().success());
    println!("{printed}");

    let asked = fake.message_requests();
    let first = &asked[0].images();
    assert_eq!(first.len(), 2, "the pasted and the picked image");
    let sizes: Vec<(u32, u32)> = first
        .iter()
        .map(|block| {
            let decoded = image::load_from_memory(&block.bytes).unwrap();
            (decoded.width(), decoded.height())
        })
        .collect();
    assert_eq!(sizes[0], (120, 80), "a small image goes as it is");
    assert!(
        sizes[1].0 <= 1568 && sizes[1].0 * sizes[1].1 <= 1_210_000,
        "the 12-megapixel photo was scaled to the API's size: {sizes:?}"
    );
    let sent = |n: usize| serde_json::to_string(asked[n].messages()).unwrap();
    assert!(sent(1).contains("Review the staged diff, focusing on the parser."));
    assert!(sent(2).contains("@src/server/main.rs"));
    assert_eq!(
        std::fs::read_to_string(&main).unwrap(),
        "fn main() {\n    println!(\"hello\");\n}\n",
        "the approved edit was made"
    );
    let all = asked.last().unwrap().images();
    assert_eq!(all.len(), 3, "the conversation's images, the phone's last");
    let phone = image::load_from_memory(&all[2].bytes).unwrap();
    assert_eq!((phone.width(), phone.height()), (64, 64));
    let measured: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    assert!(measured["axe_checked"].as_array().unwrap().len() >= 7);
    assert!(measured["prepare_12mp_phone_ms"].is_number());
}

fn git(folder: &Path, args: &[&str]) {
    let done = Command::new("git")
        .args(["-c", "user.name=Tether", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(folder)
        // The machine's own git settings (signing, hooks) stay out of the test's repository.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(done.status.success(), "git {args:?}: {done:?}");
}
