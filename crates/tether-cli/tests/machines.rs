//! Remote machines: a hub and an agent as two `tether` engines with their own data
//! directories and keyring services; the agent runs the real `claude` against the fake API.
//! A device on the hub runs a session on the agent's machine, and the machine's link stays
//! within what a machine may do.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use futures_util::SinkExt;
use serde_json::json;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tether_protocol::machine::INSTANCE_HEADER;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::common::machines::{Device, Fleet, assistant_text, event_on, status_on};
use crate::common::{Setup, WAIT, close_code, next_json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_on_the_hub_runs_approves_and_interrupts_a_session_on_a_machine() {
    let command = "echo made-on-the-machine > proof.txt";
    let fake = FakeAnthropic::start(Script::new([
        Reply::tool_use(
            "toolu_remote1",
            "Bash",
            json!({ "command": command, "description": "Write proof" }),
        ),
        Reply::text(["Done ", "there."]),
        Reply::Stall {
            chunks: vec!["working".into()],
        },
    ]))
    .await
    .unwrap();
    let mut fleet = Fleet::start(&fake, false).await;

    let machines = fleet.device.call("machines.list", json!({})).await;
    let listed = &machines.as_array().unwrap()[0];
    assert_eq!(listed["id"], fleet.machine.as_str());
    assert_eq!(listed["name"], "build-box");
    assert_eq!(listed["online"], true);
    assert!(
        listed["claude_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "{listed}"
    );
    assert!(listed["version"].as_str().is_some(), "{listed}");

    // A prompt, an approval answered on the hub, the tool run on the machine.
    let session = fleet.session().await;
    fleet.send(&session, "Write the proof").await;
    let asked = fleet
        .device
        .until(event_on(&session, "tool.approval_required"))
        .await;
    let request_id = asked["data"]["approval"]["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    fleet
        .device
        .call(
            "tools.approve",
            json!({ "session_id": session, "request_id": request_id }),
        )
        .await;
    let again = fleet
        .device
        .ask(
            "tools.approve",
            json!({ "session_id": session, "request_id": request_id }),
        )
        .await;
    assert_eq!(
        again["error"]["code"], "not_found",
        "the first answer wins: {again}"
    );
    fleet.device.until(status_on(&session, "idle")).await;
    let proof = std::fs::read_to_string(fleet.folder.path().join("proof.txt")).unwrap();
    assert_eq!(proof.trim(), "made-on-the-machine");
    assert_eq!(
        assistant_text(&mut fleet.device, &session).await,
        "Done there."
    );

    // The machine's files and git state, asked through the hub.
    let found = fleet
        .device
        .call(
            "files.search",
            json!({ "project_id": fleet.project, "query": "proof" }),
        )
        .await;
    assert_eq!(found["entries"][0]["path"], "proof.txt", "{found}");
    let read = fleet
        .device
        .call(
            "files.read",
            json!({ "project_id": fleet.project, "path": "proof.txt" }),
        )
        .await;
    assert_eq!(read["body"]["text"], "made-on-the-machine\n", "{read}");
    let outside = fleet
        .device
        .ask(
            "files.read",
            json!({ "project_id": fleet.project, "path": "../../etc/passwd" }),
        )
        .await;
    assert_eq!(outside["error"]["code"], "invalid_params", "{outside}");
    let git = fleet
        .device
        .call("git.status", json!({ "project_id": fleet.project }))
        .await;
    assert_eq!(git["state"], "not_repository", "{git}");

    // An interrupt reaches the machine's claude.
    fleet.send(&session, "Keep working").await;
    fleet.device.until(event_on(&session, "part.delta")).await;
    fleet
        .device
        .call("messages.cancel", json!({ "session_id": session }))
        .await;
    fleet.device.until(status_on(&session, "interrupted")).await;
    fake.release_stalls();

    // Archiving stops the run on the machine: nothing of it stays in the project folder.
    fleet
        .device
        .call("sessions.archive", json!({ "session_id": session }))
        .await;
    let folder = fleet.folder.path().canonicalize().unwrap();
    let gone = async {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(10));
        while !tether_engine::supervisor::process::processes_in(&folder).is_empty() {
            tick.tick().await;
        }
    };
    tokio::time::timeout(WAIT, gone)
        .await
        .expect("the machine stopped claude");
    fleet.agent_process.kill().await.unwrap();
    fleet.hub_process.kill().await.unwrap();
}

/// A raw machine link from agent `instance`, as a rogue agent would open it.
async fn machine_link(address: &str, token: &str, instance: &str) -> Result<common::Socket, u16> {
    let mut request = format!("ws://{address}/ws/machine")
        .into_client_request()
        .unwrap();
    let headers = request.headers_mut();
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    headers.insert("authorization", bearer);
    headers.insert(INSTANCE_HEADER, HeaderValue::from_str(instance).unwrap());
    match tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()
    {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_may_only_report_its_runs_and_revoking_it_cuts_it_off() {
    let hub = Setup::plain();
    let (mut hub_process, address) = hub.serve().await;
    let machine_token = hub
        .output(&["devices", "add", "--name", "rogue", "--machine"])
        .await
        .trim()
        .to_owned();
    let phone_token = hub
        .output(&["devices", "add", "--name", "phone"])
        .await
        .trim()
        .to_owned();

    // Each token opens its own door only.
    assert_eq!(
        machine_link(&address, &phone_token, "a").await.err(),
        Some(403)
    );
    let (status, body) = common::http(
        &address,
        &format!("GET /ws HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {machine_token}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );

    let hello = json!({ "type": "hello", "version": "0", "hostname": "rogue", "claude_version": null, "projects": [], "runs": [] });
    let mut phone = Device::connect(&address, &phone_token).await;
    let mut stale = machine_link(&address, &machine_token, "a").await.unwrap();
    stale.send(Message::text(hello.to_string())).await.unwrap();
    phone
        .until(|frame| frame["event"] == "machine.updated" && frame["data"]["online"] == true)
        .await;
    assert_eq!(
        machine_link(&address, &machine_token, "b").await.err(),
        Some(409),
        "a second agent with the same identity is refused"
    );
    let mut rogue = machine_link(&address, &machine_token, "a").await.unwrap();
    assert_eq!(
        close_code(&mut stale).await,
        1000,
        "the same agent linking again replaces its stale link"
    );
    rogue.send(Message::text(hello.to_string())).await.unwrap();
    let online = phone.call("machines.list", json!({})).await;
    assert_eq!(online[0]["online"], true, "{online}");

    // Device methods, subscriptions and output for runs it does not hold: refused or ignored.
    for (n, frame) in [
        json!({ "type": "request", "id": 1, "method": "devices.revoke", "params": { "id": "00000000" } }),
        json!({ "type": "subscribe", "channels": ["user:owner"] }),
    ]
    .into_iter()
    .enumerate()
    {
        rogue.send(Message::text(frame.to_string())).await.unwrap();
        let refused = next_json(&mut rogue).await;
        assert_eq!(refused["type"], "refused", "{n}: {refused}");
        assert_eq!(refused["error"]["code"], "forbidden", "{n}: {refused}");
    }
    let stray = json!({ "type": "output", "run": "not-mine", "offset": 1, "lines": [{ "stream": "stdout", "line": "{}" }], "input": 0 });
    rogue.send(Message::text(stray.to_string())).await.unwrap();
    assert_eq!(
        next_json(&mut rogue).await,
        json!({ "type": "stop", "run": "not-mine" })
    );
    for _ in 0..8 {
        let abuse = json!({ "type": "request", "id": 2, "method": "pairing.start" });
        if rogue.send(Message::text(abuse.to_string())).await.is_err() {
            break;
        }
    }
    assert_eq!(
        close_code(&mut rogue).await,
        1008,
        "repeated abuse closes the link"
    );

    // Revoked: the live link closes at once, and the token opens nothing.
    let mut rogue = machine_link(&address, &machine_token, "a").await.unwrap();
    rogue.send(Message::text(hello.to_string())).await.unwrap();
    let id = phone.call("machines.list", json!({})).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    phone.call("devices.revoke", json!({ "id": id })).await;
    assert_eq!(close_code(&mut rogue).await, 4001);
    assert_eq!(
        machine_link(&address, &machine_token, "a").await.err(),
        Some(401)
    );
    let update = phone
        .until(|frame| frame["event"] == "machine.updated" && frame["data"]["online"] == false)
        .await;
    assert_eq!(update["data"]["id"], id.as_str());
    hub_process.kill().await.unwrap();
}
