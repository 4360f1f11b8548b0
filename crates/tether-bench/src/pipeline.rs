//! The supervisor pipeline: stream-json lines parsed (Tether's parser), applied to a session's
//! transcript and published (offset, saved log) per second, with no network in the way.

use anyhow::{Context, Result};
use serde::Serialize;
use tether_engine::supervisor::session_reducer::SessionReducer;
use tether_engine::supervisor::stream_json;
use tether_protocol::ChannelName;
use tether_protocol::model::SessionInfo;

use crate::clock::now_ns;
use crate::engine;
use crate::lines;

#[derive(Debug, Serialize)]
pub struct Pipeline {
    pub lines: usize,
    pub events: usize,
    pub lines_per_sec: f64,
}

pub async fn run(count: usize) -> Result<Pipeline> {
    let running = engine::start(|_| {}).await?;
    let channel = ChannelName::parse("session:pipeline").context("channel name")?;
    let hub = running.engine.hub();
    let session = SessionInfo::new("pipeline".into(), "bench".into(), None, "default".into(), 0);
    let mut transcript = SessionReducer::new(session);
    let mut stream = lines::preamble();
    stream.extend(lines::deltas(count));
    let start = now_ns();
    let mut events = 0;
    for line in &stream {
        let parsed = stream_json::parse(line).map_err(|error| anyhow::anyhow!("{error}"))?;
        for event in transcript.apply(&parsed) {
            hub.publish(&channel, &event).context("encode an event")?;
            events += 1;
        }
    }
    running.saved().await?;
    let seconds = (now_ns() - start) as f64 / 1e9;
    running.stop().await;
    Ok(Pipeline {
        lines: stream.len(),
        events,
        lines_per_sec: stream.len() as f64 / seconds,
    })
}
