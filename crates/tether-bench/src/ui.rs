//! The chat UI in a real browser, as the browser tests measured it against the real engine
//! (`make bench` runs them optimized first): the first load's bytes, a 10,000-part session
//! opened and scrolled, switching between two sessions, and a photo made ready to send.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
pub struct UiBench {
    /// What the first page moved over the network, compressed (desktop).
    pub first_load_kb: f64,
    /// From the route's change to the last page of a 10,000-part session painted.
    pub open_ms: f64,
    pub parts: u64,
    /// Long tasks while scrolling from the end to the first part, and the longest.
    pub long_tasks: u64,
    pub longest_task_ms: f64,
    pub scroll_ms: f64,
    /// Switching between two open sessions from the sidebar (click to answer drawn).
    pub switch_median_ms: f64,
    pub switch_max_ms: f64,
    /// A 12-megapixel photo made ready to send (checked, scaled, encoded), on a phone's CPU
    /// (Chromium slowed fourfold) and on the desktop.
    pub prepare_photo_phone_ms: f64,
    pub prepare_photo_desktop_ms: f64,
}

#[derive(Deserialize)]
struct Load {
    desktop: LoadFigures,
}

#[derive(Deserialize)]
struct LoadFigures {
    transferred_kb: f64,
}

#[derive(Deserialize)]
struct Long {
    open_ms: f64,
    parts: u64,
    long_tasks: u64,
    longest_task_ms: f64,
    scroll_ms: f64,
}

#[derive(Deserialize)]
struct Composer {
    prepare_12mp_phone_ms: f64,
    prepare_12mp_desktop_ms: f64,
}

#[derive(Deserialize)]
struct Switch {
    switch_median_ms: f64,
    switch_max_ms: f64,
}

fn read<T: for<'de> Deserialize<'de>>(folder: &Path, name: &str) -> Result<T> {
    let path = folder.join(name);
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}", path.display()))
}

/// The figures the browser tests left in `folder` (`ui-load.json`, `ui-long.json`,
/// `ui-switch.json`, `ui-composer.json`).
pub fn read_figures(folder: &Path) -> Result<UiBench> {
    let load: Load = read(folder, "ui-load.json")?;
    let long: Long = read(folder, "ui-long.json")?;
    let switch: Switch = read(folder, "ui-switch.json")?;
    let composer: Composer = read(folder, "ui-composer.json")?;
    Ok(UiBench {
        first_load_kb: load.desktop.transferred_kb,
        open_ms: long.open_ms,
        parts: long.parts,
        long_tasks: long.long_tasks,
        longest_task_ms: long.longest_task_ms,
        scroll_ms: long.scroll_ms,
        switch_median_ms: switch.switch_median_ms,
        switch_max_ms: switch.switch_max_ms,
        prepare_photo_phone_ms: composer.prepare_12mp_phone_ms,
        prepare_photo_desktop_ms: composer.prepare_12mp_desktop_ms,
    })
}
