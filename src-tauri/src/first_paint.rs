//! How long the window takes to appear: the app notes the moment it started, and when the
//! window says it has painted its first frame, logs the time between, once per launch (an app
//! started in the tray paints when its window is first shown, and logs that).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What the app logs when the window has painted its first frame, before the time it took.
const PAINTED: &str = "the window painted its first frame";

static STARTED: OnceLock<Instant> = OnceLock::new();
static TOLD: AtomicBool = AtomicBool::new(false);

/// Notes that the app started now (the first call counts).
pub fn note_start() {
    STARTED.get_or_init(Instant::now);
}

/// The window painted its first frame, `page_ms` after its page began to load: logs how long
/// after the app's start, and how much of that was the page's, the first time only.
#[tauri::command]
pub fn window_painted(page_ms: f64) {
    if TOLD.swap(true, Ordering::Relaxed) {
        return;
    }
    if let Some(started) = STARTED.get() {
        let after_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        // A page's clock is the window's word: shown rounded, whatever it says.
        let page_ms = page_ms.clamp(0.0, 1e9).round();
        tracing::info!(after_ms, page_ms, "{PAINTED}");
    }
}
