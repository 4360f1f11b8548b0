//! Links in the chat open in the system's browser or mail app, never inside the window; only
//! web and mail addresses are opened.

use tauri::{AppHandle, Runtime, Url};
use tauri_plugin_opener::OpenerExt;

/// Opens `url` (http, https or mailto) with the system's default app for it.
#[tauri::command]
pub fn open_link<R: Runtime>(app: AppHandle<R>, url: String) -> Result<(), String> {
    let parsed = Url::parse(&url).map_err(|_| format!("Not a link: {url}"))?;
    if !matches!(parsed.scheme(), "http" | "https" | "mailto") {
        return Err(format!(
            "Only web and mail links open outside Tether, not {}: links.",
            parsed.scheme()
        ));
    }
    app.opener()
        .open_url(parsed.as_str(), None::<&str>)
        .map_err(|error| format!("The link could not be opened: {error}"))
}
