//! From a session's move to awaiting approval to each device's push arriving at a push service:
//! an engine in this process with several devices subscribed at the push-service stand-in
//! (HTTPS on loopback under a CA of its own, trusted through `push.extra_ca_file`), told of
//! one approval at a time, each in a session of its own so none is gathered into another.

use std::time::Instant;

use anyhow::Result;
use serde::Serialize;
use serde_json::json;
use tether_engine::auth::Caller;
use tether_fake_push::PushService;
use tether_protocol::events::{AccountEvent, SessionSummary};
use tether_protocol::model::{SessionInfo, SessionStatus};

use crate::engine;
use crate::stats::{ms, percentile};

#[derive(Debug, Serialize)]
pub struct PushLatency {
    pub devices: usize,
    pub approvals: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Measures `approvals` approvals, each pushed to `devices` devices.
pub async fn run(devices: usize, approvals: usize) -> Result<PushLatency> {
    let mut service = PushService::start().await;
    let ca = service.ca_file.path().to_path_buf();
    let running = engine::start(move |config| config.push.extra_ca_file = Some(ca)).await?;
    let engine = &running.engine;
    for index in 0..devices {
        let name = format!("phone {index}");
        let created = engine
            .dispatch(
                &Caller::Local,
                "devices.create",
                Some(json!({ "name": name })),
            )
            .await
            .map_err(|error| anyhow::anyhow!("devices.create: {}", error.message))?;
        let device = Caller::Device {
            id: serde_json::from_value(created["device"]["id"].clone())?,
            name,
        };
        let browser = service.browser("ok", &format!("phone-{index}"));
        let subscription = browser.subscription(&["approval"]);
        engine
            .dispatch(&device, "push.subscribe", Some(subscription))
            .await
            .map_err(|error| anyhow::anyhow!("push.subscribe: {}", error.message))?;
    }
    let mut latencies = Vec::with_capacity(devices * approvals);
    // The first approval is not counted: it reads the key and opens the connections.
    for round in 0..=approvals {
        let session = SessionInfo::new(
            format!("bench-push-{round}"),
            "bench".into(),
            None,
            "default".into(),
            0,
        );
        let moved = |status| {
            let session = SessionInfo {
                status,
                ..session.clone()
            };
            engine.announce(&AccountEvent::SessionUpdated(SessionSummary { session }));
        };
        moved(SessionStatus::Running);
        let asked = Instant::now();
        moved(SessionStatus::AwaitingApproval);
        for _ in 0..devices {
            let arrived = service.next().await.arrived;
            if round > 0 {
                latencies.push(arrived.saturating_duration_since(asked).as_nanos() as u64);
            }
        }
    }
    running.stop().await;
    latencies.sort_unstable();
    Ok(PushLatency {
        devices,
        approvals,
        p50_ms: ms(percentile(&latencies, 0.5)),
        p99_ms: ms(percentile(&latencies, 0.99)),
        max_ms: ms(latencies.last().copied().unwrap_or_default()),
    })
}
