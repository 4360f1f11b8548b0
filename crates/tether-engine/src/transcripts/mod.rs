//! Claude Code's own sessions, read from its transcripts: an index of every transcript kept
//! up to date in the background (a file watcher, never a blocked start-up), pages of their
//! history, and followers that publish what a terminal adds to one while clients watch it.

pub mod digest;
mod file;
mod follow;
pub mod history;
mod index;
pub mod line;
mod lines;
mod live;
mod location;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

pub use self::follow::Follower;
pub use self::history::PageError;
pub use self::index::{Index, Indexed, read_into};
use crate::config::ClaudeSettings;
use crate::engine::{Engine, WeakEngine};
use tether_protocol::events::AccountEvent;
use tether_protocol::model::{SessionInfo, SessionStatus};
use tether_protocol::terminal::TerminalSession;
use tether_protocol::{ChannelKind, ChannelName};
use tether_store::Row;

/// The most transcripts followed at once.
pub const MAX_FOLLOWED: usize = 32;
/// How often followers nobody watches are let go, and liveness is checked without a change.
const TEND_EVERY: Duration = Duration::from_secs(30);
/// Changes within this long of the first are read into the index together (and announced
/// once): a `claude` appends many lines a second while it works. Followers do not wait.
const SETTLE: Duration = Duration::from_secs(2);

/// A transcript being followed, and how many checks in a row found nobody watching it.
struct Followed {
    follower: Arc<Follower>,
    unwatched: u32,
}

/// Every transcript the CLI keeps, and those being followed.
pub struct Transcripts {
    config_dir: Option<PathBuf>,
    index: Index,
    followed: Mutex<HashMap<String, Followed>>,
    continuing: Mutex<()>,
}

/// Why a transcript cannot be followed.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("{MAX_FOLLOWED} transcripts are followed already; close one first")]
    TooMany,
    #[error("{0:?} cannot name a channel")]
    Unnamable(String),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl Transcripts {
    /// The transcripts of the CLI that `settings` run (none read yet).
    pub fn new(settings: &ClaudeSettings) -> Self {
        Self {
            config_dir: location::config_dir(settings),
            index: Index::default(),
            followed: Mutex::new(HashMap::new()),
            continuing: Mutex::new(()),
        }
    }

    /// Held while a transcript is being continued, so two requests at once make one session.
    pub fn continuing(&self) -> MutexGuard<'_, ()> {
        self.continuing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Followed>> {
        // Entries are inserted and removed whole.
        self.followed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Reads what changed on disk into the index (blocking); true when anything did.
    pub fn refresh(&self) -> bool {
        self.config_dir
            .as_deref()
            .is_some_and(|dir| self.index.refresh(&location::projects_dir(dir)))
    }

    /// The sessions a `claude` outside Tether writes now, with its pid.
    pub fn live(&self) -> HashMap<String, u32> {
        self.config_dir
            .as_deref()
            .map(|dir| live::outside(&location::running_dir(dir)))
            .unwrap_or_default()
    }

    /// What a list shows of `indexed`. `continued` maps a CLI session id to the Tether
    /// session that runs it.
    pub fn describe(
        id: &str,
        indexed: &Indexed,
        live: &HashMap<String, u32>,
        continued: &HashMap<String, String>,
    ) -> TerminalSession {
        let digest = &indexed.digest;
        TerminalSession {
            id: id.to_owned(),
            folder: digest.cwd.clone(),
            title: digest.title().map(str::to_owned),
            first_at: digest.first_at,
            last_at: digest.last_at,
            messages: digest.messages,
            git_branch: digest.git_branch.clone(),
            model: digest.model.clone(),
            total_cost_usd: digest.cost_usd,
            usage: digest.usage.clone(),
            bytes: indexed.len,
            skipped_lines: digest.skipped,
            problem: digest.problem.clone(),
            live: live.contains_key(id),
            tether_session_id: continued.get(id).cloned(),
        }
    }

    /// The follower of `id`, started on its last page if none runs (this reads the file).
    pub fn follow(
        &self,
        engine: &Engine,
        id: &str,
        indexed: &Indexed,
        project_id: Option<String>,
    ) -> Result<Arc<Follower>, FollowError> {
        // Held while a new follower reads its first page, so two openings make one follower.
        let mut followed = self.lock();
        if let Some(known) = followed.get_mut(id) {
            known.unwatched = 0;
            return Ok(Arc::clone(&known.follower));
        }
        if followed.len() >= MAX_FOLLOWED {
            return Err(FollowError::TooMany);
        }
        let channel = ChannelName::new(ChannelKind::Session, id)
            .ok_or_else(|| FollowError::Unnamable(id.to_owned()))?;
        let digest = &indexed.digest;
        let mut info = SessionInfo::new(
            id.to_owned(),
            project_id.unwrap_or_default(),
            digest.model.clone(),
            "default".to_owned(),
            digest.first_at.unwrap_or_default(),
        );
        info.claude_session_id = Some(id.to_owned());
        info.last_active_at = digest.last_at.unwrap_or_default();
        info.total_cost_usd = digest.cost_usd;
        info.usage = digest.usage.clone();
        info.status = SessionStatus::Idle;
        let follower = Arc::new(Follower::open(channel, indexed, info)?);
        follower.catch_up(engine.hub(), self.live().contains_key(id));
        followed.insert(
            id.to_owned(),
            Followed {
                follower: Arc::clone(&follower),
                unwatched: 0,
            },
        );
        Ok(follower)
    }

    /// Something changed under `paths`: followers of those transcripts read on, and all of
    /// them when a `claude` started or stopped.
    fn changed(&self, engine: &Engine, paths: &[PathBuf]) {
        let running = self
            .config_dir
            .as_deref()
            .map(location::running_dir)
            .is_some_and(|dir| paths.iter().any(|path| path.starts_with(&dir)));
        let touched: Vec<Arc<Follower>> = self
            .lock()
            .iter()
            .filter(|(id, _)| {
                running
                    || paths
                        .iter()
                        .any(|path| path.file_stem().is_some_and(|stem| stem == id.as_str()))
            })
            .map(|(_, followed)| Arc::clone(&followed.follower))
            .collect();
        if touched.is_empty() {
            return;
        }
        self.catch_up(engine, touched);
    }

    /// Has each of `followers` read on; lets go of those whose file was replaced.
    fn catch_up(&self, engine: &Engine, followers: Vec<Arc<Follower>>) {
        let live = self.live();
        for follower in followers {
            let id = follower.channel().id();
            if !follower.catch_up(engine.hub(), live.contains_key(id)) {
                self.lock()
                    .retain(|_, followed| !Arc::ptr_eq(&followed.follower, &follower));
            }
        }
    }

    /// Lets go of followers nobody has watched for two checks, with their channels (so a
    /// client that comes back later loads the transcript again rather than resuming a stream
    /// nobody feeds), and has the rest read on and check they are live.
    fn tend(&self, engine: &Engine) {
        let hub = engine.hub();
        let mut followed = self.lock();
        followed.retain(|_, followed| {
            if hub.subscriber_count(followed.follower.channel()) == 0 {
                followed.unwatched += 1;
            } else {
                followed.unwatched = 0;
            }
            if followed.unwatched < 2 {
                return true;
            }
            let channel = followed.follower.channel();
            hub.forget(channel);
            engine
                .store()
                .save(Row::ChannelRemoved(channel.to_string()));
            false
        });
        let kept: Vec<Arc<Follower>> = followed
            .values()
            .map(|followed| Arc::clone(&followed.follower))
            .collect();
        drop(followed);
        self.catch_up(engine, kept);
    }

    /// A watcher of the transcripts, reporting to `engine`; none while the CLI's folder does
    /// not exist yet.
    fn watch(&self, engine: WeakEngine, wake: mpsc::Sender<()>) -> Option<Watching> {
        let config = self.config_dir.as_deref()?;
        let projects = location::projects_dir(config);
        let handler = move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else {
                return;
            };
            if !changes_content(&event.kind) {
                return;
            }
            if let Some(engine) = engine.upgrade() {
                engine.transcripts().changed(&engine, &event.paths);
            }
            // A refresh is already due when the queue is full.
            let _ = wake.try_send(());
        };
        let mut watcher = notify::recommended_watcher(handler).ok()?;
        watcher.watch(&projects, RecursiveMode::Recursive).ok()?;
        Some(Watching {
            watcher,
            running: false,
        })
    }

    /// Watches the folder of running `claude`s too, once it exists (the CLI makes it).
    fn watch_running(&self, watching: &mut Watching) {
        if watching.running {
            return;
        }
        if let Some(config) = self.config_dir.as_deref() {
            let running = location::running_dir(config);
            watching.running = watching
                .watcher
                .watch(&running, RecursiveMode::NonRecursive)
                .is_ok();
        }
    }
}

/// Whether an event can mean a transcript's content changed. Opening or reading a file (as
/// the index and the followers do) and touching its metadata cannot: reacting to those, each
/// read would set off another, without end.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(access) => matches!(access, AccessKind::Close(AccessMode::Write)),
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

/// The watcher, and whether it watches the running `claude`s yet.
struct Watching {
    watcher: RecommendedWatcher,
    running: bool,
}

/// Keeps the index of `engine`'s transcripts up to date until the engine is gone: a first
/// read at once, then again whenever the watcher reports changes (those within [`SETTLE`]
/// together), and a check of followers every [`TEND_EVERY`]. Each read that changed anything
/// is announced as `terminal.indexed`. Followers read on at each change, without waiting.
pub async fn keep_indexed(engine: WeakEngine) {
    let (wake, mut changes) = mpsc::channel(1);
    let mut watcher = None;
    let mut tend = tokio::time::interval(TEND_EVERY);
    loop {
        let Some(strong) = engine.upgrade() else {
            return;
        };
        if watcher.is_none() {
            watcher = strong.transcripts().watch(engine.clone(), wake.clone());
        }
        if let Some(watching) = watcher.as_mut() {
            strong.transcripts().watch_running(watching);
        }
        let indexing = strong.clone();
        let changed = tokio::task::spawn_blocking(move || indexing.transcripts().refresh())
            .await
            .unwrap_or(false);
        if changed {
            let progress = strong.transcripts().index.progress();
            strong.announce(&AccountEvent::TerminalIndexed(progress));
        }
        drop(strong);
        tokio::select! {
            change = changes.recv() => {
                if change.is_none() {
                    return;
                }
                tokio::time::sleep(SETTLE).await;
                // What came meanwhile is read by this refresh.
                let _ = changes.try_recv();
            }
            _ = tend.tick() => {
                if let Some(strong) = engine.upgrade() {
                    strong.transcripts().tend(&strong);
                }
            }
        }
    }
}

/// The folder a transcript ran in, as its lines name it.
pub fn folder_of(indexed: &Indexed) -> Option<&Path> {
    indexed.digest.cwd.as_deref().map(Path::new)
}

#[cfg(test)]
mod tests;
