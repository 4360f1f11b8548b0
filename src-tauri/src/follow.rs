//! Follows the engine's account channel (`user:owner`) from inside the app, over the same
//! in-process link the window uses: session and LAN changes refresh the tray menu, session
//! moves become notifications. A link that closes is opened again until the app quits.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use tauri::{AppHandle, Manager, Runtime};
use tether_engine::Engine;
use tether_engine::auth::Caller;
use tether_server::local_link::{Delivery, LocalLink};
use tokio::sync::mpsc;

use crate::engine_host::{EngineHost, START_WAIT};
use crate::notes::Notifier;
use crate::tray;

/// How long to wait before following again after the link closed.
const AGAIN_AFTER: Duration = Duration::from_secs(1);

/// Starts following once the engine runs; stops when the app quits.
pub fn start<R: Runtime>(app: AppHandle<R>) {
    let owner = app.clone();
    owner.state::<EngineHost>().spawn(async move {
        let host = app.state::<EngineHost>();
        let stop = host.stop_token().clone();
        let mut notifier = Notifier::default();
        let mut projects = ProjectNames::default();
        while !stop.is_cancelled() {
            match host.running(START_WAIT).await {
                Ok(engine) => follow(&app, &engine, &mut notifier, &mut projects).await,
                Err(error) => {
                    tracing::warn!(%error, "the tray and notifications wait for the engine")
                }
            }
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(AGAIN_AFTER) => {}
            }
        }
    });
}

/// Follows one link until it closes.
async fn follow<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
    notifier: &mut Notifier,
    projects: &mut ProjectNames,
) {
    let (tx, mut deliveries) = mpsc::unbounded_channel();
    let link = LocalLink::open(
        engine,
        app.state::<EngineHost>().stop_token(),
        move |delivery| {
            let _ = tx.send(delivery);
        },
    );
    let subscribe = json!({ "type": "subscribe", "channels": ["user:owner"] });
    if let Err(error) = link.sender().send(subscribe.to_string()).await {
        tracing::warn!(%error, "could not follow the engine's events");
        return;
    }
    if let Ok(sessions) = engine.dispatch(&Caller::Local, "sessions.list", None).await {
        notifier.seed(&sessions);
    }
    tray::refresh(app, engine).await;
    while let Some(delivery) = deliveries.recv().await {
        let text = match delivery {
            Delivery::Frame(text) => text,
            Delivery::Closed { code, reason } => {
                tracing::info!(code, %reason, "following the engine's events again");
                return;
            }
        };
        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Some(event) = frame["event"].as_str() else {
            continue;
        };
        if event.starts_with("session.") {
            let session = &frame["data"]["session"];
            let project = projects
                .name(engine, session["project_id"].as_str().unwrap_or_default())
                .await;
            notifier.session(app, session, &project);
        }
        if ["session.", "project.", "lan."]
            .iter()
            .any(|prefix| event.starts_with(prefix))
        {
            tray::refresh(app, engine).await;
        }
    }
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
