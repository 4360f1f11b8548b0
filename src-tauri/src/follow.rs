//! Follows the engine's account channel (`user:owner`) from inside the app, as typed events:
//! session and LAN changes refresh the tray menu, session moves become notifications. A
//! follower that falls behind reloads; it follows until the app quits.

use std::collections::HashMap;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
use tether_engine::Engine;
use tether_engine::auth::Caller;
use tether_engine::rpc::call;
use tether_protocol::events::{AccountEvent, ChannelEvent, SessionSummary};
use tether_protocol::methods::method;
use tether_protocol::params::{ProjectIdParams, SessionListParams};
use tokio::sync::broadcast::error::RecvError;

use crate::engine_host::{EngineHost, START_WAIT};
use crate::notes::Notifier;
use crate::tray;

/// How long to wait before following again when the engine was not running.
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

/// Follows the account channel's typed events until the app quits; a follower that fell
/// behind reloads what it shows.
async fn follow<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
    notifier: &mut Notifier,
    projects: &mut ProjectNames,
) {
    let stop = app.state::<EngineHost>().stop_token().clone();
    let mut events = engine.hub().watch(&Engine::user_channel());
    catch_up(app, engine, notifier).await;
    loop {
        let event = tokio::select! {
            () = stop.cancelled() => return,
            event = events.recv() => event,
        };
        match event {
            Ok(event) => {
                if let ChannelEvent::Account(event) = &*event {
                    told(app, engine, notifier, projects, event).await;
                }
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::info!(
                    missed,
                    "the tray fell behind the engine's events; reloading"
                );
                catch_up(app, engine, notifier).await;
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Learns every session's status and redraws the tray.
async fn catch_up<R: Runtime>(app: &AppHandle<R>, engine: &Engine, notifier: &mut Notifier) {
    let params = SessionListParams::default();
    if let Ok(sessions) = call::<method::SessionsList>(engine, &Caller::Local, params).await {
        notifier.seed(&sessions);
    }
    tray::refresh(app, engine).await;
}

/// Session moves become notifications; session, project and LAN changes redraw the tray.
async fn told<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
    notifier: &mut Notifier,
    projects: &mut ProjectNames,
    event: &AccountEvent,
) {
    match event {
        AccountEvent::SessionCreated(SessionSummary { session })
        | AccountEvent::SessionUpdated(SessionSummary { session })
        | AccountEvent::SessionEnded(SessionSummary { session }) => {
            let project = projects.name(engine, &session.project_id).await;
            let kinds = engine.push().desktop().get();
            notifier.session(app, session, &project, &kinds);
        }
        AccountEvent::SessionDeleted(_)
        | AccountEvent::ProjectAdded(_)
        | AccountEvent::ProjectRemoved(_)
        | AccountEvent::LanUpdated(_) => {}
        _ => return,
    }
    tray::refresh(app, engine).await;
}

/// Project names by id, asked of the engine when first needed.
#[derive(Default)]
struct ProjectNames(HashMap<String, String>);

impl ProjectNames {
    async fn name(&mut self, engine: &Engine, id: &str) -> String {
        if let Some(name) = self.0.get(id) {
            return name.clone();
        }
        let params = ProjectIdParams { id: id.to_owned() };
        let name = call::<method::ProjectsGet>(engine, &Caller::Local, params)
            .await
            .map_or_else(|_| "a project".to_owned(), |project| project.name);
        self.0.insert(id.to_owned(), name.clone());
        name
    }
}
