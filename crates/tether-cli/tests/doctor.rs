//! `tether doctor`: each check says what it found, and a problem says what to fix and makes
//! the command exit 1.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use crate::common::{Setup, WAIT};

mod common;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The line a check printed.
fn line<'a>(report: &'a str, check: &str) -> &'a str {
    report
        .lines()
        .find(|line| line.split_whitespace().nth(1) == Some(check))
        .unwrap_or_else(|| panic!("no {check} line in:\n{report}"))
}

#[tokio::test]
async fn a_working_setup_passes_every_check() {
    let claude = std::env::var("TETHER_CLAUDE")
        .expect("TETHER_CLAUDE names the claude binary: run through `make test`");
    let setup = Setup::plain();
    // As the engine leaves it.
    std::fs::set_permissions(setup.data.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(
        setup.config(),
        format!("port = 0\n[claude]\npath = {claude:?}\n"),
    )
    .unwrap();
    let output = setup.run(&["doctor"]).await;
    let report = stdout(&output);
    assert!(output.status.success(), "{report}");
    assert!(line(&report, "claude").starts_with("ok"), "{report}");
    assert!(
        line(&report, "claude").contains("(Claude Code)"),
        "{report}"
    );
    assert!(line(&report, "keyring").starts_with("ok"), "{report}");
    assert!(
        line(&report, "data").contains("private and writable"),
        "{report}"
    );
    assert!(line(&report, "lan").contains("no engine runs"), "{report}");

    // With the engine running, it is asked about LAN access.
    let (_engine, _address) = setup.serve().await;
    let report = stdout(&setup.run(&["doctor"]).await);
    assert!(line(&report, "port").contains("an engine runs"), "{report}");
    assert!(
        line(&report, "lan").contains("off: only this computer"),
        "{report}"
    );
}

#[tokio::test]
async fn each_problem_says_what_to_fix_and_the_command_fails() {
    let setup = Setup::plain();
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port();
    std::fs::set_permissions(setup.data.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let run = setup
        .tether()
        .arg("doctor")
        .env("TETHER_PORT", port.to_string())
        .env("TETHER_CLAUDE", empty.path().join("claude"))
        .env("PATH", empty.path())
        .env("HOME", empty.path())
        .output();
    let output = tokio::time::timeout(WAIT, run).await.unwrap().unwrap();
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("2 problem(s) found"),
        "{report}"
    );
    let claude = line(&report, "claude");
    assert!(claude.starts_with("PROBLEM"), "{report}");
    assert!(
        report.contains("fix: npm install -g @anthropic-ai/claude-code"),
        "{report}"
    );
    let data = line(&report, "data");
    assert!(
        data.starts_with("ok") && data.contains("mode 755; made 0700 when the engine starts"),
        "{report}"
    );
    assert!(line(&report, "port").contains(&format!("127.0.0.1:{port} cannot be used")));
    assert!(line(&report, "keyring").starts_with("ok"), "{report}");
}
