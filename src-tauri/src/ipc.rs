//! The window's connection to the engine: `engine_connect` opens an in-process link whose
//! frames come back on a `tauri::ipc::Channel`, `engine_send` hands it one frame, and
//! `engine_disconnect` closes it. The window is the trusted local client, so it needs no token;
//! these three commands are all it may call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;
use tether_server::local_link::{Delivery, LocalLink};

use crate::engine_host::{EngineHost, START_WAIT};

/// What the window is told, as the UI's desktop host reads it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WindowDelivery {
    Frame { frame: String },
    Closed { code: u16, reason: String },
}

impl From<Delivery> for WindowDelivery {
    fn from(delivery: Delivery) -> Self {
        match delivery {
            Delivery::Frame(frame) => Self::Frame { frame },
            Delivery::Closed { code, reason } => Self::Closed { code, reason },
        }
    }
}

/// The window's open link, by id. The window needs one at a time: a new one (after a reload,
/// or a reconnect) closes any left open.
#[derive(Default)]
pub struct Links {
    next: AtomicU64,
    open: Mutex<HashMap<u64, LocalLink>>,
}

impl Links {
    fn open(&self) -> MutexGuard<'_, HashMap<u64, LocalLink>> {
        // Links are inserted and removed whole: a poisoned map is still consistent.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Opens a link to the engine; its frames, then its end, arrive on `on_delivery`.
#[tauri::command]
pub async fn engine_connect(
    host: State<'_, EngineHost>,
    links: State<'_, Links>,
    on_delivery: Channel<WindowDelivery>,
) -> Result<u64, String> {
    let engine = host
        .running(START_WAIT)
        .await
        .map_err(|error| format!("Tether's engine is not running: {error}"))?;
    let link = LocalLink::open(&engine, host.stop_token(), move |delivery| {
        // A window that went away has nobody to tell; its link closes with the app.
        let _ = on_delivery.send(delivery.into());
    });
    let id = links.next.fetch_add(1, Ordering::Relaxed);
    let mut open = links.open();
    // Only older links: a connect that finished first may hold a newer one.
    open.retain(|&other, link| {
        let newer = other > id;
        if !newer {
            link.close();
        }
        newer
    });
    open.insert(id, link);
    Ok(id)
}

/// Hands the engine one frame from the window, waiting for room when the engine is busy.
#[tauri::command]
pub async fn engine_send(links: State<'_, Links>, link: u64, frame: String) -> Result<(), String> {
    let sender = links
        .open()
        .get(&link)
        .map(LocalLink::sender)
        .ok_or("that link is closed")?;
    sender.send(frame).await.map_err(|error| error.to_string())
}

/// Closes a link (the window is told `closed`).
#[tauri::command]
pub async fn engine_disconnect(links: State<'_, Links>, link: u64) -> Result<(), String> {
    if let Some(link) = links.open().remove(&link) {
        link.close();
    }
    Ok(())
}
