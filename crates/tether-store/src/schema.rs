//! The database schema, as numbered migrations: a database is moved forward one step at a time,
//! each step in its own transaction, and a database newer than this build is left untouched.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Every migration, in order: the schema version after step `n` is `n + 1`.
const MIGRATIONS: [&str; 11] = [
    // 1: projects, sessions with their messages, and the per-channel event log.
    "CREATE TABLE meta (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE projects (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         path TEXT NOT NULL UNIQUE,
         added_at INTEGER NOT NULL
     );
     CREATE TABLE sessions (
         id TEXT PRIMARY KEY,
         project_id TEXT NOT NULL,
         status TEXT NOT NULL,
         model TEXT,
         permission_mode TEXT NOT NULL,
         claude_session_id TEXT,
         created_at INTEGER NOT NULL,
         total_cost_usd REAL NOT NULL,
         usage TEXT NOT NULL,
         last_error TEXT,
         todos TEXT NOT NULL
     );
     CREATE TABLE messages (
         session_id TEXT NOT NULL,
         seq INTEGER NOT NULL,
         id TEXT NOT NULL,
         role TEXT NOT NULL,
         parts TEXT NOT NULL,
         PRIMARY KEY (session_id, seq)
     ) WITHOUT ROWID;
     CREATE TABLE channels (
         name TEXT PRIMARY KEY,
         epoch TEXT NOT NULL,
         head INTEGER NOT NULL,
         floor INTEGER NOT NULL,
         bytes INTEGER NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE events (
         channel TEXT NOT NULL,
         offset INTEGER NOT NULL,
         event TEXT NOT NULL,
         data TEXT NOT NULL,
         at INTEGER NOT NULL,
         PRIMARY KEY (channel, offset)
     ) WITHOUT ROWID;
     CREATE INDEX events_by_time ON events (at);",
    // 2: paired devices' metadata (their tokens stay in the OS keyring).
    "CREATE TABLE devices (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         paired_at INTEGER NOT NULL,
         last_seen INTEGER,
         last_address TEXT
     );",
    // 3: the SSH public keys allowed to sign in.
    "CREATE TABLE ssh_keys (
         fingerprint TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         public_key TEXT NOT NULL,
         added_at INTEGER NOT NULL,
         last_used INTEGER
     );",
    // 4: when each session was last active, for lists sorted by it.
    "ALTER TABLE sessions ADD COLUMN last_active_at INTEGER NOT NULL DEFAULT 0;
     UPDATE sessions SET last_active_at = created_at;",
    // 5: the Claude Code session a session carries on, as JSON (NULL for none).
    "ALTER TABLE sessions ADD COLUMN origin TEXT;",
    // 6: choices made on the desktop that outlive a restart (such as the public URL).
    "CREATE TABLE settings (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL
     ) WITHOUT ROWID;",
    // 7: devices' Web Push subscriptions (the keys are the browser's public ones).
    "CREATE TABLE push_subscriptions (
         endpoint TEXT PRIMARY KEY,
         device_id TEXT NOT NULL,
         p256dh TEXT NOT NULL,
         auth TEXT NOT NULL,
         kinds TEXT NOT NULL,
         created_at INTEGER NOT NULL
     ) WITHOUT ROWID;",
    // 8: the name a session's user gave it (NULL for none).
    "ALTER TABLE sessions ADD COLUMN title TEXT;",
    // 9: full-text search of messages' text, kept up to date by triggers, filled from the
    // messages already saved. `message_rows` gives each message the integer id FTS5 keys on.
    "CREATE TABLE message_rows (
         id INTEGER PRIMARY KEY,
         session_id TEXT NOT NULL,
         seq INTEGER NOT NULL,
         UNIQUE (session_id, seq)
     );
     CREATE VIRTUAL TABLE message_text USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
     CREATE VIEW message_texts AS
         SELECT r.id AS id, m.session_id AS session_id, m.seq AS seq,
                (SELECT group_concat(json_extract(part.value, '$.text'), char(10))
                   FROM json_each(m.parts) AS part
                  WHERE json_extract(part.value, '$.kind') = 'text') AS text
           FROM messages AS m JOIN message_rows AS r USING (session_id, seq);
     CREATE TRIGGER message_added AFTER INSERT ON messages BEGIN
         INSERT INTO message_rows (session_id, seq) VALUES (new.session_id, new.seq)
             ON CONFLICT DO NOTHING;
         INSERT INTO message_text (rowid, text)
             SELECT id, text FROM message_texts WHERE session_id = new.session_id AND seq = new.seq;
     END;
     CREATE TRIGGER message_changed AFTER UPDATE OF parts ON messages BEGIN
         DELETE FROM message_text WHERE rowid =
             (SELECT id FROM message_rows WHERE session_id = new.session_id AND seq = new.seq);
         INSERT INTO message_text (rowid, text)
             SELECT id, text FROM message_texts WHERE session_id = new.session_id AND seq = new.seq;
     END;
     CREATE TRIGGER message_removed AFTER DELETE ON messages BEGIN
         DELETE FROM message_text WHERE rowid =
             (SELECT id FROM message_rows WHERE session_id = old.session_id AND seq = old.seq);
         DELETE FROM message_rows WHERE session_id = old.session_id AND seq = old.seq;
     END;
     INSERT INTO message_rows (session_id, seq) SELECT session_id, seq FROM messages;
     INSERT INTO message_text (rowid, text) SELECT id, text FROM message_texts;",
    // 10: remote machines. A project names the machine it is on ('' for this computer, not
    // NULL, which UNIQUE would let repeat), so a folder's path is unique per machine; a
    // session names its machine (NULL for this computer); a device may be a machine.
    "CREATE TABLE projects_by_machine (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         path TEXT NOT NULL,
         added_at INTEGER NOT NULL,
         machine TEXT NOT NULL DEFAULT '',
         UNIQUE (machine, path)
     );
     INSERT INTO projects_by_machine (id, name, path, added_at)
         SELECT id, name, path, added_at FROM projects;
     DROP TABLE projects;
     ALTER TABLE projects_by_machine RENAME TO projects;
     ALTER TABLE sessions ADD COLUMN machine TEXT;
     ALTER TABLE devices ADD COLUMN machine INTEGER NOT NULL DEFAULT 0;",
    // 11: a changed message is no longer reindexed for search at every token it streams: the
    // change marks its row stale, and the writer reindexes stale rows (see `search_index`).
    "ALTER TABLE message_rows ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
     CREATE INDEX message_rows_stale ON message_rows (id) WHERE stale;
     DROP TRIGGER message_changed;
     CREATE TRIGGER message_changed AFTER UPDATE OF parts ON messages BEGIN
         UPDATE message_rows SET stale = 1
          WHERE session_id = new.session_id AND seq = new.seq AND NOT stale;
     END;",
];

/// The schema version this build writes.
pub const CURRENT: u32 = MIGRATIONS.len() as u32;

/// Moves the database up to `target` (at most [`CURRENT`]). Returns the version it was at.
pub fn migrate_to(connection: &mut Connection, target: u32) -> Result<u32, StoreError> {
    let found: u32 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            found,
            known: CURRENT,
        });
    }
    for (version, sql) in (1..=target).zip(MIGRATIONS).skip(found as usize) {
        let step = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        step.execute_batch(sql)?;
        step.pragma_update(None, "user_version", version)?;
        step.commit()?;
        tracing::info!(version, "database schema migrated");
    }
    Ok(found)
}

/// Moves the database to the current schema.
pub fn migrate(connection: &mut Connection) -> Result<u32, StoreError> {
    migrate_to(connection, CURRENT)
}
