//! The `tether` binary as a user runs it: settings errors, serve, devices, revoke, shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::process::Output;

use serde_json::Value;

use crate::common::{Setup, WAIT, close_code, connect};

mod common;

async fn create_token(setup: &Setup, name: &str) -> String {
    let token = setup.output(&["devices", "add", "--name", name]).await;
    token.trim().to_owned()
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
    let setup = Setup::plain();
    let lan = setup.run(&["serve", "--bind", "0.0.0.0"]).await;
    assert_exit(&lan, 2, "bind: only loopback");

    let missing = setup
        .run(&["serve", "--config", "/nonexistent/tether.toml"])
        .await;
    assert_exit(&missing, 2, "/nonexistent/tether.toml");

    let file = setup.data.path().join("bad.toml");
    std::fs::write(&file, "[limits]\nmax_connections = \"lots\"\n").unwrap();
    let typed = setup
        .run(&["serve", "--config", file.to_str().unwrap()])
        .await;
    assert_exit(&typed, 2, "max_connections");

    let env = setup
        .tether()
        .args(["serve"])
        .env("TETHER_PORT", "seventy")
        .output()
        .await
        .unwrap();
    assert_exit(&env, 2, "\"PORT\" in `TETHER_`");

    let flag = setup.run(&["serve", "--port", "99999"]).await;
    assert_exit(&flag, 2, "--port");
}

#[tokio::test]
async fn serve_devices_revoke_and_shutdown_as_a_user_would() {
    let setup = Setup::plain();
    let (mut server, address) = setup.serve().await;
    assert!(address.starts_with("127.0.0.1:"), "{address}");

    let token = create_token(&setup, "cli test").await;
    assert!(
        token.starts_with("tether_"),
        "only the token goes to stdout: {token:?}"
    );
    let keeper = create_token(&setup, "keeper").await;
    let mut revoked = connect(&address, &token).await;
    let mut kept = connect(&address, &keeper).await;

    let listed = setup.run(&["devices", "list", "--json"]).await;
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
    let table = setup.run(&["devices", "list"]).await;
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("cli test") && !table.contains(&token),
        "{table}"
    );

    let id = entry["id"].as_str().unwrap();
    let revoke = setup.run(&["devices", "revoke", id]).await;
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
        !setup.data.path().join("control.sock").exists(),
        "the control socket is removed"
    );
}

#[tokio::test]
async fn devices_can_be_managed_before_the_first_start() {
    let setup = Setup::plain();
    let token = create_token(&setup, "early").await;
    let listed = setup.run(&["devices", "list", "--json"]).await;
    let tokens: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(tokens[0]["name"], "early");
    let (mut server, address) = setup.serve().await;
    connect(&address, &token).await;
    server.kill().await.unwrap();
    let missing = setup.run(&["devices", "revoke", "0000abcd"]).await;
    assert_exit(&missing, 1, "no device has the id \"0000abcd\"");
}

#[tokio::test]
async fn a_second_engine_on_the_same_data_dir_is_refused() {
    let setup = Setup::plain();
    let (_server, _) = setup.serve().await;
    let second = setup.run(&["serve", "--port", "0"]).await;
    assert_exit(&second, 1, "already running");
}

#[tokio::test]
async fn no_reachable_keyring_is_a_clear_error_at_start() {
    let setup = Setup::plain();
    let output = setup
        .tether()
        .args(["serve", "--port", "0"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .await
        .unwrap();
    assert_exit(
        &output,
        1,
        "cannot load paired devices: the OS keyring cannot be reached",
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
    for command in [
        "serve", "pair", "devices", "keys", "lan", "remote", "ntfy", "connect",
    ] {
        assert!(help.contains(command), "{help}");
    }
}

#[tokio::test]
async fn lan_access_turns_on_and_off_from_the_command_line() {
    let setup = Setup::plain();
    let (_server, _) = setup.serve().await;
    let on = setup
        .output(&["lan", "on", "--address", "127.0.0.1", "--port", "0"])
        .await;
    assert!(
        on.starts_with("LAN access is on at https://127.0.0.1:"),
        "{on}"
    );
    let fingerprint = on.lines().nth(1).unwrap();
    assert!(fingerprint.starts_with("Certificate: SHA256:"), "{on}");
    let status = setup.output(&["lan", "status"]).await;
    assert_eq!(status, on, "status tells the same");
    let off = setup.output(&["lan", "off"]).await;
    assert!(off.contains("LAN access is off"), "{off}");
    let again = setup
        .output(&["lan", "on", "--address", "127.0.0.1", "--port", "0"])
        .await;
    assert_eq!(
        again.lines().nth(1),
        Some(fingerprint),
        "the certificate is kept in the keyring"
    );
}

#[tokio::test]
async fn the_public_url_is_set_from_the_command_line_and_the_choice_outlives_a_restart() {
    let setup = Setup::plain();
    let mut settings = std::fs::read_to_string(setup.config()).unwrap();
    settings += "[remote]\npublic_url = \"http://desk.example\"\n";
    std::fs::write(setup.config(), &settings).unwrap();
    let refused = setup.run(&["serve", "--port", "0"]).await;
    assert_eq!(
        refused.status.code(),
        Some(2),
        "a public URL that is not https"
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("remote.public_url"), "{said}");

    std::fs::write(
        setup.config(),
        "[remote]\npublic_url = \"https://file.example\"\n",
    )
    .unwrap();
    let (mut server, _) = setup.serve().await;
    let status = setup.output(&["remote", "status"]).await;
    assert!(
        status.contains("https://file.example/ (set by the settings file)"),
        "{status}"
    );
    let bad = setup
        .run(&["remote", "set", "https://desk.example/app"])
        .await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("origin only"));
    let off = setup.output(&["remote", "set", "off"]).await;
    assert!(off.contains("Remote access is off"), "{off}");

    // Turned off on the desktop, it stays off after a restart, whatever the file says.
    server.kill().await.unwrap();
    server.wait().await.unwrap();
    let (mut server, _) = setup.serve().await;
    let status = setup.output(&["remote", "status"]).await;
    assert!(status.contains("Remote access is off"), "{status}");
    setup
        .output(&["remote", "set", "https://desk.example.org:8443"])
        .await;
    server.kill().await.unwrap();
    server.wait().await.unwrap();
    let (_server, _) = setup.serve().await;
    let status = setup.output(&["remote", "status"]).await;
    assert!(
        status.contains("https://desk.example.org:8443/ (set by the desktop)"),
        "{status}"
    );
}

/// An ntfy topic on loopback that takes a publish only with `Bearer tk_cli_secret`; answers
/// its URL and the titles it took.
async fn protected_topic() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use axum::http::{HeaderMap, StatusCode};
    let (sender, took) = tokio::sync::mpsc::unbounded_channel();
    let topic = axum::Router::new().route(
        "/topic",
        axum::routing::post(move |headers: HeaderMap| {
            let sender = sender.clone();
            async move {
                let header = |name| headers.get(name).and_then(|value| value.to_str().ok());
                if header("authorization") != Some("Bearer tk_cli_secret") {
                    return StatusCode::FORBIDDEN;
                }
                let _ = sender.send(header("x-title").unwrap_or_default().to_owned());
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/topic", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, topic).await });
    (url, took)
}

#[tokio::test]
async fn the_ntfy_token_is_read_from_standard_input_and_a_test_says_what_the_server_said() {
    let setup = Setup::plain();
    let (url, mut took) = protected_topic().await;
    std::fs::write(setup.config(), format!("[push]\nntfy_url = {url:?}\n")).unwrap();
    let refused = setup.run(&["ntfy", "test"]).await;
    assert_exit(&refused, 1, "tether ntfy token");
    assert!(stderr(&refused).contains("403"), "{}", stderr(&refused));

    let mut keep = setup.tether();
    keep.args(["ntfy", "token"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = keep.spawn().unwrap();
    use tokio::io::AsyncWriteExt as _;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"tk_cli_secret\n").await.unwrap();
    drop(stdin);
    let kept = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(kept.status.success(), "{}", stderr(&kept));

    let tested = setup.output(&["ntfy", "test"]).await;
    assert!(tested.contains("took a test notification"), "{tested}");
    assert_eq!(took.try_recv().unwrap(), "Tether test notification");
    setup.output(&["ntfy", "token", "--clear"]).await;
    let forgotten = setup.run(&["ntfy", "test"]).await;
    assert_exit(&forgotten, 1, "403");
}

#[tokio::test]
async fn json_logs_are_one_object_per_line() {
    let setup = Setup::plain();
    let logs = tempfile::NamedTempFile::new().unwrap();
    let mut tether = setup.tether();
    tether
        .env("TETHER_LOG_FORMAT", "json")
        .stderr(std::process::Stdio::from(logs.reopen().unwrap()));
    let (mut server, _address) = common::serve(tether).await;
    let pid = server.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    tokio::time::timeout(WAIT, server.wait())
        .await
        .expect("serve did not stop")
        .unwrap();

    let written = std::fs::read_to_string(logs.path()).unwrap();
    let lines: Vec<Value> = written
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line:?}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|line| line["level"] == "INFO" && line["fields"]["message"].is_string()),
        "{written}"
    );
}
