//! Following a transcript while a `claude` outside Tether writes it. A follower holds the
//! session reducer of its last page and reads on from where it stopped each time the file
//! changes; every new line's events are published on `session:{id}`, so a subscribed client
//! sees the new parts in order, once, like those of Tether's own sessions.

use std::io::{BufReader, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::file;
use super::history::{self, DEFAULT_TURNS, PAGE_BYTES, PageError};
use super::index::{Indexed, MAX_LINE};
use super::lines::{Line, Lines};
use crate::hub::Hub;
use crate::supervisor::session_reducer::SessionReducer;
use tether_protocol::ChannelName;
use tether_protocol::model::{SessionInfo, SessionStatus};
use tether_protocol::session_view::SessionSnapshot;

struct Followed {
    reducer: SessionReducer,
    path: PathBuf,
    /// The file's device and inode when it was opened.
    identity: (u64, u64),
    /// Everything before this offset has been published.
    read_to: u64,
    /// Where the page before the first one shown ends.
    before: Option<u64>,
}

/// One transcript being followed.
pub struct Follower {
    channel: ChannelName,
    state: Mutex<Followed>,
}

impl Follower {
    /// A follower that starts with the last page of `indexed`, as the session `info`.
    pub fn open(
        channel: ChannelName,
        indexed: &Indexed,
        info: SessionInfo,
    ) -> Result<Self, PageError> {
        let digest = &indexed.digest;
        let span = history::span(digest, digest.read_to, DEFAULT_TURNS)?;
        let (reducer, _) = history::load(&indexed.path, span, info)?;
        Ok(Self {
            channel,
            state: Mutex::new(Followed {
                reducer,
                path: indexed.path.clone(),
                identity: indexed.identity,
                read_to: digest.read_to,
                before: span.before,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Followed> {
        // The reducer changes only through whole steps: a poisoned follower is consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn channel(&self) -> &ChannelName {
        &self.channel
    }

    /// The session as shown now, with the channel position its events continue from, and
    /// where the page before it ends. Nothing is published while it is taken.
    pub fn snapshot(&self, hub: &Hub) -> (SessionSnapshot, Option<u64>) {
        let state = self.lock();
        let position = hub.open_position(&self.channel);
        let snapshot = SessionSnapshot::new(state.reducer.view().clone(), Some(position));
        (snapshot, state.before)
    }

    /// Reads what was added since the last read (at most [`PAGE_BYTES`] at a time; the rest
    /// at the next change) and publishes its events, then the status: `running` while a
    /// terminal writes it (`live`), `idle` once none does. False when the file was replaced
    /// or cut short: what was shown no longer matches it, so following ends (with a note).
    pub fn catch_up(&self, hub: &Hub, live: bool) -> bool {
        let mut state = self.lock();
        let state = &mut *state;
        let (status, note, following) = match read_on(state, hub, &self.channel) {
            Ok(Read::On) => (live, None, true),
            Ok(Read::Replaced) => (
                false,
                Some("the transcript was rewritten; open it again".to_owned()),
                false,
            ),
            Err(error) => (
                false,
                Some(format!("the transcript cannot be read: {error}")),
                false,
            ),
        };
        let status = if status {
            SessionStatus::Running
        } else {
            SessionStatus::Idle
        };
        for event in state.reducer.set_status(status, note) {
            hub.publish(&self.channel, &event);
        }
        following
    }
}

/// How reading on went.
enum Read {
    /// Up to date (or as far as one read goes).
    On,
    /// The file is another one now, or shorter than what was read.
    Replaced,
}

fn read_on(state: &mut Followed, hub: &Hub, channel: &ChannelName) -> std::io::Result<Read> {
    let mut file = file::open(&state.path)?;
    let meta = file.metadata()?;
    if meta.len() < state.read_to || file::identity(&meta) != state.identity {
        return Ok(Read::Replaced);
    }
    file.seek(SeekFrom::Start(state.read_to))?;
    let mut lines = Lines::new(BufReader::new(file), state.read_to, MAX_LINE);
    let mut skipped = 0;
    while lines.offset() - state.read_to < PAGE_BYTES
        && let Some(line) = lines.next_line()?
    {
        if let Line::Whole { offset, bytes } = line {
            for event in history::feed(&mut state.reducer, offset, bytes, &mut skipped) {
                hub.publish(channel, &event);
            }
        }
    }
    state.read_to = lines.offset();
    Ok(Read::On)
}
