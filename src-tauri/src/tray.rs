//! The tray icon and its menu: open the window, pair a device, LAN access on or off, the open
//! sessions (each opens in the window), look for updates, quit. Closing the window leaves Tether running here.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use tauri::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu,
};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tether_engine::Engine;
use tether_engine::auth::Caller;
use tether_engine::rpc::call;
use tether_protocol::Project;
use tether_protocol::methods::method;
use tether_protocol::model::{SessionInfo, SessionStatus};
use tether_protocol::params::{LanEnableParams, NoParams, SessionListParams};

use crate::engine_host::{EngineHost, EngineState};
use crate::updates;

const TRAY: &str = "main";
/// The event the window's UI listens to for what the tray asks of it.
pub const COMMAND_EVENT: &str = "tether://command";

/// What the tray asks the window's UI to do.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WindowCommand {
    Pair,
    OpenSession { session_id: String },
}

/// One open session, as the menu lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSession {
    pub id: String,
    pub label: String,
}

/// The open sessions, labelled by project and status.
pub fn open_sessions(sessions: &[SessionInfo], projects: &[Project]) -> Vec<ListedSession> {
    let project_name = |id: &str| {
        (projects.iter())
            .find(|project| project.id == id)
            .map_or("a project", |project| project.name.as_str())
            .to_owned()
    };
    sessions
        .iter()
        .filter(|session| session.status != SessionStatus::Ended)
        .map(|session| {
            let status = session.status.wire_name().replace('_', " ");
            let project = project_name(&session.project_id);
            ListedSession {
                id: session.id.clone(),
                label: format!("{project} — {status}"),
            }
        })
        .collect()
}

/// Whether the menu shows LAN access on.
#[derive(Default)]
struct LanShown(AtomicBool);

/// Puts the tray icon up with a menu that fills in once the engine runs.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    app.manage(LanShown::default());
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .tooltip("Tether")
        .menu(&menu(app, &[], false)?)
        .show_menu_on_left_click(true)
        .on_menu_event(chosen);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// Rebuilds the menu from the engine's sessions and LAN state.
pub async fn refresh<R: Runtime>(app: &AppHandle<R>, engine: &Engine) {
    let (sessions, projects, lan) = tokio::join!(
        call::<method::SessionsList>(engine, &Caller::Local, SessionListParams::default()),
        call::<method::ProjectsList>(engine, &Caller::Local, NoParams {}),
        call::<method::LanStatus>(engine, &Caller::Local, NoParams {}),
    );
    let listed = open_sessions(&sessions.unwrap_or_default(), &projects.unwrap_or_default());
    let lan_on = lan.is_ok_and(|lan| lan.enabled);
    app.state::<LanShown>().0.store(lan_on, Ordering::SeqCst);
    let Some(tray) = app.tray_by_id(TRAY) else {
        return;
    };
    match menu(app, &listed, lan_on) {
        Ok(menu) => {
            if let Err(error) = tray.set_menu(Some(menu)) {
                tracing::warn!(%error, "could not update the tray menu");
            }
        }
        Err(error) => tracing::warn!(%error, "could not build the tray menu"),
    }
}

fn menu<R: Runtime>(
    app: &AppHandle<R>,
    sessions: &[ListedSession],
    lan_on: bool,
) -> tauri::Result<Menu<R>> {
    let open = MenuItem::with_id(app, "open", "Open Tether", true, None::<&str>)?;
    let pair = MenuItem::with_id(app, "pair", "Pair a device…", true, None::<&str>)?;
    let lan = CheckMenuItem::with_id(app, "lan", "LAN access", true, lan_on, None::<&str>)?;
    let updates = MenuItem::with_id(app, "updates", "Check for updates…", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Tether", true, None::<&str>)?;
    let mut items: Vec<MenuItem<R>> = Vec::new();
    for session in sessions {
        items.push(MenuItem::with_id(
            app,
            format!("session:{}", session.id),
            &session.label,
            true,
            None::<&str>,
        )?);
    }
    if items.is_empty() {
        items.push(MenuItem::with_id(
            app,
            "no-sessions",
            "No open sessions",
            false,
            None::<&str>,
        )?);
    }
    let listed: Vec<&dyn IsMenuItem<R>> = items
        .iter()
        .map(|item| item as &dyn IsMenuItem<R>)
        .collect();
    let sessions = Submenu::with_items(app, "Sessions", true, &listed)?;
    let (first, second) = (
        PredefinedMenuItem::separator(app)?,
        PredefinedMenuItem::separator(app)?,
    );
    Menu::with_items(
        app,
        &[
            &open, &pair, &lan, &first, &sessions, &second, &updates, &quit,
        ],
    )
}

fn chosen<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        "open" => show_window(app),
        "pair" => ask_window(app, WindowCommand::Pair),
        "lan" => switch_lan(app),
        "updates" => {
            show_window(app);
            updates::check_in_background(app, true);
        }
        "quit" => app.exit(0),
        id => {
            if let Some(session_id) = id.strip_prefix("session:") {
                ask_window(
                    app,
                    WindowCommand::OpenSession {
                        session_id: session_id.to_owned(),
                    },
                );
            }
        }
    }
}

/// Shows the window, unminimized and focused.
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

fn ask_window<R: Runtime>(app: &AppHandle<R>, command: WindowCommand) {
    show_window(app);
    if let Err(error) = app.emit(COMMAND_EVENT, &command) {
        tracing::warn!(%error, "could not reach the window");
    }
}

/// Turns LAN access to the opposite of what the menu showed, then shows the engine's actual
/// state, whatever came of it (so a failed switch does not leave a wrong check mark).
fn switch_lan<R: Runtime>(app: &AppHandle<R>) {
    let host = app.state::<EngineHost>();
    let EngineState::Running(engine) = host.state() else {
        return;
    };
    // The opposite of what the menu showed before the click, whatever the engine did since.
    let on = !app.state::<LanShown>().0.load(Ordering::SeqCst);
    let app = app.clone();
    host.spawn(async move {
        let switched = if on {
            call::<method::LanEnable>(&engine, &Caller::Local, LanEnableParams::default()).await
        } else {
            call::<method::LanDisable>(&engine, &Caller::Local, NoParams {}).await
        };
        if let Err(error) = switched {
            tracing::warn!(error = %error.message, "LAN access could not be switched");
        }
        refresh(&app, &engine).await;
    });
}

#[cfg(test)]
mod tests {
    use tether_protocol::Project;
    use tether_protocol::model::SessionInfo;

    use super::{ListedSession, open_sessions};

    fn session(id: &str, project_id: &str, status: &str) -> SessionInfo {
        let mut session = SessionInfo::new(id.into(), project_id.into(), None, "default".into(), 0);
        session.status = serde_json::from_value(serde_json::json!(status)).unwrap();
        session
    }

    #[test]
    fn the_menu_lists_open_sessions_by_project_and_status() {
        let projects = [Project {
            id: "p1".into(),
            name: "web".into(),
            path: "/web".into(),
            added_at: 0,
            machine: None,
        }];
        let sessions = [
            session("s1", "p1", "awaiting_approval"),
            session("s2", "p1", "ended"),
            session("s3", "gone", "idle"),
        ];
        assert_eq!(
            open_sessions(&sessions, &projects),
            [
                ListedSession {
                    id: "s1".into(),
                    label: "web — awaiting approval".into()
                },
                ListedSession {
                    id: "s3".into(),
                    label: "a project — idle".into()
                },
            ]
        );
    }
}
