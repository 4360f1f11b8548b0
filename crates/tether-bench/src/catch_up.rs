//! Catch-up: the time for a client that missed 10,000 events to have them all, replayed by
//! one subscribe from the memory ring, or from the saved log (SQLite) when memory keeps few.

use anyhow::{Context, Result, bail};
use futures_util::SinkExt;
use serde::Serialize;
use serde_json::value::RawValue;
use tether_engine::hub::HistoryLimits;
use tether_protocol::ChannelName;
use tether_protocol::events::EncodedEvent;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{connect, next_text};
use crate::clock::now_ns;
use crate::engine;
use crate::lines;
use crate::stats::{median, ms};

const RUNS: usize = 5;

#[derive(Debug, Serialize)]
pub struct CatchUp {
    /// "memory" or "sqlite".
    pub from: &'static str,
    pub events: usize,
    pub median_ms: f64,
    pub events_per_sec: f64,
}

/// Both catch-ups of `events` missed events.
pub async fn run(events: usize) -> Result<Vec<CatchUp>> {
    Ok(vec![
        from("memory", events, events + 1).await?,
        from("sqlite", events, 8).await?,
    ])
}

/// A server whose memory keeps `ring` events per channel publishes `events`; a client then
/// subscribes from offset 0 and reads them all, `RUNS` times.
async fn from(label: &'static str, events: usize, ring: usize) -> Result<CatchUp> {
    let running = engine::start(|config| {
        config.history = HistoryLimits {
            max_events: ring,
            max_bytes: 256 << 20,
            max_replay: events,
            ..HistoryLimits::default()
        };
        config.limits.outbound_queue = events + 16;
        config.limits.outbound_queue_bytes = 256 << 20;
    })
    .await?;
    let channel = ChannelName::parse("session:catch-up").context("channel name")?;
    let hub = running.engine.hub();
    for line in lines::deltas(events) {
        let event = EncodedEvent::new(&channel, "cli.line", &RawValue::from_string(line)?)?;
        hub.publish(&channel, &event).context("encode an event")?;
    }
    running.saved().await?;
    let epoch = hub.position(&channel).map(|position| position.epoch);
    let url = format!("ws://{}/ws", running.addr);
    let mut timings = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let mut socket = connect(&url, &running.token).await?;
        let subscribe = serde_json::json!({ "type": "subscribe", "id": 1, "channels": [channel.as_str()], "since": { channel.as_str(): { "epoch": epoch, "offset": 0 } } });
        let start = now_ns();
        socket.send(Message::text(subscribe.to_string())).await?;
        let subscribed = next_text(&mut socket).await?;
        if !subscribed.contains(r#""recovered":true"#) {
            bail!("the {label} catch-up was not recovered: {subscribed}");
        }
        for _ in 0..events {
            next_text(&mut socket).await?;
        }
        timings.push(now_ns() - start);
    }
    running.stop().await;
    let median = median(timings);
    Ok(CatchUp {
        from: label,
        events,
        median_ms: ms(median),
        events_per_sec: events as f64 / (median as f64 / 1e9),
    })
}
