//! Reaching the engine from anywhere: the public URL a proxy on the user's own network
//! (Tailscale Serve, Cloudflare Tunnel, Caddy) serves the loopback listener at. A choice made
//! on the desktop is saved and wins over the settings file until it is changed again.

mod public_url;
pub mod tailscale;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use self::public_url::{PublicUrl, PublicUrlError};
use crate::config::RemoteSettings;
use tether_protocol::{RemoteSource, RemoteStatus};
use tether_store::{Row, Store};

/// The store key of the desktop's choice.
const SAVED: &str = "remote";

/// The desktop's choice, as saved: a URL (or none, turned off) and who set it.
#[derive(Serialize, Deserialize)]
struct Saved {
    public_url: Option<String>,
    source: RemoteSource,
}

/// The public URL in force, and who set it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Current {
    pub url: Option<PublicUrl>,
    pub source: Option<RemoteSource>,
}

impl Current {
    pub fn status(&self) -> RemoteStatus {
        RemoteStatus {
            public_url: self.url.as_ref().map(ToString::to_string),
            source: self.source,
        }
    }
}

/// The public URL, readable by every request's gate without a lock.
pub struct Remote {
    current: watch::Sender<Current>,
    store: Store,
}

impl Remote {
    /// The saved choice when there is one, else the settings file's URL (already checked).
    pub fn load(settings: &RemoteSettings, store: Store) -> Self {
        let saved = store
            .loaded("the public URL", store.setting(SAVED))
            .and_then(|text| match serde_json::from_str::<Saved>(&text) {
                Ok(saved) => Some(saved),
                Err(error) => {
                    tracing::warn!(%error, "the saved public URL is unreadable; the settings file's is used");
                    None
                }
            });
        let current = match saved {
            Some(saved) => {
                if settings.public_url.is_some() {
                    tracing::warn!(
                        "remote.public_url in the settings file is not used: the desktop's choice (tether remote) is"
                    );
                }
                let url = saved.public_url.as_deref().map(PublicUrl::parse);
                match url.transpose() {
                    Ok(url) => Current {
                        source: url.is_some().then_some(saved.source),
                        url,
                    },
                    Err(error) => {
                        tracing::warn!(%error, "the saved public URL is refused; remote access is off");
                        Current::default()
                    }
                }
            }
            None => {
                let url = settings.public_url.as_deref().map(PublicUrl::parse);
                let url = url.and_then(Result::ok);
                Current {
                    source: url.is_some().then_some(RemoteSource::Settings),
                    url,
                }
            }
        };
        Self {
            current: watch::Sender::new(current),
            store,
        }
    }

    /// The URL in force now.
    pub fn current(&self) -> Current {
        self.current.borrow().clone()
    }

    /// Follows every change of the URL.
    pub fn watch(&self) -> watch::Receiver<Current> {
        self.current.subscribe()
    }

    /// Puts `url` (none: off) in force, set by `source`, and queues the choice to be saved, in
    /// one step (so two callers cannot leave one in force and the other saved); returns the URL
    /// it replaces.
    pub fn set(&self, url: Option<PublicUrl>, source: RemoteSource) -> Current {
        let saved = Saved {
            public_url: url.as_ref().map(ToString::to_string),
            source,
        };
        let next = Current {
            source: url.is_some().then_some(source),
            url,
        };
        let mut replaced = Current::default();
        self.current.send_modify(|current| {
            if let Ok(value) = serde_json::to_string(&saved) {
                self.store.save(Row::Setting {
                    key: SAVED.to_owned(),
                    value: Some(value),
                });
            }
            replaced = std::mem::replace(current, next);
        });
        replaced
    }
}
