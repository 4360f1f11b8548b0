//! The native folder picker, for adding a project from the desktop window: the system's own
//! dialog, so nobody has to type a path.

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Asks for a folder; `None` when the person cancels.
#[tauri::command]
pub async fn pick_folder<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>, String> {
    let (chosen, picked) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Add a project folder")
        .pick_folder(move |folder| {
            let _ = chosen.send(folder);
        });
    let folder = picked
        .await
        .map_err(|_| "The folder picker closed without an answer".to_owned())?;
    folder
        .map(|folder| {
            folder
                .into_path()
                .map(|path| path.display().to_string())
                .map_err(|error| format!("Not a folder on this computer: {error}"))
        })
        .transpose()
}
