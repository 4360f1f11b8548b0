//! Retention: the event log is kept under a size and an age. Over size, the token deltas of the
//! oldest idle sessions' settled parts go first (the event that settled each part carries it
//! whole, so a replay still ends in the same state); then the oldest events of any channel.

use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::health::Health;

/// How often retention looks at the log.
const EVERY: Duration = Duration::from_secs(60);
/// Events removed per step when the oldest must go.
const STEP: u64 = 2_000;
/// The most steps one pass takes, so a pass never holds the writer for long.
const MAX_STEPS: usize = 64;

/// How much event log to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionLimits {
    /// Bytes of saved events (event names and data) kept in all.
    pub max_log_bytes: u64,
    /// How long a saved event is kept.
    #[serde(
        rename = "max_log_age_secs",
        with = "tether_protocol::durations::seconds"
    )]
    pub max_log_age: Duration,
}

impl Default for RetentionLimits {
    fn default() -> Self {
        Self {
            max_log_bytes: 1 << 30,
            max_log_age: Duration::from_secs(90 * 24 * 3600),
        }
    }
}

pub struct Retention {
    limits: RetentionLimits,
    last: Option<Instant>,
}

impl Retention {
    pub fn new(limits: RetentionLimits) -> Self {
        Self { limits, last: None }
    }

    /// Runs a pass when the last one is older than a minute.
    pub fn maybe_run(&mut self, connection: &mut Connection, health: &Health) {
        if self.last.is_some_and(|last| last.elapsed() < EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        if let Err(error) = self.run(connection) {
            health.lost(0, &format!("retention failed: {error}"));
        }
    }

    /// One pass: expire old events, then compact and trim until the log fits.
    pub fn run(&self, connection: &mut Connection) -> Result<(), StoreError> {
        let age = i64::try_from(self.limits.max_log_age.as_millis()).unwrap_or(i64::MAX);
        let cutoff = tether_protocol::clock::unix_millis().saturating_sub(age);
        let transaction = connection.transaction()?;
        let expired: Vec<(String, u64)> = transaction
            .prepare("SELECT channel, MAX(offset) FROM events WHERE at < ?1 GROUP BY channel")?
            .query_map([cutoff], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (channel, through) in &expired {
            drop_through(&transaction, channel, *through)?;
        }
        if total_bytes(&transaction)? > self.limits.max_log_bytes {
            for channel in idle_sessions_oldest_first(&transaction)? {
                compact(&transaction, &channel)?;
                if total_bytes(&transaction)? <= self.limits.max_log_bytes {
                    break;
                }
            }
        }
        for _ in 0..MAX_STEPS {
            if total_bytes(&transaction)? <= self.limits.max_log_bytes {
                break;
            }
            let oldest: Vec<(String, u64)> = transaction
                .prepare(
                    "SELECT channel, MAX(offset) FROM
                         (SELECT channel, offset FROM events ORDER BY at LIMIT ?1)
                     GROUP BY channel",
                )?
                .query_map([STEP], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            if oldest.is_empty() {
                break;
            }
            for (channel, through) in &oldest {
                drop_through(&transaction, channel, *through)?;
            }
        }
        transaction.commit()?;
        connection.execute_batch("PRAGMA incremental_vacuum")?;
        Ok(())
    }
}

fn total_bytes(connection: &Connection) -> Result<u64, StoreError> {
    Ok(
        connection.query_row("SELECT COALESCE(SUM(bytes), 0) FROM channels", [], |row| {
            row.get(0)
        })?,
    )
}

/// Removes a channel's events up to `through`; a replay from before it then reports a gap.
fn drop_through(connection: &Connection, channel: &str, through: u64) -> Result<(), StoreError> {
    connection.execute(
        "DELETE FROM events WHERE channel = ?1 AND offset <= ?2",
        params![channel, through],
    )?;
    connection.execute(
        "UPDATE channels SET floor = max(floor, ?2) WHERE name = ?1",
        params![channel, through],
    )?;
    recount(connection, channel)
}

/// Removes the token deltas of the channel's parts that a later `part.updated` settled whole.
fn compact(connection: &Connection, channel: &str) -> Result<(), StoreError> {
    connection.execute(
        "DELETE FROM events WHERE channel = ?1 AND event = 'part.delta'
             AND json_extract(data, '$.part_id') IN
                 (SELECT json_extract(data, '$.part.id') FROM events
                  WHERE channel = ?1 AND event = 'part.updated')",
        [channel],
    )?;
    recount(connection, channel)
}

fn recount(connection: &Connection, channel: &str) -> Result<(), StoreError> {
    connection.execute(
        "UPDATE channels SET bytes = (SELECT COALESCE(SUM(length(CAST(event AS BLOB)) + length(CAST(data AS BLOB))), 0)
                                      FROM events WHERE channel = ?1)
         WHERE name = ?1",
        [channel],
    )?;
    Ok(())
}

/// Session channels whose session is not mid-turn, least recently active first.
fn idle_sessions_oldest_first(connection: &Connection) -> Result<Vec<String>, StoreError> {
    Ok(connection
        .prepare(
            "SELECT 'session:' || s.id FROM sessions s
             WHERE s.status NOT IN ('starting', 'running', 'awaiting_approval', 'stalled')
             ORDER BY (SELECT MAX(at) FROM events WHERE channel = 'session:' || s.id)",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?)
}
