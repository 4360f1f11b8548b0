//! Follows the engine's account channel (`user:owner`) from inside the app, over the same
//! in-process link the window uses: session and LAN changes refresh the tray menu, session
//! moves become notifications.

use std::collections::HashMap;

use serde_json::{Value, json};
use tauri::{AppHandle, Manager, Runtime};
use tether_core::Engine;
use tether_core::auth::Caller;
use tether_core::server::local_link::{Delivery, LocalLink};
use tokio::sync::mpsc;

use crate::engine_host::EngineHost;
use crate::notes::Notifier;
use crate::tray;

/// Starts following once the engine runs; stops when it stops.
pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let host = app.state::<EngineHost>();
        let engine = match host.running().await {
            Ok(engine) => engine,
            Err(error) => {
                tracing::warn!(%error, "no engine to follow");
                return;
            }
        };
        let (tx, mut deliveries) = mpsc::unbounded_channel();
        let link = LocalLink::open(&engine, host.stop_token(), move |delivery| {
            let _ = tx.send(delivery);
        });
        let subscribe = json!({ "type": "subscribe", "channels": ["user:owner"] });
        if link.send(subscribe.to_string()).is_err() {
            return;
        }
        tray::refresh(&app, &engine).await;
        let mut notifier = Notifier::default();
        let mut projects = ProjectNames::default();
        while let Some(Delivery::Frame(text)) = deliveries.recv().await {
            let Ok(frame) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let Some(event) = frame["event"].as_str() else {
                continue;
            };
            if event.starts_with("session.") {
                let session = &frame["data"]["session"];
                let project = projects
                    .name(&engine, session["project_id"].as_str().unwrap_or_default())
                    .await;
                notifier.session(&app, session, &project);
            }
            if ["session.", "project.", "lan."]
                .iter()
                .any(|prefix| event.starts_with(prefix))
            {
                tray::refresh(&app, &engine).await;
            }
        }
    });
}

/// Project names by id, asked of the engine when first needed.
#[derive(Default)]
struct ProjectNames(HashMap<String, String>);

impl ProjectNames {
    async fn name(&mut self, engine: &Engine, id: &str) -> String {
        if let Some(name) = self.0.get(id) {
            return name.clone();
        }
        let project = engine
            .dispatch(&Caller::Local, "projects.get", Some(json!({ "id": id })))
            .await;
        let name = project
            .ok()
            .and_then(|project| project["name"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "a project".to_owned());
        self.0.insert(id.to_owned(), name.clone());
        name
    }
}
