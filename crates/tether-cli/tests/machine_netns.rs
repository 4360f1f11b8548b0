//! A machine in a network namespace of its own, reaching its hub over a veth link rather than
//! loopback: the hub serves it through LAN access (TLS), and the agent pins the certificate's
//! fingerprint. Skipped, saying why, where namespaces cannot be made (no root, no `ip`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::net::SocketAddr;
use std::process::Stdio;

use rand::Rng;
use serde_json::json;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use crate::common::machines::{Device, assistant_text, status_on};
use crate::common::{Setup, WAIT};

/// Runs `ip ARGS`; whether it worked.
async fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|status| status.success())
}

/// Why namespaces cannot be made here, if they cannot.
async fn unavailable() -> Option<String> {
    let probe = Command::new("unshare")
        .args(["--net", "true"])
        .status()
        .await;
    if !probe.is_ok_and(|status| status.success()) {
        return Some("`unshare --net` is not allowed here (it needs root)".to_owned());
    }
    if !ip(&["link", "show", "lo"]).await {
        return Some("the `ip` command (iproute2) is missing".to_owned());
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_in_its_own_network_namespace_runs_a_session_over_a_veth_link() {
    if let Some(why) = unavailable().await {
        eprintln!("skipped: {why}");
        return;
    }
    let hub = Setup::plain();
    let agent = Setup::plain();
    // The agent's shell waits in its namespace for the veth, then pairs and runs.
    let mut shell = agent.tether().as_std().get_envs().fold(
        Command::new("unshare"),
        |mut command, (key, value)| {
            if let Some(value) = value {
                command.env(key, value);
            }
            command
        },
    );
    let tether = env!("CARGO_BIN_EXE_tether");
    let script = format!(
        "read -r veth address url code fingerprint; \
         ip addr add \"$address/30\" dev $veth; ip link set $veth up; ip link set lo up; \
         {tether:?} --config \"$CONFIG\" agent pair \"$url\" \"$code\" --fingerprint \"$fingerprint\" --name netns-box \
         && exec {tether:?} --config \"$CONFIG\" agent run"
    );
    let mut shell = shell
        .args(["--net", "sh", "-ec", &script])
        .env("CONFIG", agent.config())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = shell.id().unwrap().to_string();
    // The shell is in its namespace once its network namespace differs from this one's.
    let own = std::fs::read_link("/proc/self/ns/net").unwrap();
    let entered = async {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(5));
        while std::fs::read_link(format!("/proc/{pid}/ns/net")).is_ok_and(|ns| ns == own) {
            tick.tick().await;
        }
    };
    tokio::time::timeout(WAIT, entered)
        .await
        .expect("the shell entered its namespace");
    let subnet = rand::rng().random_range(1..250);
    let (host, guest) = (format!("10.213.{subnet}.1"), format!("10.213.{subnet}.2"));
    let suffix = format!("{:08x}", rand::rng().random::<u32>());
    let (host_end, guest_end) = (format!("tvh{suffix}"), format!("tvg{suffix}"));
    assert!(
        ip(&[
            "link", "add", &host_end, "type", "veth", "peer", "name", &guest_end, "netns", &pid
        ])
        .await,
        "the veth pair could not be made"
    );
    assert!(ip(&["addr", "add", &format!("{host}/30"), "dev", &host_end]).await);
    assert!(ip(&["link", "set", &host_end, "up"]).await);

    // The fake API and the hub's LAN access listen on the host's end of the link.
    let fake = FakeAnthropic::start_on(
        format!("{host}:0").parse::<SocketAddr>().unwrap(),
        Script::new([Reply::text(["Hello ", "across the link."])]),
    )
    .await
    .unwrap();
    agent.run_claude_against(&fake);
    let (mut hub_process, address) = hub.serve().await;
    let lan = hub
        .output(&["lan", "on", "--address", &host, "--port", "0"])
        .await;
    let url = lan
        .lines()
        .find_map(|line| line.strip_prefix("LAN access is on at "))
        .unwrap();
    let fingerprint = lan
        .lines()
        .find_map(|line| line.strip_prefix("Certificate: "))
        .unwrap();
    let url = url.trim_end_matches('/').replacen("https://", "wss://", 1);
    let mut approver = hub.pair_yes().await;
    let line = format!(
        "{guest_end} {guest} {url} {} {fingerprint}\n",
        approver.code
    );
    shell
        .stdin
        .as_mut()
        .unwrap()
        .write_all(line.as_bytes())
        .await
        .unwrap();
    let mut lines = BufReader::new(shell.stdout.take().unwrap()).lines();
    let paired = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(paired.starts_with("paired with wss://10.213."), "{paired}");
    tokio::time::timeout(WAIT, approver.child.wait())
        .await
        .unwrap()
        .unwrap();

    let token = hub.output(&["devices", "add", "--name", "phone"]).await;
    let mut device = Device::connect(&address, token.trim()).await;
    let machines = device.call("machines.list", json!({})).await;
    let machine = machines[0]["id"].as_str().unwrap().to_owned();
    // A folder the agent offers, from inside its namespace (through its control socket).
    let folder = tempfile::tempdir().unwrap();
    agent
        .output(&["project", "add", folder.path().to_str().unwrap()])
        .await;
    let added = device
        .until(|frame| {
            frame["event"] == "project.added" && frame["data"]["machine"] == machine.as_str()
        })
        .await;
    let created = device
        .call(
            "sessions.create",
            json!({ "project_id": added["data"]["id"] }),
        )
        .await;
    let session = created["id"].as_str().unwrap().to_owned();
    device.subscribe(&format!("session:{session}")).await;
    device
        .call(
            "messages.send",
            json!({ "session_id": session, "text": "Say hello" }),
        )
        .await;
    device.until(status_on(&session, "idle")).await;
    assert_eq!(
        assistant_text(&mut device, &session).await,
        "Hello across the link."
    );
    let listed = device.call("machines.list", json!({})).await;
    assert_eq!(listed[0]["online"], true);
    shell.kill().await.unwrap();
    hub_process.kill().await.unwrap();
}
