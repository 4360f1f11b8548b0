//! The IPC commands the window may call.

use serde::Serialize;
use tauri::State;

use crate::engine_host::{EngineHost, EngineState};

/// What the status window shows.
#[derive(Debug, Serialize)]
pub struct StatusView {
    /// `starting`, `running` or `failed`.
    state: &'static str,
    version: &'static str,
    address: Option<String>,
    connections: usize,
    uptime_secs: u64,
    error: Option<String>,
}

/// The engine's live status.
#[tauri::command]
pub fn status(host: State<'_, EngineHost>) -> StatusView {
    let blank = StatusView {
        state: "starting",
        version: tether_core::VERSION,
        address: None,
        connections: 0,
        uptime_secs: 0,
        error: None,
    };
    match host.state() {
        EngineState::Starting => blank,
        EngineState::Running { engine, address } => StatusView {
            state: "running",
            address: Some(format!("ws://{address}/ws")),
            connections: engine.connections().count(),
            uptime_secs: engine.uptime().as_secs(),
            ..blank
        },
        EngineState::Failed(error) => StatusView {
            state: "failed",
            error: Some(error),
            ..blank
        },
    }
}
