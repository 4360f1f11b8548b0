//! Tether's desktop app: a thin Tauri shell that runs the engine in-process and shows the chat
//! UI, which talks to the engine through IPC. One instance per data directory; closing the
//! window leaves it running in the tray, which also notifies when Claude needs the user.

mod engine_host;
mod follow;
mod ipc;
mod notes;
mod tray;

use std::path::Path;

use tauri::{Manager, RunEvent, WindowEvent};
use tether_core::Config;
use tether_core::config::default_config_file;

use crate::engine_host::EngineHost;

/// Starts the window and the engine; returns when the app quits, after the engine has stopped.
pub fn run() {
    tether_core::logging::init();
    let config = Config::load(default_config_file().as_deref())
        .map_err(|error| format!("invalid settings: {error}"));
    let instance = instance_name(config.as_ref().ok().map(|config| config.data_dir.as_path()));
    let app = tauri::Builder::default()
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance)
                .callback(|app, _, _| {
                    tracing::info!("Tether was launched again: showing its window");
                    tray::show_window(app);
                })
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            app.manage(EngineHost::start(config));
            app.manage(ipc::Links::default());
            tray::create(app.handle())?;
            follow::start(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window hides it: sessions keep running, the tray brings it back.
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(tauri::generate_handler![
            ipc::engine_connect,
            ipc::engine_send,
            ipc::engine_disconnect
        ])
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
