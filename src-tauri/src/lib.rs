//! Tether's desktop app: a thin Tauri shell that runs the engine in-process and shows its status.

mod commands;
mod engine_host;

use tauri::{Manager, RunEvent};

use crate::engine_host::EngineHost;

/// Starts the window and the engine; returns when the app quits, after the engine has stopped.
pub fn run() {
    tether_core::logging::init();
    let app = tauri::Builder::default()
        .setup(|app| {
            app.manage(EngineHost::start());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::status])
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
