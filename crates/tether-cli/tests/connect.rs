//! `tether connect` from a terminal, signing in with an SSH key: from a key file, through the
//! real ssh-agent, and refused for a key the desktop never authorized.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::common::{Setup, WAIT};

mod common;

/// A fresh ed25519 key pair made by the real ssh-keygen; returns the private key's path.
async fn keygen(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .status()
        .await
        .expect("ssh-keygen (openssh-client) is installed by make test");
    assert!(status.success());
    path
}

/// Runs `command` with `input` on its standard input, to its end.
async fn typed(mut command: Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("tether connect hung")
        .unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_chats_with_a_session_after_signing_in_with_an_ssh_key() {
    let fake = FakeAnthropic::start(Script::new([
        Reply::text(["Hello ", "over ", "a key file"]),
        Reply::text(["Hello ", "through ", "the agent"]),
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    let folder = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let (_server, address) = setup.serve().await;
    setup
        .output(&["project", "add", folder.path().to_str().unwrap()])
        .await;
    let key = keygen(keys.path(), "laptop").await;
    let public = key.with_extension("pub");
    let added = setup
        .output(&["keys", "add", public.to_str().unwrap()])
        .await;
    assert!(
        added.contains("SHA256:") && added.contains("laptop"),
        "{added}"
    );
    let url = format!("ws://{address}");
    let project = folder.path().to_str().unwrap();

    let mut with_file = setup.tether();
    with_file
        .args(["connect", &url, "--project", project, "--key"])
        .arg(&key);
    let output = typed(with_file, "say hello\n").await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("Hello over a key file"), "{stdout}");

    let mut with_agent = Command::new("ssh-agent");
    with_agent
        .arg("-a")
        .arg(keys.path().join("agent.sock"))
        .args(["sh", "-ec", "ssh-add -q \"$K\" && exec \"$T\" --config \"$C\" connect \"$U\" --project \"$P\" --agent"])
        .env("K", &key)
        .env("U", &url)
        .env("P", project)
        .envs(
            setup
                .tether()
                .as_std()
                .get_envs()
                .filter_map(|(name, value)| Some((name, value?))),
        )
        .env("T", env!("CARGO_BIN_EXE_tether"))
        .env("C", setup.config());
    let output = typed(with_agent, "say hello again\n").await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("Hello through the agent"), "{stdout}");

    let stranger = keygen(keys.path(), "stranger").await;
    let mut refused = setup.tether();
    refused
        .args(["connect", &url, "--project", project, "--key"])
        .arg(&stranger);
    let output = typed(refused, "").await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is not authorized to sign in here"),
        "{stderr}"
    );
}
