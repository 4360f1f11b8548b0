//! `system.*`: what this server is and how it is doing.

use serde::Serialize;
use ts_rs::TS;

use super::NoParams;
use crate::engine::Engine;
use tether_protocol::PROTOCOL_VERSION;
use tether_store::HealthReport;

/// The result of `system.info`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SystemInfo {
    pub version: String,
    pub protocol: u32,
    #[ts(type = "number")]
    pub uptime_ms: u64,
    /// Live WebSocket connections.
    #[ts(type = "number")]
    pub connections: usize,
    /// How the store is doing: a problem while it cannot save, its commit figures.
    pub store: HealthReport,
}

pub(super) fn info(engine: &Engine, _: NoParams) -> SystemInfo {
    SystemInfo {
        version: crate::VERSION.to_owned(),
        protocol: PROTOCOL_VERSION,
        uptime_ms: u64::try_from(engine.uptime().as_millis()).unwrap_or(u64::MAX),
        connections: engine.connections().count(),
        store: engine.store().health(),
    }
}
