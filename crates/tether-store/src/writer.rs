//! The writer thread: it owns the database's one writing connection and commits whatever was
//! queued since its last commit in one transaction (group commit), so saving keeps pace with
//! token streams however many sessions stream at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use rusqlite::{Connection, Params, Transaction, params};

use super::health::Health;
use super::queue::{Batch, Queue};
use super::records::{EventRow, Row, RowKey};
use super::retention::{Retention, RetentionLimits};
use super::search_index::SearchIndex;
use super::{StoreError, random_epoch};

/// The longest pause before a failed commit is tried again.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// How many times what is queued at close is tried before it is given up.
const CLOSING_TRIES: u32 = 3;

pub struct Writer {
    connection: Connection,
    queue: Arc<Queue>,
    health: Arc<Health>,
    retention: Retention,
    lineage: Lineage,
    index: SearchIndex,
}

/// Which channels' saved logs lost events in this run.
#[derive(Default)]
struct Lineage {
    /// Channels whose saved log lost events, and the epoch their log continues under.
    renamed: HashMap<String, String>,
    /// Channels that lost events not yet followed by a saved one.
    broken: BTreeSet<String>,
}

impl Writer {
    pub fn new(
        connection: Connection,
        queue: Arc<Queue>,
        health: Arc<Health>,
        limits: RetentionLimits,
    ) -> Self {
        Self {
            connection,
            queue,
            health,
            retention: Retention::new(limits),
            lineage: Lineage::default(),
            index: SearchIndex::default(),
        }
    }

    /// Commits batches until the store closes, then marks the shutdown clean. With nothing to
    /// commit, it still wakes when stale messages are due to be reindexed.
    pub fn run(mut self) {
        let mut backoff = Duration::from_millis(50);
        let mut failed_closing = 0;
        while let Some(batch) = self.queue.take(self.index.due_in()) {
            let closing = batch.closing;
            if self.commit_batch(batch) {
                backoff = Duration::from_millis(50);
                self.retention.maybe_run(&mut self.connection, &self.health);
            } else if !closing {
                self.queue.pause(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            } else {
                failed_closing += 1;
                if failed_closing == CLOSING_TRIES {
                    // Not marked clean: the next start knows what was queued was lost.
                    tracing::error!("what was queued when the store closed could not be saved");
                    return;
                }
            }
        }
        if let Err(error) = self.reindex_now() {
            tracing::warn!(%error, "could not bring the search index up to date at close");
        }
        match mark_clean(&self.connection) {
            Ok(()) => tracing::debug!("event log closed cleanly"),
            Err(error) => tracing::warn!(%error, "could not mark the event log closed"),
        }
    }

    /// Reindexes stale messages at once, in a transaction of their own.
    fn reindex_now(&mut self) -> Result<(), StoreError> {
        if self.index.due_in().is_none() {
            return Ok(());
        }
        let mut transaction = self.connection.transaction()?;
        self.index.update(&mut transaction, true);
        transaction.commit()?;
        Ok(())
    }

    /// Commits one batch; true when it was saved.
    fn commit_batch(&mut self, batch: Batch) -> bool {
        let Batch {
            events,
            rows,
            lost,
            dropped,
            waiters,
            closing,
            ..
        } = batch;
        if dropped > 0 {
            self.health.lost(dropped, "the event log fell behind");
        }
        for channel in lost {
            self.lineage.broken.insert(channel);
        }
        let started = Instant::now();
        // A flush's waiters, and a close, find every saved word searchable.
        let now = !waiters.is_empty() || closing;
        let result = self.commit(&events, &rows, now);
        let outcome = match &result {
            Ok(()) => {
                self.health.committed(events.len(), started.elapsed());
                Ok(())
            }
            Err(error) => {
                // Whatever the commit would have reindexed is stale still.
                self.index.changed();
                // The events are gone from the log: their channels' saved logs are broken.
                for event in &events {
                    self.lineage.broken.insert(event.channel.clone());
                }
                self.health.lost(events.len() as u64, &error.to_string());
                self.queue.retry_rows(rows);
                Err(error.to_string())
            }
        };
        for waiter in waiters {
            let _ = waiter.send(outcome.clone());
        }
        result.is_ok()
    }

    /// Commits `events` and `rows`, and reindexes stale messages when due (or at once if
    /// `reindex_now`).
    fn commit(
        &mut self,
        events: &[EventRow],
        rows: &BTreeMap<RowKey, Row>,
        reindex_now: bool,
    ) -> Result<(), StoreError> {
        let mut transaction = self.connection.transaction()?;
        let mut heads: BTreeMap<&str, ChannelUpdate> = BTreeMap::new();
        insert_events(&transaction, events)?;
        for event in events {
            let floor = self.lineage.continue_log(&event.channel, event.offset);
            let update = heads
                .entry(&event.channel)
                .or_insert_with(|| ChannelUpdate {
                    epoch: self.lineage.epoch_of(event),
                    ..ChannelUpdate::default()
                });
            update.head = event.offset;
            update.floor = update.floor.max(floor.unwrap_or(0));
            update.bytes += event.size();
        }
        for (channel, update) in heads {
            execute(
                &transaction,
                "INSERT INTO channels (name, epoch, head, floor, bytes) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (name) DO UPDATE SET epoch = excluded.epoch, head = excluded.head,
                     floor = max(floor, excluded.floor), bytes = bytes + excluded.bytes",
                params![
                    channel,
                    update.epoch,
                    update.head,
                    update.floor,
                    update.bytes
                ],
            )?;
        }
        for row in rows.values() {
            write_row(&transaction, row)?;
            if matches!(row, Row::Message { .. }) {
                self.index.changed();
            }
        }
        self.index.update(&mut transaction, reindex_now);
        transaction.commit()?;
        Ok(())
    }
}

/// Runs one statement of a commit, prepared once and kept: a commit runs the same few
/// statements every time (once per event, at the pace tokens arrive).
fn execute(
    transaction: &Transaction<'_>,
    sql: &str,
    params: impl Params,
) -> rusqlite::Result<usize> {
    transaction.prepare_cached(sql)?.execute(params)
}

/// Events inserted by one statement: one statement for many rows saves SQLite most of its
/// per-statement work.
const ROWS_PER_INSERT: usize = 32;

/// `INSERT OR REPLACE` of `rows` events (rows later in the statement replace earlier ones with
/// the same channel and offset, as separate statements in that order would).
fn insert_sql(rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?, ?)"; rows].join(", ");
    format!("INSERT OR REPLACE INTO events (channel, offset, event, data, at) VALUES {values}")
}

/// Inserts `events` in order, `ROWS_PER_INSERT` to a statement, then the rest one by one.
fn insert_events(transaction: &Transaction<'_>, events: &[EventRow]) -> Result<(), StoreError> {
    static MANY: LazyLock<String> = LazyLock::new(|| insert_sql(ROWS_PER_INSERT));
    static ONE: LazyLock<String> = LazyLock::new(|| insert_sql(1));
    let (full, rest) = events.split_at(events.len() - events.len() % ROWS_PER_INSERT);
    for (sql, per_statement, rows) in [(&*MANY, ROWS_PER_INSERT, full), (&*ONE, 1, rest)] {
        if rows.is_empty() {
            continue;
        }
        let mut insert = transaction.prepare_cached(sql)?;
        for statement_rows in rows.chunks(per_statement) {
            for (n, event) in statement_rows.iter().enumerate() {
                let first = n * 5 + 1;
                insert.raw_bind_parameter(first, &event.channel)?;
                insert.raw_bind_parameter(first + 1, event.offset)?;
                insert.raw_bind_parameter(first + 2, &event.event)?;
                insert.raw_bind_parameter(first + 3, event.data.get())?;
                insert.raw_bind_parameter(first + 4, event.at)?;
            }
            insert.raw_execute()?;
        }
    }
    Ok(())
}

/// What one commit changes of a channel's saved position.
#[derive(Default)]
struct ChannelUpdate {
    epoch: String,
    head: u64,
    floor: u64,
    bytes: usize,
}

impl Lineage {
    /// The epoch a channel's saved log goes on under: the live one, unless it lost events.
    fn epoch_of(&self, event: &EventRow) -> String {
        self.renamed
            .get(&event.channel)
            .cloned()
            .unwrap_or_else(|| event.epoch.clone())
    }

    /// After a loss, a channel's saved log continues under an epoch no client holds, from a
    /// floor below which it vouches for nothing. Returns that floor for the first saved event.
    fn continue_log(&mut self, channel: &str, offset: u64) -> Option<u64> {
        if !self.broken.remove(channel) {
            return None;
        }
        self.renamed.insert(channel.to_owned(), random_epoch());
        tracing::warn!(
            channel,
            offset,
            "the saved log of this channel lost events; it continues under a new epoch"
        );
        Some(offset - 1)
    }
}

fn write_row(transaction: &Transaction<'_>, row: &Row) -> Result<(), StoreError> {
    match row {
        Row::Project(project) => {
            execute(
                transaction,
                "INSERT OR REPLACE INTO projects (id, name, path, added_at, machine)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    project.id,
                    project.name,
                    project.path.to_string_lossy(),
                    project.added_at,
                    project.machine.as_deref().unwrap_or_default(),
                ],
            )?;
        }
        Row::Session(record) => {
            let info = &record.info;
            execute(
                transaction,
                "INSERT OR REPLACE INTO sessions (id, project_id, status, model, permission_mode,
                     claude_session_id, created_at, total_cost_usd, usage, last_error, todos,
                     last_active_at, origin, title, machine)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    info.id,
                    info.project_id,
                    bare_name(&info.status)?,
                    info.model,
                    info.permission_mode,
                    info.claude_session_id,
                    info.created_at,
                    info.total_cost_usd,
                    serde_json::to_string(&info.usage)?,
                    info.last_error,
                    serde_json::to_string(&record.todos)?,
                    info.last_active_at,
                    info.origin
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?,
                    info.title,
                    info.machine,
                ],
            )?;
        }
        Row::Message {
            session_id,
            seq,
            message,
        } => {
            execute(
                transaction,
                // An upsert, not a replace: the search index's triggers see an update.
                "INSERT INTO messages (session_id, seq, id, role, parts) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (session_id, seq) DO UPDATE
                 SET id = excluded.id, role = excluded.role, parts = excluded.parts",
                params![
                    session_id,
                    seq,
                    message.id,
                    bare_name(&message.role)?,
                    serde_json::to_string(&message.parts)?,
                ],
            )?;
        }
        Row::Device(device) => {
            execute(
                transaction,
                "INSERT OR REPLACE INTO devices (id, name, paired_at, last_seen, last_address, machine)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    device.id.as_str(),
                    device.name,
                    device.paired_at,
                    device.last_seen,
                    device.last_address,
                    device.machine,
                ],
            )?;
        }
        Row::DeviceRemoved(id) => {
            execute(
                transaction,
                "DELETE FROM devices WHERE id = ?1",
                [id.as_str()],
            )?;
            let subscriptions = "DELETE FROM push_subscriptions WHERE device_id = ?1";
            execute(transaction, subscriptions, [id.as_str()])?;
        }
        Row::Push(record) => {
            execute(
                transaction,
                "INSERT OR REPLACE INTO push_subscriptions
                     (endpoint, device_id, p256dh, auth, kinds, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    record.endpoint,
                    record.device_id.as_str(),
                    record.p256dh,
                    record.auth,
                    serde_json::to_string(&record.kinds)?,
                    record.created_at
                ],
            )?;
        }
        Row::PushRemoved(endpoint) => {
            execute(
                transaction,
                "DELETE FROM push_subscriptions WHERE endpoint = ?1",
                [endpoint],
            )?;
        }
        Row::Key(key) => {
            execute(
                transaction,
                "INSERT OR REPLACE INTO ssh_keys (fingerprint, name, public_key, added_at, last_used)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    key.fingerprint,
                    key.name,
                    key.public_key,
                    key.added_at,
                    key.last_used
                ],
            )?;
        }
        Row::KeyRemoved(fingerprint) => {
            execute(
                transaction,
                "DELETE FROM ssh_keys WHERE fingerprint = ?1",
                [fingerprint],
            )?;
        }
        Row::ProjectRemoved(id) => {
            execute(transaction, "DELETE FROM projects WHERE id = ?1", [id])?;
        }
        Row::SessionRemoved(id) => {
            execute(
                transaction,
                "DELETE FROM messages WHERE session_id = ?1",
                [id],
            )?;
            execute(transaction, "DELETE FROM sessions WHERE id = ?1", [id])?;
            remove_channel(transaction, &format!("session:{id}"))?;
        }
        Row::ChannelRemoved(channel) => remove_channel(transaction, channel)?,
        Row::Setting {
            key,
            value: Some(value),
        } => {
            execute(
                transaction,
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
                params![key, value],
            )?;
        }
        Row::Setting { key, value: None } => {
            execute(transaction, "DELETE FROM settings WHERE key = ?1", [key])?;
        }
    }
    Ok(())
}

/// Deletes a channel's saved events and its epoch.
fn remove_channel(transaction: &Transaction<'_>, channel: &str) -> Result<(), StoreError> {
    transaction.execute("DELETE FROM events WHERE channel = ?1", [channel])?;
    transaction.execute("DELETE FROM channels WHERE name = ?1", [channel])?;
    Ok(())
}

/// A unit-like enum (status, role) as its bare name, which retention's queries match on.
fn bare_name(value: &impl serde::Serialize) -> Result<String, StoreError> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(name) => Ok(name),
        other => Ok(other.to_string()),
    }
}

/// Opening marks the shutdown unclean; closing after the last commit marks it clean.
fn mark_clean(connection: &Connection) -> Result<(), StoreError> {
    connection.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean_shutdown', '1')",
        [],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use serde_json::value::RawValue;

    use super::{ROWS_PER_INSERT, insert_events};
    use crate::records::EventRow;
    use crate::schema::migrate;

    fn row(offset: u64, data: &str) -> EventRow {
        EventRow {
            channel: "session:s".into(),
            epoch: "e1".into(),
            offset,
            event: "part.delta".into(),
            data: RawValue::from_string(data.into()).unwrap(),
            at: 0,
        }
    }

    #[test]
    fn rows_inserted_many_to_a_statement_are_all_saved_and_a_repeated_one_keeps_its_last_write() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        let last = 2 * ROWS_PER_INSERT as u64 + 3;
        let mut rows: Vec<EventRow> = (1..=last).map(|n| row(n, &n.to_string())).collect();
        // Offset 4 again, inside the first statement's rows: the later write wins.
        rows.insert(10, row(4, r#""again""#));
        let transaction = connection.transaction().unwrap();
        insert_events(&transaction, &rows).unwrap();
        transaction.commit().unwrap();
        let mut query = connection
            .prepare("SELECT offset, data FROM events ORDER BY offset")
            .unwrap();
        let saved: Vec<(u64, String)> = query
            .query_map([], |found| Ok((found.get(0)?, found.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let offsets: Vec<u64> = saved.iter().map(|(offset, _)| *offset).collect();
        assert_eq!(offsets, (1..=last).collect::<Vec<_>>());
        assert_eq!(saved[3].1, r#""again""#);
        assert_eq!(saved[4].1, "5");
    }
}
