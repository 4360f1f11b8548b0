//! Updating the app: look for a newer signed release (at start, and when the user asks), say
//! what is new, download the package and check its signature, then install it and restart,
//! only on the user's word. The window follows every step through `tether://update` events.

mod explain;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tauri::utils::config::BundleType;
use tauri::utils::platform::bundle_type;
use tauri::{AppHandle, Emitter, Manager, Runtime, State, Url};
use tauri_plugin_updater::{Error, Update, Updater, UpdaterExt};
use tether_engine::config::UpdateSettings;

use self::explain::explain;
use crate::engine_host::EngineHost;

/// The event that carries each new [`UpdateStatus`] to the window.
pub const UPDATE_EVENT: &str = "tether://update";
/// The longest a look at the release feed may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a package download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Where updating stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateState {
    /// Not looked yet.
    Idle,
    /// This copy cannot update itself, and why.
    Unavailable {
        reason: String,
    },
    Checking,
    UpToDate,
    /// A newer release, with what is new in it (`date` as the feed wrote it, RFC 3339).
    Available {
        version: String,
        notes: Option<String>,
        date: Option<String>,
    },
    Downloading {
        version: String,
        received: u64,
        total: Option<u64>,
    },
    /// Downloaded, and its signature checked: ready to install.
    Ready {
        version: String,
    },
    Installing {
        version: String,
    },
    Failed {
        message: String,
    },
}

impl UpdateState {
    /// Whether a step is under way (then no other may start).
    fn is_busy(&self) -> bool {
        matches!(
            self,
            Self::Checking | Self::Downloading { .. } | Self::Installing { .. }
        )
    }
}

/// What the window shows: the running version, where updating stands, and whether the user
/// asked (then "up to date" and failures are worth saying; after the quiet check at start
/// they are not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateStatus {
    pub current: String,
    pub asked: bool,
    #[serde(flatten)]
    pub state: UpdateState,
}

/// The app's updating, kept as managed state.
pub struct Updates {
    settings: UpdateSettings,
    inner: Mutex<Progress>,
}

struct Progress {
    status: UpdateStatus,
    /// The release offered to the user.
    offered: Option<Update>,
    /// Its package, downloaded and verified.
    package: Option<Vec<u8>>,
}

impl Updates {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        // Every change is one assignment: a poisoned lock still holds a whole state.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Keeps the updating state and, when the settings say so, looks for a release in the
/// background (quietly: a found release is offered, never installed).
pub fn start<R: Runtime>(app: &AppHandle<R>, settings: UpdateSettings) {
    let check_at_start = settings.check_at_start;
    app.manage(Updates {
        settings,
        inner: Mutex::new(Progress {
            status: UpdateStatus {
                current: app.package_info().version.to_string(),
                asked: false,
                state: UpdateState::Idle,
            },
            offered: None,
            package: None,
        }),
    });
    if check_at_start {
        check_in_background(app, false);
    }
}

/// Looks for a newer release as one of the app's tasks; `asked` when the user asked.
pub fn check_in_background<R: Runtime>(app: &AppHandle<R>, asked: bool) {
    let task = app.clone();
    app.state::<EngineHost>()
        .spawn(async move { check(&task, asked).await });
}

/// Looks for a newer release; `asked` when the user asked. A package already downloaded and
/// verified is kept when the feed still offers its version.
async fn check<R: Runtime>(app: &AppHandle<R>, asked: bool) {
    let updates = app.state::<Updates>();
    let status = {
        let mut progress = updates.lock();
        if progress.status.state.is_busy() {
            // Under way already: its outcome is shown, since the user asked now.
            if !asked || progress.status.asked {
                return;
            }
            progress.status.asked = true;
            let status = progress.status.clone();
            drop(progress);
            return tell_window(app, &status);
        }
        progress.status.asked = asked;
        progress.status.state = UpdateState::Checking;
        progress.status.clone()
    };
    tell_window(app, &status);
    let found = match updater(app) {
        Ok(updater) => updater.check().await,
        Err(state) => return set(app, state),
    };
    let state = {
        let mut progress = updates.lock();
        match found {
            Ok(Some(update)) => {
                tracing::info!(version = %update.version, "an update is available");
                let downloaded = progress.package.is_some()
                    && progress
                        .offered
                        .as_ref()
                        .is_some_and(|offered| offered.version == update.version);
                let state = if downloaded {
                    UpdateState::Ready {
                        version: update.version.clone(),
                    }
                } else {
                    progress.package = None;
                    UpdateState::Available {
                        version: update.version.clone(),
                        notes: update.body.clone(),
                        date: update.raw_json["pub_date"].as_str().map(str::to_owned),
                    }
                };
                progress.offered = Some(update);
                state
            }
            Ok(None) => {
                (progress.offered, progress.package) = (None, None);
                UpdateState::UpToDate
            }
            Err(error) => {
                (progress.offered, progress.package) = (None, None);
                failed("looking for an update", &error)
            }
        }
    };
    set(app, state);
}

/// Downloads the offered release and checks its signature.
async fn download<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    let updates = app.state::<Updates>();
    // Offered → downloading in one step, so a second click cannot start a second download.
    let (mut update, status) = {
        let mut progress = updates.lock();
        let update = match (&progress.status.state, &progress.offered) {
            (UpdateState::Available { .. }, Some(update)) => update.clone(),
            // A second click while it downloads, or once it has.
            (UpdateState::Downloading { .. } | UpdateState::Ready { .. }, _) => return Ok(()),
            _ => return Err("No update is offered: look for one first.".to_owned()),
        };
        progress.status.asked = true;
        progress.status.state = downloading(&update.version, 0, None);
        (update, progress.status.clone())
    };
    tell_window(app, &status);
    update.timeout = Some(DOWNLOAD_TIMEOUT);
    let version = update.version.clone();
    let mut received = 0_u64;
    let mut shown = None;
    let downloaded = update
        .download(
            |chunk, total| {
                received += chunk as u64;
                // One event per percent (per MiB when the size is unknown), not per chunk.
                let step = total.map_or(received >> 20, |total| received * 100 / total.max(1));
                if shown != Some(step) {
                    shown = Some(step);
                    set(app, downloading(&version, received, total));
                }
            },
            || {},
        )
        .await;
    match downloaded {
        Ok(package) => {
            tracing::info!(%version, bytes = package.len(), "update downloaded and verified");
            updates.lock().package = Some(package);
            set(app, UpdateState::Ready { version });
        }
        Err(error) => set(app, failed("downloading the update", &error)),
    }
    Ok(())
}

/// Installs the downloaded release through the system's package manager (which asks for an
/// administrator's password), then restarts into it.
async fn install<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    let updates = app.state::<Updates>();
    let (update, package, status) = {
        let mut progress = updates.lock();
        if matches!(progress.status.state, UpdateState::Installing { .. }) {
            return Ok(()); // a second click
        }
        let (UpdateState::Ready { .. }, Some(update), Some(package)) = (
            &progress.status.state,
            progress.offered.clone(),
            progress.package.clone(),
        ) else {
            return Err("No update is downloaded: download it first.".to_owned());
        };
        progress.status.asked = true;
        progress.status.state = UpdateState::Installing {
            version: update.version.clone(),
        };
        (update, package, progress.status.clone())
    };
    tell_window(app, &status);
    let installed = tauri::async_runtime::spawn_blocking(move || update.install(package)).await;
    match installed {
        Ok(Ok(())) => {
            tracing::info!("update installed: restarting");
            // The app exits as on Quit (the engine stops its sessions first), then starts
            // the new version.
            app.request_restart();
        }
        // The package stays: looking again finds the same version ready to install.
        Ok(Err(error)) => set(app, failed("installing the update", &error)),
        Err(error) => set(
            app,
            UpdateState::Failed {
                message: format!("The update could not be installed: {error}"),
            },
        ),
    }
    Ok(())
}

/// The updater for this copy, or why it cannot update itself. Releases must be signed with
/// the key built in (tauri.conf.json); only where to look comes from the settings.
fn updater<R: Runtime>(app: &AppHandle<R>) -> Result<Updater, UpdateState> {
    if !matches!(bundle_type(), Some(BundleType::Deb | BundleType::Rpm)) {
        return Err(UpdateState::Unavailable {
            reason: "This copy of Tether was not installed from its .deb or .rpm package, so \
                     it cannot update itself; update it the way it was installed."
                .to_owned(),
        });
    }
    let mut builder = app.updater_builder().timeout(CHECK_TIMEOUT);
    if let Some(endpoint) = &app.state::<Updates>().settings.endpoint {
        let endpoint = Url::parse(endpoint).map_err(|error| UpdateState::Failed {
            message: format!("updates.endpoint in the settings is not an address: {error}"),
        })?;
        builder = builder
            .endpoints(vec![endpoint])
            .map_err(|error| failed("reading updates.endpoint", &error))?;
    }
    builder.build().map_err(|error| match error {
        Error::EmptyEndpoints => UpdateState::Unavailable {
            reason: "No update address is set: add `endpoint` under [updates] in tether.toml."
                .to_owned(),
        },
        error => failed("setting up updates", &error),
    })
}

fn downloading(version: &str, received: u64, total: Option<u64>) -> UpdateState {
    UpdateState::Downloading {
        version: version.to_owned(),
        received,
        total,
    }
}

fn failed(doing: &str, error: &Error) -> UpdateState {
    tracing::warn!(%error, "{doing} failed");
    UpdateState::Failed {
        message: explain(error),
    }
}

/// Moves to `state` and tells the window.
fn set<R: Runtime>(app: &AppHandle<R>, state: UpdateState) {
    let status = {
        let updates = app.state::<Updates>();
        let mut progress = updates.lock();
        progress.status.state = state;
        progress.status.clone()
    };
    tell_window(app, &status);
}

fn tell_window<R: Runtime>(app: &AppHandle<R>, status: &UpdateStatus) {
    if let Err(error) = app.emit(UPDATE_EVENT, status) {
        tracing::warn!(%error, "could not tell the window how updating stands");
    }
}

/// Where updating stands now.
#[tauri::command]
pub fn update_status(updates: State<'_, Updates>) -> UpdateStatus {
    updates.lock().status.clone()
}

/// Looks for a newer release, as the user asked.
#[tauri::command]
pub async fn update_check<R: Runtime>(app: AppHandle<R>) -> Result<(), String> {
    check(&app, true).await;
    Ok(())
}

/// Downloads the offered release and checks its signature.
#[tauri::command]
pub async fn update_download<R: Runtime>(app: AppHandle<R>) -> Result<(), String> {
    download(&app).await
}

/// Installs the downloaded release and restarts into it.
#[tauri::command]
pub async fn update_install<R: Runtime>(app: AppHandle<R>) -> Result<(), String> {
    install(&app).await
}
