//! `system.*`: what this server is and how it is doing.

use crate::engine::Engine;
use tether_protocol::PROTOCOL_VERSION;

use tether_protocol::params::NoParams;
use tether_protocol::results::SystemInfo;

pub(super) fn info(engine: &Engine, _: NoParams) -> SystemInfo {
    SystemInfo {
        version: crate::VERSION.to_owned(),
        protocol: PROTOCOL_VERSION,
        uptime_ms: u64::try_from(engine.uptime().as_millis()).unwrap_or(u64::MAX),
        connections: engine.connections().count(),
        store: engine.store().health(),
    }
}
