//! Tether's desktop app: a thin Tauri shell that runs the engine in-process and shows the chat
//! UI, which talks to the engine through IPC.

mod engine_host;
mod ipc;

use tauri::{Manager, RunEvent};

use crate::engine_host::EngineHost;

/// Starts the window and the engine; returns when the app quits, after the engine has stopped.
pub fn run() {
    tether_core::logging::init();
    let app = tauri::Builder::default()
        .setup(|app| {
            app.manage(EngineHost::start());
            app.manage(ipc::Links::default());
            Ok(())
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
