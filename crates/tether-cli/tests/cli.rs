//! The `tether` binary as a user runs it: settings errors, serve, tokens, revoke, shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::process::Output;

use futures_util::StreamExt;
use serde_json::Value;
use tether_core::auth::{KeyringVault, TokenVault};
use tokio::process::{Child, Command};

use crate::common::{MAX_FRAMES, WAIT};

mod common;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// A private keyring service and data directory, so runs never touch real tokens.
struct Sandbox {
    dir: tempfile::TempDir,
    service: String,
}

impl Sandbox {
    fn new() -> Self {
        use std::hash::{BuildHasher, RandomState};
        let service = format!(
            "tether-test-{:016x}",
            RandomState::new().hash_one(std::time::SystemTime::now())
        );
        Self {
            dir: tempfile::tempdir().unwrap(),
            service,
        }
    }

    fn tether(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tether"));
        command
            .env("TETHER_KEYRING_SERVICE", &self.service)
            .env("TETHER_DATA_DIR", self.dir.path())
            .env("TETHER_LOG", "info")
            .kill_on_drop(true);
        command
    }

    async fn run(&self, args: &[&str]) -> Output {
        let run = self.tether().args(args).output();
        tokio::time::timeout(WAIT, run)
            .await
            .expect("tether hung")
            .unwrap()
    }

    async fn serve(&self) -> (Child, String) {
        common::serve(self.tether()).await
    }

    async fn create_token(&self, name: &str) -> String {
        let output = self.run(&["token", "create", "--name", name]).await;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = KeyringVault::new(&self.service).store(&[]);
    }
}

async fn connect(
    address: &str,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = format!("ws://{address}/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let Some(Ok(Message::Text(welcome))) = socket.next().await else {
        panic!("no welcome")
    };
    assert!(welcome.contains("\"welcome\""));
    socket
}

async fn close_code<S>(socket: &mut S) -> u16
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let mut frames = 0;
    loop {
        frames += 1;
        assert!(
            frames <= MAX_FRAMES,
            "more than {MAX_FRAMES} frames without the one awaited"
        );
        match tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("no close in time")
        {
            Some(Ok(Message::Close(frame))) => return frame.map_or(1005, |f| f.code.into()),
            Some(Ok(_)) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code and that stderr says `says`.
fn assert_exit(output: &Output, code: i32, says: &str) {
    let stderr = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(says), "expected {says:?} in: {stderr}");
}

#[tokio::test]
async fn bad_settings_exit_2_with_a_clear_message() {
    let sandbox = Sandbox::new();
    let lan = sandbox.run(&["serve", "--bind", "0.0.0.0"]).await;
    assert_exit(&lan, 2, "bind: only loopback");

    let missing = sandbox
        .run(&["serve", "--config", "/nonexistent/tether.toml"])
        .await;
    assert_exit(&missing, 2, "/nonexistent/tether.toml");

    let file = sandbox.dir.path().join("bad.toml");
    std::fs::write(&file, "[limits]\nmax_connections = \"lots\"\n").unwrap();
    let typed = sandbox
        .run(&["serve", "--config", file.to_str().unwrap()])
        .await;
    assert_exit(&typed, 2, "max_connections");

    let env = sandbox
        .tether()
        .args(["serve"])
        .env("TETHER_PORT", "seventy")
        .output()
        .await
        .unwrap();
    assert_exit(&env, 2, "\"PORT\" in `TETHER_`");

    let flag = sandbox.run(&["serve", "--port", "99999"]).await;
    assert_exit(&flag, 2, "--port");
}

#[tokio::test]
async fn serve_tokens_revoke_and_shutdown_as_a_user_would() {
    let sandbox = Sandbox::new();
    let (mut server, address) = sandbox.serve().await;
    assert!(address.starts_with("127.0.0.1:"), "{address}");

    let token = sandbox.create_token("cli test").await;
    assert!(
        token.starts_with("tether_"),
        "only the token goes to stdout: {token:?}"
    );
    let keeper = sandbox.create_token("keeper").await;
    let mut revoked = connect(&address, &token).await;
    let mut kept = connect(&address, &keeper).await;

    let listed = sandbox.run(&["token", "list", "--json"]).await;
    let tokens: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let entry = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "cli test")
        .unwrap()
        .clone();
    assert_eq!(
        entry["connections"], 1,
        "the running engine answered: {entry}"
    );
    let table = sandbox.run(&["token", "list"]).await;
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("cli test") && !table.contains(&token),
        "{table}"
    );

    let id = entry["id"].as_str().unwrap();
    let revoke = sandbox.run(&["token", "revoke", id]).await;
    assert!(revoke.status.success(), "{}", stderr(&revoke));
    assert_eq!(
        close_code(&mut revoked).await,
        4001,
        "revocation closes live connections at once"
    );

    let pid = server.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert_eq!(close_code(&mut kept).await, 1001);
    let status = tokio::time::timeout(WAIT, server.wait())
        .await
        .expect("serve did not stop")
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(
        !sandbox.dir.path().join("control.sock").exists(),
        "the control socket is removed"
    );
}

#[tokio::test]
async fn tokens_can_be_managed_before_the_first_start() {
    let sandbox = Sandbox::new();
    let token = sandbox.create_token("early").await;
    let listed = sandbox.run(&["token", "list", "--json"]).await;
    let tokens: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(tokens[0]["name"], "early");
    let (mut server, address) = sandbox.serve().await;
    connect(&address, &token).await;
    server.kill().await.unwrap();
    let missing = sandbox.run(&["token", "revoke", "0000abcd"]).await;
    assert_exit(&missing, 1, "no token has the id 0000abcd");
}

#[tokio::test]
async fn a_second_engine_on_the_same_data_dir_is_refused() {
    let sandbox = Sandbox::new();
    let (_server, _) = sandbox.serve().await;
    let second = sandbox.run(&["serve", "--port", "0"]).await;
    assert_exit(&second, 1, "already running");
}

#[tokio::test]
async fn no_reachable_keyring_is_a_clear_error_at_start() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .tether()
        .args(["serve", "--port", "0"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .await
        .unwrap();
    assert_exit(
        &output,
        1,
        "cannot load tokens: the OS keyring cannot be reached",
    );
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("listening"),
        "it never claims to listen"
    );
}

#[test]
fn help_names_every_command() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tether"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for command in ["serve", "token"] {
        assert!(help.contains(command), "{help}");
    }
}
