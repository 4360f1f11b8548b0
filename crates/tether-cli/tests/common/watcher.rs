//! Following a running engine's sessions as clients do: opening a session over a fresh
//! project and token, a watcher that checks every event's offset, and a clean stop.

use std::path::Path;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tokio::process::Child;

use super::{MAX_FRAMES, Setup, Socket, WAIT, call, connect, next_json, send, within};

/// Stops `tether serve` as a service manager would (SIGTERM) and checks it exits cleanly.
pub async fn stop(mut server: Child) {
    let pid = Pid::from_raw(i32::try_from(server.id().unwrap()).unwrap());
    kill(pid, Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(WAIT, server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

/// A session opened on a running engine, with the token and RPC socket that opened it.
pub struct Opened {
    pub project: String,
    pub token: String,
    pub rpc: Socket,
    pub session: String,
    pub channel: String,
}

/// Registers `folder` as a project and creates a token through the `tether` command (against
/// the engine whose data directory is seen at `data`), then opens a session over the socket.
pub async fn open_session(setup: &Setup, address: &str, data: &Path, folder: &Path) -> Opened {
    let added = setup
        .output_at(data, &["project", "add", folder.to_str().unwrap()])
        .await;
    let project = added.split_whitespace().next().unwrap().to_owned();
    let token = setup
        .output_at(data, &["devices", "add", "--name", "follower"])
        .await
        .trim()
        .to_owned();
    let mut rpc = connect(address, &token).await;
    let created = call(
        &mut rpc,
        1,
        "sessions.create",
        json!({ "project_id": &project }),
    )
    .await;
    let session = created["id"].as_str().unwrap().to_owned();
    Opened {
        project,
        token,
        rpc,
        channel: format!("session:{session}"),
        session,
    }
}

/// A client following one session channel, checking every event's offset as it comes.
pub struct Watcher {
    pub socket: Socket,
    channel: String,
    epoch: String,
    pub last: u64,
}

impl Watcher {
    /// Subscribes, resuming from `since` when given; a reported gap reloads through RPC and
    /// continues from the snapshot's position. Returns whether the resume was exact.
    pub async fn join(
        address: &str,
        token: &str,
        channel: &str,
        since: Option<(String, u64)>,
    ) -> (Self, bool) {
        let mut socket = connect(address, token).await;
        let mut subscribe = json!({ "type": "subscribe", "channels": [channel] });
        if let Some((epoch, offset)) = &since {
            subscribe["since"] = json!({ channel: { "epoch": epoch, "offset": offset } });
        }
        send(&mut socket, subscribe).await;
        let subscribed = next_json(&mut socket).await;
        assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
        let state = &subscribed["channels"][0];
        let recovered = state["recovered"] == true;
        let mut watcher = Self {
            socket,
            channel: channel.to_owned(),
            epoch: state["epoch"].as_str().unwrap().to_owned(),
            last: state["offset"].as_u64().unwrap(),
        };
        if let Some((epoch, offset)) = since {
            if recovered {
                assert_eq!(watcher.epoch, epoch, "an exact resume stays in its stream");
                watcher.last = offset;
            } else {
                let session = channel.trim_start_matches("session:");
                let snapshot = call(
                    &mut watcher.socket,
                    1,
                    "sessions.get",
                    json!({ "session_id": session }),
                )
                .await;
                watcher.epoch = snapshot["position"]["epoch"].as_str().unwrap().to_owned();
                watcher.last = snapshot["position"]["offset"].as_u64().unwrap();
            }
        }
        (watcher, recovered)
    }

    /// Checks an event frame: the next offset of this stream, nothing skipped or repeated.
    pub fn observe(&mut self, frame: &Value) -> bool {
        if frame["type"] != "event" || frame["channel"] != self.channel.as_str() {
            return false;
        }
        let offset = frame["offset"].as_u64().unwrap();
        assert_eq!(
            offset,
            self.last + 1,
            "gap or duplicate in {}: {frame}",
            self.epoch
        );
        self.last = offset;
        true
    }

    /// Reads until an event with offset `target` or later has arrived.
    pub async fn read_to(&mut self, target: u64) {
        let arrived = async {
            for _ in 0..MAX_FRAMES {
                if self.last >= target {
                    return;
                }
                let frame = next_json(&mut self.socket).await;
                self.observe(&frame);
            }
            panic!("offset {target} never arrived");
        };
        within(&format!("offset {target}"), arrived).await;
    }

    /// Reads until the session reports `status`; returns the events seen meanwhile.
    pub async fn read_until_status(&mut self, status: &str) -> Vec<Value> {
        let reported = async {
            let mut seen = Vec::new();
            for _ in 0..MAX_FRAMES {
                let frame = next_json(&mut self.socket).await;
                if self.observe(&frame) {
                    seen.push(frame.clone());
                    if frame["event"] == "session.updated"
                        && frame["data"]["session"]["status"] == status
                    {
                        return seen;
                    }
                }
            }
            panic!("the session never became {status}");
        };
        within(&format!("the status {status}"), reported).await
    }

    /// Reads whatever arrives until the server is gone, checking each event.
    pub async fn drain_until_closed(mut self) -> (String, u64) {
        use futures_util::StreamExt;
        let closed = async {
            for _ in 0..MAX_FRAMES {
                match self.socket.next().await {
                    Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => {
                        self.observe(&serde_json::from_str(&text).unwrap());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return,
                }
            }
            panic!("more than {MAX_FRAMES} frames after the kill");
        };
        within("the socket closing", closed).await;
        (self.epoch, self.last)
    }

    pub fn position(&self) -> (String, u64) {
        (self.epoch.clone(), self.last)
    }
}
