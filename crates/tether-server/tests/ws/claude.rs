//! Running sessions with the real `claude` CLI against the project's fake Anthropic API.

use std::path::PathBuf;

use serde_json::{Value, json};
use tether_engine::auth::Caller;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

pub use tether_engine::supervisor::process::processes_in;

use crate::common::{Client, MAX_FRAMES, TestServer};

/// A server whose sessions run `claude` against a fake API, with a project to run them in.
pub struct ClaudeBench {
    pub server: TestServer,
    pub fake: FakeAnthropic,

    pub project_id: String,
    pub project: tempfile::TempDir,
    _config: tempfile::TempDir,
    pub token: String,
}

impl ClaudeBench {
    pub async fn start(replies: Vec<Reply>) -> Self {
        Self::start_with(replies, |_| {}).await
    }

    pub async fn start_with(
        replies: Vec<Reply>,
        adjust: impl FnOnce(&mut tether_engine::Config),
    ) -> Self {
        assert!(
            std::env::var_os("TETHER_CLAUDE").is_some(),
            "TETHER_CLAUDE must name the claude binary: run through `make test`, which installs it"
        );
        let fake = FakeAnthropic::start(Script::new(replies)).await.unwrap();
        let config_dir = tempfile::tempdir().unwrap();
        let env = fake.claude_env(config_dir.path());
        let server = TestServer::start_with(|config| {
            config.claude.env = env
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect();
            adjust(config);
        })
        .await;
        let project = tempfile::tempdir().unwrap();
        let added = server
            .engine
            .dispatch(
                &Caller::Local,
                "projects.add",
                Some(json!({ "path": project.path() })),
            )
            .await
            .unwrap();
        let (_, token) = server.token("phone").await;
        Self {
            project_id: added["id"].as_str().unwrap().to_owned(),
            server,
            fake,
            project,
            _config: config_dir,
            token,
        }
    }

    pub async fn client(&self) -> Client {
        self.server.connect(&self.token).await
    }

    /// Creates a session and subscribes `client` to its channel; returns the session id.
    pub async fn session(&self, client: &mut Client) -> String {
        let created = client
            .call(
                100,
                "sessions.create",
                json!({ "project_id": self.project_id }),
            )
            .await;
        let id = created["result"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{created}"))
            .to_owned();
        client
            .send_json(json!({ "type": "subscribe", "channels": [format!("session:{id}")] }))
            .await;
        assert_eq!(client.next_json().await["type"], "subscribed");
        id
    }

    pub fn project_path(&self) -> PathBuf {
        self.project.path().canonicalize().unwrap()
    }
}

/// A client subscribed to a fresh session, and the events it has read ahead.
pub struct Seat {
    pub client: Client,
    pub session: String,
    pub kept: Vec<Value>,
    next_id: i64,
}

impl ClaudeBench {
    /// A new client on a new session.
    pub async fn seat(&self) -> Seat {
        let mut client = self.client().await;
        let session = self.session(&mut client).await;
        Seat {
            client,
            session,
            kept: Vec::new(),
            next_id: 1,
        }
    }
}

impl Seat {
    /// Calls a method on this session (`session_id` is added), keeping the events read meanwhile.
    pub async fn call(&mut self, method: &str, mut params: Value) -> Value {
        params["session_id"] = json!(self.session);
        self.next_id += 1;
        self.client
            .call_keeping(self.next_id, method, params, &mut self.kept)
            .await
    }

    /// Reads events until one satisfies `done`.
    pub async fn until(&mut self, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.client.events_until(&mut self.kept, done).await
    }

    /// Sends a prompt and reads this turn's events until the session reaches `status` (events
    /// read ahead before the prompt belong to earlier activity and are dropped). Only a status
    /// after the prompt's own message counts: one still on its way from the last turn does not.
    pub async fn turn(&mut self, text: &str, status: &'static str) -> Vec<Value> {
        self.kept.clear();
        let sent = self.call("messages.send", json!({ "text": text })).await;
        assert!(sent["error"].is_null(), "{sent}");
        let id = sent["result"]["message_id"].clone();
        let mut events = self
            .until(|e| e["event"] == "message.created" && e["data"]["message"]["id"] == id)
            .await;
        events.extend(self.until(status_is(status)).await);
        events
    }
}

/// The `last_error` of the last event (a `session.updated`).
pub fn last_error(events: &[Value]) -> String {
    events
        .last()
        .and_then(|event| event["data"]["session"]["last_error"].as_str())
        .unwrap_or_default()
        .to_owned()
}

impl Client {
    /// Sends a request and returns its response, keeping the events that arrive first.
    pub async fn call_keeping(
        &mut self,
        id: i64,
        method: &str,
        params: Value,
        kept: &mut Vec<Value>,
    ) -> Value {
        self.send_json(json!({ "type": "request", "id": id, "method": method, "params": params }))
            .await;
        for _ in 0..MAX_FRAMES {
            let frame = self.next_json().await;
            if frame["type"] == "response" && frame["id"] == id {
                return frame;
            }
            kept.push(frame);
        }
        panic!("more than {MAX_FRAMES} frames without the one awaited");
    }

    /// Reads events until one satisfies `done`; returns them all, that one last.
    pub async fn events_until(
        &mut self,
        kept: &mut Vec<Value>,
        done: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        let mut events = std::mem::take(kept);
        if let Some(at) = events.iter().position(&done) {
            kept.extend(events.split_off(at + 1));
            return events;
        }
        for _ in 0..MAX_FRAMES {
            let frame = self.next_json().await;
            let finished = done(&frame);
            events.push(frame);
            if finished {
                return events;
            }
        }
        panic!("more than {MAX_FRAMES} frames without the one awaited");
    }
}

/// True for a `session.updated` event with this status.
pub fn status_is(status: &'static str) -> impl Fn(&Value) -> bool {
    move |event| event["event"] == "session.updated" && event["data"]["session"]["status"] == status
}

/// The text a client rebuilds from `part.delta` events.
pub fn streamed_text(events: &[Value]) -> String {
    events
        .iter()
        .filter(|e| e["event"] == "part.delta")
        .filter_map(|e| e["data"]["text"].as_str())
        .collect()
}

/// A stand-in `claude` (a shell script that injects a fault), in a folder of its own that
/// lives as long as the first value.
pub fn stand_in_claude(script: &str) -> (tempfile::TempDir, PathBuf) {
    let bin = tempfile::tempdir().unwrap();
    let path = bin.path().join("claude");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (bin, path)
}
