//! `tether-bench serve LINES`: Tether's side of the fan-out, in a process of its own like the
//! peers (bench/peers/feed.mjs), with the same stdin commands: `go COUNT DELAY_NS INTERVAL_NS`
//! parses line after line with Tether's stream-json parser and publishes it on a session
//! channel (offset, saved log, fan-out), the nth at DELAY + n * INTERVAL from the command;
//! then prints `done UNSAVED`, the events so far the store could not save.

use anyhow::{Context, Result, bail};
use serde_json::value::RawValue;
use tether_engine::supervisor::stream_json;
use tether_protocol::ChannelName;
use tether_protocol::events::EncodedEvent;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::clock::now_ns;
use crate::engine;

/// The channel every subscriber follows.
pub const CHANNEL: &str = "session:bench";
/// The most events published before yielding, as the peers do.
const TURN: usize = 1000;

pub async fn run(lines: &std::path::Path) -> Result<()> {
    let lines: Vec<String> = std::fs::read_to_string(lines)?
        .lines()
        .map(str::to_owned)
        .collect();
    let running = engine::start(|config| {
        // The peers queue without bound; so may Tether here, so no subscriber is cut off.
        config.limits.outbound_queue = 1 << 20;
        config.limits.outbound_queue_bytes = 1 << 30;
    })
    .await?;
    println!("ready {} {}", running.addr.port(), running.token);
    let channel = ChannelName::parse(CHANNEL).context("channel name")?;
    let hub = running.engine.hub();
    let mut commands = BufReader::new(tokio::io::stdin()).lines();
    let mut offset = 0usize;
    while let Some(command) = commands.next_line().await? {
        let go = Go::parse(&command)?;
        let t0 = now_ns() + go.delay;
        let first = offset;
        let end = offset + go.count;
        while offset < end {
            let now = now_ns();
            let mut turn = 0;
            while offset < end && turn < TURN && t0 + (offset - first) as u64 * go.interval <= now {
                let line = &lines[offset % lines.len()];
                stream_json::parse(line).map_err(|error| anyhow::anyhow!("{error}"))?;
                let data = RawValue::from_string(line.clone())?;
                let event = EncodedEvent::new(&channel, "cli.line", &data)?;
                hub.publish(&channel, &event).context("encode an event")?;
                offset += 1;
                turn += 1;
            }
            if turn == TURN {
                tokio::task::yield_now().await;
            } else if offset < end {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        }
        println!("done {}", running.unsaved().await?);
    }
    running.stop().await;
    Ok(())
}

/// One `go COUNT DELAY_NS INTERVAL_NS` command. (Bun's clock starts with its process, so
/// times are relative to the command's arrival.)
pub struct Go {
    pub count: usize,
    pub delay: u64,
    pub interval: u64,
}

impl Go {
    fn parse(command: &str) -> Result<Self> {
        let parts: Vec<&str> = command.split(' ').collect();
        let ["go", count, delay, interval] = parts[..] else {
            bail!("expected `go COUNT DELAY_NS INTERVAL_NS`, got {command:?}");
        };
        Ok(Self {
            count: count.parse()?,
            delay: delay.parse()?,
            interval: interval.parse()?,
        })
    }

    pub fn command(&self) -> String {
        format!("go {} {} {}\n", self.count, self.delay, self.interval)
    }
}
