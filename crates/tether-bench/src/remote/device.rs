//! The remote bench's device: a client of the hub that starts sessions and times each
//! token of a turn from the moment the stand-in `claude` printed it.

use anyhow::{Context, Result, bail};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::MAX_FRAMES;
use crate::client::{Socket, connect, next_text};
use crate::stand_in_claude::wall_ns;

/// One turn as the device saw it.
pub struct Turn {
    /// Each token's trip, in nanoseconds, sorted.
    pub trips: Vec<u64>,
    first_ns: u64,
    last_ns: u64,
}

impl Turn {
    pub fn per_sec(&self) -> f64 {
        self.trips.len() as f64 / ((self.last_ns - self.first_ns).max(1) as f64 / 1e9)
    }
}

/// A device on the hub.
pub struct Device {
    socket: Socket,
    next_id: u64,
}

impl Device {
    pub async fn connect(address: &str, token: &str) -> Result<Self> {
        let mut device = Self {
            socket: connect(&format!("ws://{address}/ws"), token).await?,
            next_id: 1,
        };
        device
            .send(json!({ "type": "subscribe", "channels": ["user:owner"] }))
            .await?;
        device.until(|frame| frame["type"] == "subscribed").await?;
        Ok(device)
    }

    async fn send(&mut self, frame: Value) -> Result<()> {
        Ok(self.socket.send(Message::text(frame.to_string())).await?)
    }

    async fn next(&mut self) -> Result<Value> {
        Ok(serde_json::from_str(&next_text(&mut self.socket).await?)?)
    }

    pub async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Result<Value> {
        for _ in 0..MAX_FRAMES {
            let frame = self.next().await?;
            if wanted(&frame) {
                return Ok(frame);
            }
        }
        bail!("no frame matched")
    }

    pub async fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "type": "request", "id": id, "method": method, "params": params }))
            .await?;
        let answer = self
            .until(|frame| frame["type"] == "response" && frame["id"] == id)
            .await?;
        if !answer["error"].is_null() {
            bail!("{method}: {}", answer["error"]);
        }
        Ok(answer["result"].clone())
    }

    /// A new session in `project`, followed.
    pub async fn session(&mut self, project: &str) -> Result<String> {
        let created = self
            .call("sessions.create", json!({ "project_id": project }))
            .await?;
        let id = created["id"].as_str().context("session id")?.to_owned();
        self.send(json!({ "type": "subscribe", "channels": [format!("session:{id}")] }))
            .await?;
        self.until(|frame| frame["type"] == "subscribed").await?;
        Ok(id)
    }

    /// Asks for `count` tokens `pace` ns apart and times each one's trip.
    pub async fn turn(&mut self, session: &str, count: u64, pace: u64) -> Result<Turn> {
        let text = format!("deltas {count} pace {pace}");
        self.call(
            "messages.send",
            json!({ "session_id": session, "text": text }),
        )
        .await?;
        let channel = format!("session:{session}");
        let mut trips = Vec::with_capacity(count as usize);
        let (mut first_ns, mut last_ns) = (0, 0);
        for _ in 0..MAX_FRAMES {
            let frame = self.next().await?;
            if frame["channel"] != channel.as_str() {
                continue;
            }
            if frame["event"] == "part.delta" {
                let now = wall_ns();
                let sent: u64 = frame["data"]["text"]
                    .as_str()
                    .and_then(|text| text.trim().strip_prefix('t')?.parse().ok())
                    .context("a token without its time")?;
                trips.push(now.saturating_sub(sent));
                if first_ns == 0 {
                    first_ns = now;
                }
                last_ns = now;
            }
            if frame["event"] == "session.updated"
                && frame["data"]["session"]["status"] == "idle"
                && !trips.is_empty()
            {
                break;
            }
        }
        anyhow::ensure!(
            trips.len() as u64 == count,
            "{} of {count} tokens arrived",
            trips.len()
        );
        trips.sort_unstable();
        Ok(Turn {
            trips,
            first_ns,
            last_ns,
        })
    }
}
