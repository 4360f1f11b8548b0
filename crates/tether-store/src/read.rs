//! Reading the store back: channel positions, saved events after an offset, projects, sessions
//! and their messages. Reads use their own connection, so they never wait for a commit.

use std::path::PathBuf;

use rusqlite::Error::FromSqlConversionFailure;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::StoreError;
use super::records::{Backfill, ChannelRecord, PushRecord, SessionRecord, StoredEvent};
use tether_protocol::AuthorizedKey;
use tether_protocol::Device;
use tether_protocol::Project;
use tether_protocol::model::{Message, SessionInfo, SessionStatus};

/// A column holding JSON (or, with `bare`, a unit-like enum stored as its bare name).
/// A JSON column that may be NULL.
fn optional_json_column<T: DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(index)? {
        None => Ok(None),
        Some(_) => json_column(row, index, false).map(Some),
    }
}

pub(crate) fn json_column<T: DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
    bare: bool,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    let parsed = if bare {
        serde_json::from_value(serde_json::Value::String(text))
    } else {
        serde_json::from_str(&text)
    };
    parsed.map_err(|error| {
        let column = row.as_ref().column_name(index).unwrap_or("?").to_owned();
        let why = format!("column `{column}` is not what it should be ({error})");
        FromSqlConversionFailure(index, Type::Text, why.into())
    })
}

fn channel_record(row: &Row<'_>) -> rusqlite::Result<ChannelRecord> {
    Ok(ChannelRecord {
        name: row.get(0)?,
        epoch: row.get(1)?,
        head: row.get(2)?,
        floor: row.get(3)?,
    })
}

/// Reads everything a start loads (every table, and the messages of each open session), to
/// learn whether the saved state can be read at all.
pub fn everything(connection: &Connection) -> Result<(), StoreError> {
    let unreadable = |what| move |error| StoreError::Unreadable(what, Box::new(error));
    channels(connection).map_err(unreadable("channels"))?;
    projects(connection).map_err(unreadable("projects"))?;
    devices(connection).map_err(unreadable("devices"))?;
    ssh_keys(connection).map_err(unreadable("SSH keys"))?;
    let open = (sessions(connection)
        .map_err(unreadable("sessions"))?
        .into_iter())
    .filter(|session| session.info.status != SessionStatus::Ended);
    for session in open {
        messages(connection, &session.info.id).map_err(unreadable("messages"))?;
    }
    Ok(())
}

pub fn channels(connection: &Connection) -> Result<Vec<ChannelRecord>, StoreError> {
    Ok(connection
        .prepare("SELECT name, epoch, head, floor FROM channels")?
        .query_map([], channel_record)?
        .collect::<Result<_, _>>()?)
}

/// Up to `limit` saved events of `channel` after `after`, read in one transaction with the
/// channel's position, so `through` is exact.
pub fn events_after(
    connection: &mut Connection,
    channel: &str,
    after: u64,
    limit: usize,
) -> Result<Option<Backfill>, StoreError> {
    let transaction = connection.transaction()?;
    let record = transaction
        .query_row(
            "SELECT name, epoch, head, floor FROM channels WHERE name = ?1",
            [channel],
            channel_record,
        )
        .optional()?;
    let Some(record) = record else {
        return Ok(None);
    };
    let through = record.head.min(after.saturating_add(limit as u64));
    let events = transaction
        .prepare_cached(
            "SELECT offset, event, data FROM events
             WHERE channel = ?1 AND offset > ?2 AND offset <= ?3 ORDER BY offset",
        )?
        .query_map(params![channel, after, through], |row| {
            Ok((
                row.get::<_, u64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .map(|row| {
            let (offset, event, data) = row?;
            Ok(StoredEvent {
                offset,
                event,
                data: RawValue::from_string(data)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(Backfill {
        channel: record,
        events,
        through,
    }))
}

pub fn projects(connection: &Connection) -> Result<Vec<Project>, StoreError> {
    Ok(connection
        .prepare("SELECT id, name, path, added_at, machine FROM projects ORDER BY added_at, id")?
        .query_map([], |row| {
            Ok(Project {
                id: row.get(0)?,
                name: row.get(1)?,
                path: PathBuf::from(row.get::<_, String>(2)?),
                added_at: row.get(3)?,
                machine: Some(row.get::<_, String>(4)?).filter(|machine| !machine.is_empty()),
            })
        })?
        .collect::<Result<_, _>>()?)
}

pub fn devices(connection: &Connection) -> Result<Vec<Device>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT id, name, paired_at, last_seen, last_address, machine FROM devices
         ORDER BY paired_at, id",
    )?;
    let rows = statement.query_map([], |row| {
        let id: String = row.get(0)?;
        Ok(Device {
            id: id
                .try_into()
                .map_err(|error: String| FromSqlConversionFailure(0, Type::Text, error.into()))?,
            name: row.get(1)?,
            paired_at: row.get(2)?,
            last_seen: row.get(3)?,
            last_address: row.get(4)?,
            machine: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn ssh_keys(connection: &Connection) -> Result<Vec<AuthorizedKey>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT fingerprint, name, public_key, added_at, last_used FROM ssh_keys ORDER BY added_at",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(AuthorizedKey {
            fingerprint: row.get(0)?,
            name: row.get(1)?,
            public_key: row.get(2)?,
            added_at: row.get(3)?,
            last_used: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every paired device's Web Push subscriptions, oldest first.
pub fn push_subscriptions(connection: &Connection) -> Result<Vec<PushRecord>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT device_id, endpoint, p256dh, auth, kinds, created_at FROM push_subscriptions
         WHERE device_id IN (SELECT id FROM devices)
         ORDER BY created_at, endpoint",
    )?;
    let rows = statement.query_map([], |row| {
        let id: String = row.get(0)?;
        let kinds: String = row.get(4)?;
        let conversion = |column, error: Box<dyn std::error::Error + Send + Sync>| {
            FromSqlConversionFailure(column, Type::Text, error)
        };
        Ok(PushRecord {
            device_id: id
                .try_into()
                .map_err(|error: String| conversion(0, error.into()))?,
            endpoint: row.get(1)?,
            p256dh: row.get(2)?,
            auth: row.get(3)?,
            kinds: serde_json::from_str(&kinds).map_err(|error| conversion(4, error.into()))?,
            created_at: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A desktop choice saved under `key`, if there is one.
pub fn setting(connection: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    let mut statement = connection.prepare("SELECT value FROM settings WHERE key = ?1")?;
    let mut rows = statement.query_map([key], |row| row.get(0))?;
    Ok(rows.next().transpose()?)
}

/// The columns `session_record` reads, in its order.
const SESSION_COLUMNS: &str = "id, project_id, status, model, permission_mode, claude_session_id,
    created_at, total_cost_usd, usage, last_error, todos, last_active_at, origin, title, machine";

fn session_record(row: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        info: SessionInfo {
            id: row.get(0)?,
            project_id: row.get(1)?,
            status: json_column(row, 2, true)?,
            model: row.get(3)?,
            permission_mode: row.get(4)?,
            claude_session_id: row.get(5)?,
            created_at: row.get(6)?,
            last_active_at: row.get(11)?,
            total_cost_usd: row.get(7)?,
            usage: json_column(row, 8, false)?,
            last_error: row.get(9)?,
            origin: optional_json_column(row, 12)?,
            title: row.get(13)?,
            machine: row.get(14)?,
        },
        todos: json_column(row, 10, false)?,
    })
}

pub fn sessions(connection: &Connection) -> Result<Vec<SessionRecord>, StoreError> {
    Ok(connection
        .prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions ORDER BY created_at, id"
        ))?
        .query_map([], session_record)?
        .collect::<Result<_, _>>()?)
}

pub fn session(connection: &Connection, id: &str) -> Result<Option<SessionRecord>, StoreError> {
    Ok(connection
        .query_row(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"),
            [id],
            session_record,
        )
        .optional()?)
}

pub fn messages(connection: &Connection, session_id: &str) -> Result<Vec<Message>, StoreError> {
    Ok(connection
        .prepare_cached("SELECT id, role, parts FROM messages WHERE session_id = ?1 ORDER BY seq")?
        .query_map([session_id], |row| {
            Ok(Message {
                id: row.get(0)?,
                role: json_column(row, 1, true)?,
                parts: json_column(row, 2, false)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}
