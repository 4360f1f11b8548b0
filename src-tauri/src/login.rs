//! Starting Tether at login, so phones find it running: opt-in, through the autostart plugin
//! (an XDG autostart entry on Linux), and in the tray rather than with its window open.

use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

/// The argument the login entry starts Tether with: no window, only the tray.
pub const MINIMIZED: &str = "--minimized";

/// The autostart plugin, starting Tether with [`MINIMIZED`].
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::init(
        tauri_plugin_autostart::MacosLauncher::LaunchAgent,
        Some(vec![MINIMIZED]),
    )
}

/// Whether this launch came from the login entry.
pub fn started_minimized() -> bool {
    std::env::args().any(|argument| argument == MINIMIZED)
}

/// Whether Tether starts at login.
#[tauri::command]
pub fn start_at_login<R: Runtime>(app: AppHandle<R>) -> Result<bool, String> {
    app.autolaunch()
        .is_enabled()
        .map_err(|error| error.to_string())
}

/// Makes Tether start at login, or not; answers where it now stands.
#[tauri::command]
pub fn set_start_at_login<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<bool, String> {
    let launcher = app.autolaunch();
    let switched = if enabled {
        // On Linux the plugin makes `~/.config/autostart` but not `~/.config`, which a fresh
        // account may lack.
        #[cfg(target_os = "linux")]
        if let Some(dirs) = directories::BaseDirs::new() {
            let _ = std::fs::create_dir_all(dirs.home_dir().join(".config"));
        }
        launcher.enable()
    } else {
        launcher.disable()
    };
    switched.map_err(|error| format!("cannot change starting at login: {error}"))?;
    tracing::info!(enabled, "starting at login changed");
    launcher.is_enabled().map_err(|error| error.to_string())
}
