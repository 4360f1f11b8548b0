//! Build script: compiles the Tauri context from the root tauri.conf.json and the capabilities.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "engine_connect",
            "engine_send",
            "engine_disconnect",
            "open_link",
            "pick_folder",
            "start_at_login",
            "set_start_at_login",
            "update_status",
            "update_check",
            "update_download",
            "update_install",
            "window_painted",
        ]));
    if let Err(error) = tauri_build::try_build(attributes) {
        eprintln!("tauri build failed: {error:#}");
        std::process::exit(1);
    }
}
