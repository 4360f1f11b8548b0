//! The durable store, above the protocol and below the engine: one SQLite file (WAL) in the
//! data directory with projects, sessions and their messages, and every channel's event log
//! with its epoch. One writer thread commits in
//! groups; reads use a connection of their own. A database that cannot be used leaves the store
//! unavailable (reported, never touched) while live sessions keep streaming.

/// How the store is doing, for `/readyz` and `system.info`.
mod health;
/// A lock-free latency histogram.
mod histogram;
/// The hand-off from the engine to the writer thread.
mod queue;
/// Reading the store back.
mod read;
/// What the store keeps and gives back.
mod records;
/// Keeping the event log under a size and an age.
mod retention;
/// The schema, as numbered migrations.
mod schema;
/// Full-text search of saved messages.
mod search;
/// Reindexing changed messages for search, at most once a second while they stream.
mod search_index;
/// The writer thread and its group commits.
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rand::Rng;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use tokio::sync::oneshot;

use self::health::Health;
use tether_protocol::files::SearchHit;

pub use self::histogram::Histogram;
use self::queue::Queue;
pub use self::records::{
    Backfill, ChannelRecord, EventRow, PushRecord, Row, RowKey, SessionRecord, StoredEvent,
};
pub use self::retention::RetentionLimits;
pub use self::schema::{CURRENT as SCHEMA_VERSION, migrate_to};
use self::writer::Writer;
use tether_protocol::AuthorizedKey;
use tether_protocol::Device;
use tether_protocol::Project;
use tether_protocol::model::Message;
use tether_protocol::results::HealthReport;

/// The database's file name inside the data directory.
pub const FILE_NAME: &str = "tether.db";

/// How long a statement waits for another program's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the store cannot do something.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "it was written by a newer Tether (schema {found}; this build knows up to {known}): update Tether, or move the file aside to start afresh"
    )]
    NewerSchema { found: u32, known: u32 },
    #[error("it is locked by another program")]
    Locked,
    #[error("it is damaged ({0}); it was left as it is")]
    Corrupt(String),
    #[error("the disk is full")]
    Full,
    #[error("it cannot be written ({0})")]
    ReadOnly(String),
    #[error("{0}")]
    Sqlite(rusqlite::Error),
    #[error("a saved value is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("its saved {0} cannot be read ({1}); nothing of this run is saved to it")]
    Unreadable(&'static str, Box<StoreError>),
    #[error("the store is unavailable")]
    Unavailable,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Locked,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                Self::Corrupt(error.to_string())
            }
            Some(ErrorCode::DiskFull) => Self::Full,
            Some(
                ErrorCode::ReadOnly
                | ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::SystemIoFailure,
            ) => Self::ReadOnly(error.to_string()),
            _ => Self::Sqlite(error),
        }
    }
}

struct Shared {
    path: PathBuf,
    reader: Option<Mutex<Connection>>,
    queue: Arc<Queue>,
    health: Arc<Health>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// A cheap, cloneable handle to the store.
#[derive(Clone)]
pub struct Store(Arc<Shared>);

impl Store {
    /// Opens the database in `dir`, creating it or moving its schema forward. After a crash
    /// (the last run did not close the store), every channel starts a new epoch: clients may
    /// have seen events that were never saved, so none may resume across the crash as if
    /// nothing was lost.
    pub fn open(dir: &Path, limits: RetentionLimits) -> Self {
        let path = dir.join(FILE_NAME);
        let queue = Arc::new(Queue::default());
        let health = Arc::new(Health::default());
        let opened = open_writer(&path).and_then(|mut writer| {
            let reader = open_reader(&path)?;
            // Everything a start loads must read before this run writes anything of its own
            // (a file of an older schema has been moved forward to this one first).
            read::everything(&reader)?;
            start_run(&mut writer)?;
            Ok((writer, reader))
        });
        let (reader, thread) = match opened {
            Ok((connection, reader)) => {
                let writer = Writer::new(connection, queue.clone(), health.clone(), limits);
                let thread = std::thread::Builder::new()
                    .name("tether-store".to_owned())
                    .spawn(move || writer.run());
                match thread {
                    Ok(thread) => (Some(Mutex::new(reader)), Some(thread)),
                    Err(error) => {
                        health.unavailable(format!("cannot start the store's writer: {error}"));
                        (None, None)
                    }
                }
            }
            Err(error) => {
                health.unavailable(format!(
                    "the database {} cannot be used: {error}",
                    path.display()
                ));
                (None, None)
            }
        };
        if thread.is_none() {
            queue.close();
        }
        Self(Arc::new(Shared {
            path,
            reader,
            queue,
            health,
            writer: Mutex::new(thread),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.0.path
    }

    pub fn health(&self) -> HealthReport {
        self.0.health.report()
    }

    /// How long the event log's commits took.
    pub fn commit_seconds(&self) -> &Histogram {
        self.0.health.commit_seconds()
    }

    /// Follows the store's problem as it appears and clears (`None`: saving works).
    pub fn problems(&self) -> tokio::sync::watch::Receiver<Option<String>> {
        self.0.health.watch()
    }

    /// Queues an event for the log (it is committed with the next group).
    pub fn append(&self, row: EventRow) {
        self.0.queue.event(row);
    }

    /// Queues a row write (a later write of the same row before the commit replaces it).
    pub fn save(&self, row: Row) {
        self.0.queue.row(row);
    }

    /// Waits until everything queued so far is committed.
    pub async fn flush(&self) -> Result<(), String> {
        let (waiter, done) = oneshot::channel();
        self.0.queue.flush(waiter);
        done.await
            .unwrap_or_else(|_| Err("the store is closed".to_owned()))
    }

    /// Commits what is queued, marks the shutdown clean and stops the writer.
    pub async fn close(&self) {
        self.0.queue.close();
        let thread = self
            .0
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let joined = tokio::task::spawn_blocking(move || thread.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("the store's writer did not stop cleanly");
            }
        }
    }

    fn reader(&self) -> Option<MutexGuard<'_, Connection>> {
        // A connection behind a poisoned lock is still usable: SQLite rolls back what it left.
        let reader = self.0.reader.as_ref()?;
        Some(reader.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs a read on the reading connection.
    fn read<T>(
        &self,
        read: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.reader().ok_or(StoreError::Unavailable)?;
        read(&mut connection)
    }

    /// What a start loads from the store, or, when it cannot be read, nothing: the problem is
    /// then reported (readiness fails, and `store.updated` says why) rather than shown as an
    /// empty engine. An unavailable store was reported when it opened.
    pub fn loaded<T: Default>(&self, what: &str, read: Result<T, StoreError>) -> T {
        read.unwrap_or_else(|error| {
            if !matches!(error, StoreError::Unavailable) {
                self.0
                    .health
                    .unavailable(format!("the saved {what} cannot be read: {error}"));
            }
            T::default()
        })
    }

    pub fn channels(&self) -> Result<Vec<ChannelRecord>, StoreError> {
        self.read(|connection| read::channels(connection))
    }

    /// Up to `limit` saved events of `channel` after `after`.
    pub fn events_after(
        &self,
        channel: &str,
        after: u64,
        limit: usize,
    ) -> Result<Option<Backfill>, StoreError> {
        self.read(|connection| read::events_after(connection, channel, after, limit))
    }

    pub fn projects(&self) -> Result<Vec<Project>, StoreError> {
        self.read(|connection| read::projects(connection))
    }

    pub fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|connection| read::sessions(connection))
    }

    /// One saved session, if there is one.
    pub fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|connection| read::session(connection, id))
    }

    pub fn devices(&self) -> Result<Vec<Device>, StoreError> {
        self.read(|connection| read::devices(connection))
    }

    pub fn ssh_keys(&self) -> Result<Vec<AuthorizedKey>, StoreError> {
        self.read(|connection| read::ssh_keys(connection))
    }

    pub fn messages(&self, session_id: &str) -> Result<Vec<Message>, StoreError> {
        self.read(|connection| read::messages(connection, session_id))
    }

    pub fn push_subscriptions(&self) -> Result<Vec<PushRecord>, StoreError> {
        self.read(|connection| read::push_subscriptions(connection))
    }

    /// The saved messages that best match `query` (taken as words), at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        self.read(|connection| search::search(connection, query, limit))
    }

    /// A desktop choice saved with [`Row::Setting`], if there is one.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|connection| read::setting(connection, key))
    }
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    Ok(connection)
}

/// The writing connection: schema checked before anything is written, then WAL and migrations
/// (the crash check comes once the saved state has been read).
fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let mut connection = connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    let found: u32 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        // Lets retention give freed pages back to the file system (set before any table exists).
        connection.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    }
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    schema::migrate(&mut connection)?;
    Ok(connection)
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let connection = connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    connection.pragma_update(None, "query_only", true)?;
    Ok(connection)
}

/// Records that a run has begun; after a crash, gives every channel a new epoch first.
fn start_run(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let clean: Option<String> = transaction
        .query_row(
            "SELECT value FROM meta WHERE key = 'clean_shutdown'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if clean.as_deref() == Some("0") {
        let names: Vec<String> = transaction
            .prepare("SELECT name FROM channels")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for name in &names {
            transaction.execute(
                "UPDATE channels SET epoch = ?2 WHERE name = ?1",
                [name, &random_epoch()],
            )?;
        }
        tracing::warn!(
            channels = names.len(),
            "the last run did not stop cleanly; clients resume with a reload"
        );
    }
    transaction.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean_shutdown', '0')",
        [],
    )?;
    transaction.commit()?;
    Ok(())
}

/// A fresh stream identity.
pub fn random_epoch() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

#[cfg(test)]
mod tests;
