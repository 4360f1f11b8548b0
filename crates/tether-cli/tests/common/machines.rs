//! What the remote machine tests share: a hub and its agents as real `tether` processes with
//! data directories and keyring services of their own, pairing an agent, and a device on
//! the hub that keeps the events it reads past while waiting for an answer.

use std::collections::VecDeque;
use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use tether_fake_anthropic::FakeAnthropic;

use super::proxy::Proxy;
use super::{MAX_FRAMES, Setup, Socket, WAIT, connect, next_json, send, within};

/// An agent notices a silent hub within about a second.
pub const FAST_HEARTBEAT: &str =
    "[limits]\nheartbeat_interval_ms = 200\nheartbeat_timeout_ms = 1200\n";

/// Adds `settings` to an engine's settings file.
pub fn add_settings(setup: &Setup, settings: &str) {
    let mut text = std::fs::read_to_string(setup.config()).unwrap();
    text.push('\n');
    text.push_str(settings);
    std::fs::write(setup.config(), text).unwrap();
}

/// Pairs `agent` with the hub serving at `hub_url` (the hub's engine is `hub`); returns the
/// machine's id.
pub async fn pair(hub: &Setup, agent: &Setup, hub_url: &str) -> String {
    let mut approver = hub.pair_yes().await;
    let out = agent
        .output(&[
            "agent",
            "pair",
            hub_url,
            &approver.code,
            "--name",
            "build-box",
        ])
        .await;
    let id = out
        .split_whitespace()
        .skip_while(|word| *word != "machine")
        .nth(1)
        .unwrap_or_else(|| panic!("no machine id in {out:?}"))
        .trim_end_matches(';')
        .to_owned();
    tokio::time::timeout(WAIT, approver.child.wait())
        .await
        .unwrap()
        .unwrap();
    id
}

/// Starts `tether agent run` and waits until it serves its control socket.
pub async fn run_agent(agent: &Setup) -> Child {
    let mut child = agent
        .tether()
        .args(["agent", "run"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first = tokio::time::timeout(WAIT, BufReader::new(stdout).lines().next_line())
        .await
        .expect("the agent started in time")
        .unwrap()
        .expect("the agent printed a line");
    assert!(first.starts_with("agent for "), "{first}");
    child
}

/// A device on the hub; events read past while waiting for an answer are kept.
pub struct Device {
    pub socket: Socket,
    kept: VecDeque<Value>,
    next_id: u64,
}

impl Device {
    /// Connects with `token` and follows the owner's channel.
    pub async fn connect(address: &str, token: &str) -> Self {
        let mut device = Self {
            socket: connect(address, token).await,
            kept: VecDeque::new(),
            next_id: 1,
        };
        device.subscribe("user:owner").await;
        device
    }

    pub async fn subscribe(&mut self, channel: &str) {
        send(
            &mut self.socket,
            json!({ "type": "subscribe", "channels": [channel] }),
        )
        .await;
        self.until(|frame| frame["type"] == "subscribed").await;
    }

    /// Calls a method; its whole response (`result` or `error`).
    pub async fn ask(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({ "type": "request", "id": id, "method": method, "params": params });
        send(&mut self.socket, request).await;
        let answer = async {
            for _ in 0..MAX_FRAMES {
                let frame = next_json(&mut self.socket).await;
                if frame["type"] == "response" && frame["id"] == id {
                    return frame;
                }
                self.kept.push_back(frame);
            }
            panic!("no answer to {method}");
        };
        within(method, answer).await
    }

    /// Calls a method that must succeed; its result.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.ask(method, params).await;
        assert!(response["error"].is_null(), "{method}: {response}");
        response["result"].clone()
    }

    /// Reads (kept frames first) until one matches; returns it.
    pub async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.kept.iter().position(&wanted) {
            let frame = self.kept.remove(index).unwrap();
            self.kept.drain(..index);
            return frame;
        }
        self.kept.clear();
        let matched = async {
            for _ in 0..MAX_FRAMES {
                let frame = next_json(&mut self.socket).await;
                if wanted(&frame) {
                    return frame;
                }
            }
            panic!("no frame matched in {MAX_FRAMES}");
        };
        within("the awaited frame", matched).await
    }

    /// Every frame read until one matches (that one included).
    pub async fn collect_until(&mut self, wanted: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen: Vec<Value> = self.kept.drain(..).collect();
        if seen.iter().any(&wanted) {
            return seen;
        }
        let matched = async {
            for _ in 0..MAX_FRAMES {
                let frame = next_json(&mut self.socket).await;
                let done = wanted(&frame);
                seen.push(frame);
                if done {
                    return;
                }
            }
            panic!("no frame matched in {MAX_FRAMES}");
        };
        within("the awaited frame", matched).await;
        seen
    }
}

/// A session event `name` on `session`'s channel.
pub fn event_on<'a>(session: &'a str, name: &'a str) -> impl Fn(&Value) -> bool + use<'a> {
    move |frame| {
        frame["type"] == "event"
            && frame["channel"] == format!("session:{session}")
            && frame["event"] == name
    }
}

/// `session.updated` on the session's channel with this status.
pub fn status_on<'a>(session: &'a str, status: &'a str) -> impl Fn(&Value) -> bool + use<'a> {
    move |frame| {
        frame["type"] == "event"
            && frame["channel"] == format!("session:{session}")
            && frame["event"] == "session.updated"
            && frame["data"]["session"]["status"] == status
    }
}

/// A hub, one paired agent running with a project, and a device on the hub.
pub struct Fleet {
    pub hub: Setup,
    pub hub_process: Child,
    pub address: String,
    /// Between the agent and the hub, when asked for.
    pub proxy: Option<Proxy>,
    pub agent: Setup,
    pub agent_process: Child,
    pub machine: String,
    pub folder: tempfile::TempDir,
    pub project: String,
    pub device: Device,
}

impl Fleet {
    /// A hub, an agent paired with it (reaching it through a [`Proxy`] when `proxied`) and
    /// running with one project, and a device on the hub that saw the project arrive.
    pub async fn start(fake: &FakeAnthropic, proxied: bool) -> Self {
        let hub = Setup::plain();
        let (hub_process, address) = hub.serve().await;
        let agent = Setup::new(fake);
        add_settings(&agent, FAST_HEARTBEAT);
        let proxy = match proxied {
            true => Some(Proxy::start(&address).await),
            false => None,
        };
        let reached = proxy
            .as_ref()
            .map_or(address.as_str(), |proxy| proxy.address.as_str());
        let machine = pair(&hub, &agent, &format!("ws://{reached}")).await;
        let token = hub.output(&["devices", "add", "--name", "phone"]).await;
        let mut device = Device::connect(&address, token.trim()).await;
        let agent_process = run_agent(&agent).await;
        let folder = tempfile::tempdir().unwrap();
        agent
            .output(&["project", "add", folder.path().to_str().unwrap()])
            .await;
        let added = device
            .until(|frame| {
                frame["event"] == "project.added" && frame["data"]["machine"] == machine.as_str()
            })
            .await;
        let project = added["data"]["id"].as_str().unwrap().to_owned();
        Self {
            hub,
            hub_process,
            address,
            proxy,
            agent,
            agent_process,
            machine,
            folder,
            project,
            device,
        }
    }

    /// A new session in the machine's project, followed by the device.
    pub async fn session(&mut self) -> String {
        let created = self
            .device
            .call(
                "sessions.create",
                json!({ "project_id": self.project, "machine": self.machine }),
            )
            .await;
        assert_eq!(created["machine"], self.machine.as_str());
        let session = created["id"].as_str().unwrap().to_owned();
        self.device.subscribe(&format!("session:{session}")).await;
        session
    }

    pub async fn send(&mut self, session: &str, text: &str) -> Value {
        self.device
            .call(
                "messages.send",
                json!({ "session_id": session, "text": text }),
            )
            .await
    }
}

/// The assistant's text in a session, as `sessions.get` has it.
pub async fn assistant_text(device: &mut Device, session: &str) -> String {
    let got = device
        .call("sessions.get", json!({ "session_id": session }))
        .await;
    let messages = got["messages"].as_array().unwrap();
    messages
        .iter()
        .filter(|message| message["role"] == "assistant")
        .flat_map(|message| message["parts"].as_array().unwrap())
        .filter(|part| part["kind"] == "text")
        .map(|part| part["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("|")
}
