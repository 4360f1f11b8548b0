//! Tether's desktop app: a thin Tauri shell that runs the engine in-process and shows the chat
//! UI, which talks to the engine through IPC. One instance per data directory; closing the
//! window leaves it running in the tray, which also notifies when Claude needs the user. It can
//! start at login, in the tray, and updates itself from signed releases, on the user's word.

mod engine_host;
mod first_paint;
mod folders;
mod follow;
mod ipc;
mod links;
mod login;
#[cfg(test)]
mod mock_ipc;
mod notes;
mod tray;
mod updates;
mod webview;

use std::path::Path;

use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};
use tether_engine::Config;
use tether_engine::config::default_config_file;
use tokio::signal::unix::{SignalKind, signal};

use crate::engine_host::EngineHost;

/// Starts the window and the engine; returns when the app quits, after the engine has stopped.
pub fn run() {
    first_paint::note_start();
    tether_engine::logging::init_with_files(&tether_engine::logging::default_log_dir());
    let config = Config::load(default_config_file().as_deref())
        .map_err(|error| format!("invalid settings: {error}"));
    let update_settings = config
        .as_ref()
        .map(|config| config.updates.clone())
        .unwrap_or_default();
    let mut builder = tauri::Builder::default();
    // One app per data directory, over the session bus; without a usable bus the data
    // directory's lock still keeps a second engine from starting.
    if session_bus_usable() {
        let data_dir = config.as_ref().ok().map(|config| config.data_dir.clone());
        builder = builder.plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_name(data_dir.as_deref()))
                .callback(|app, _, _| {
                    tracing::info!("Tether was launched again: showing its window");
                    tray::show_window(app);
                })
                .build(),
        );
    } else {
        tracing::warn!("no usable session D-Bus: a second launch will not find this one");
    }
    let app = builder
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(login::plugin())
        .plugin(tauri_plugin_updater::Builder::new().build())
        // Links are opened by the window's own `open_link` command (web and mail only), not by
        // the plugin's script.
        .plugin(
            tauri_plugin_opener::Builder::new()
                .open_js_links_on_click(false)
                .build(),
        )
        .setup(move |app| {
            app.manage(EngineHost::start(config));
            app.manage(ipc::Links::default());
            updates::start(app.handle(), update_settings);
            let tray = tray::create(app.handle());
            if let Err(error) = &tray {
                tracing::warn!(%error, "no tray icon: closing the window quits Tether");
            }
            app.manage(TrayShown(tray.is_ok()));
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window);
            }
            // Started at login: in the tray only (without a tray, the window is the app).
            if tray.is_ok()
                && login::started_minimized()
                && let Some(window) = app.get_webview_window("main")
            {
                let _ = window.hide();
            }
            follow::start(app.handle().clone());
            quit_on_signals(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window hides it: sessions keep running, the tray brings it back.
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.state::<TrayShown>().0
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(window_commands())
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("Tether could not start its window: {error}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            handle.state::<EngineHost>().stop();
        }
    });
}

/// Whether the tray icon is up (then closing the window only hides it).
struct TrayShown(bool);

/// The commands the window may call (its capability allows exactly these): the engine link,
/// opening a link outside, the folder picker, starting at login, the update steps, and the
/// window's word that it has painted.
fn window_commands<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        ipc::engine_connect,
        ipc::engine_send,
        ipc::engine_disconnect,
        links::open_link,
        folders::pick_folder,
        login::start_at_login,
        login::set_start_at_login,
        updates::update_status,
        updates::update_check,
        updates::update_download,
        updates::update_install,
        first_paint::window_painted
    ]
}

/// SIGINT, SIGTERM and SIGHUP quit like the tray's Quit: the engine stops its sessions first.
fn quit_on_signals<R: Runtime>(app: AppHandle<R>) {
    let owner = app.clone();
    owner.state::<EngineHost>().spawn(async move {
        let kinds = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ];
        let mut signals: Vec<_> = kinds
            .into_iter()
            .filter_map(|kind| signal(kind).ok())
            .collect();
        let any = futures_util::future::select_all(
            signals.iter_mut().map(|signal| Box::pin(signal.recv())),
        );
        any.await;
        tracing::info!("asked to quit by a signal");
        app.exit(0);
    });
}

/// Whether the session D-Bus can be reached: the single-instance check needs it (and would
/// fail hard on an address it cannot use).
fn session_bus_usable() -> bool {
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(address) => address.split(';').any(|part| part.starts_with("unix:")),
        Err(_) => std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| Path::new(&dir).join("bus").exists()),
    }
}

/// The D-Bus name that makes the app single-instance, one per data directory (one engine
/// may run per data directory): `dev.tether.desktop.d` and a stable hash of the directory.
fn instance_name(data_dir: Option<&Path>) -> String {
    // FNV-1a: the same directory gives the same name in every build.
    let bytes = data_dir
        .map(|dir| dir.as_os_str().as_encoded_bytes())
        .unwrap_or_default();
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("dev.tether.desktop.d{hash:016x}")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::instance_name;

    #[test]
    fn each_data_directory_has_its_own_instance() {
        let home = instance_name(Some(Path::new("/home/u/.local/share/tether")));
        assert_eq!(
            home,
            instance_name(Some(Path::new("/home/u/.local/share/tether")))
        );
        assert_ne!(home, instance_name(Some(Path::new("/tmp/other"))));
        assert!(
            home.starts_with("dev.tether.desktop.d")
                && home.len() == "dev.tether.desktop.d".len() + 16
        );
    }
}
