//! The window's web view, set up for a chat rather than for browsing: drawn without the GPU
//! (a page of text gains nothing from it, and WebKit's GPU path costs the web process tens of
//! MiB and the first paint about half a second, more where GL is software), and with one
//! document's caches, not a browser's (the chat is one page that never navigates away).

use tauri::{Runtime, WebviewWindow};

/// Tunes `window`'s web view; a failure leaves it as it was (it still works, only heavier).
pub fn tune<R: Runtime>(window: &WebviewWindow<R>) {
    let tuned = window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    });
    if let Err(error) = tuned {
        tracing::warn!(%error, "could not tune the window's web view");
    }
}
