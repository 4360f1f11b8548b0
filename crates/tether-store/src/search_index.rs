//! Keeping the search index current without reindexing a message at every token: a change to
//! a message only marks its row stale (a schema trigger), and the writer reindexes stale
//! messages at most once a second while they stream, at once before a flush is answered or the
//! store closes, and on its first commit, for whatever a crash left stale. A reindexing that
//! fails never costs a commit its events: it is undone alone and tried again.

use std::time::{Duration, Instant};

use rusqlite::Transaction;

/// The longest a changed message's text waits to be searchable while nobody asks.
const EVERY: Duration = Duration::from_secs(1);

/// Reindexes stale messages: their old text leaves the index, their current text enters it.
const REINDEX: [&str; 3] = [
    "DELETE FROM message_text WHERE rowid IN (SELECT id FROM message_rows WHERE stale)",
    "INSERT INTO message_text (rowid, text)
         SELECT id, text FROM message_texts
          WHERE id IN (SELECT id FROM message_rows WHERE stale)",
    "UPDATE message_rows SET stale = 0 WHERE stale",
];

/// Whether messages may be stale, and when they were last reindexed.
pub struct SearchIndex {
    stale: bool,
    reindexed: Option<Instant>,
}

impl Default for SearchIndex {
    /// A new run may find what the last one left stale.
    fn default() -> Self {
        Self {
            stale: true,
            reindexed: None,
        }
    }
}

impl SearchIndex {
    /// Notes that a message may have changed (a commit wrote one, or one failed).
    pub fn changed(&mut self) {
        self.stale = true;
    }

    /// How long until stale messages are due to be reindexed; `None` when none may be.
    pub fn due_in(&self) -> Option<Duration> {
        if !self.stale {
            return None;
        }
        let since = self.reindexed.map_or(EVERY, |at| at.elapsed());
        Some(EVERY.saturating_sub(since))
    }

    /// Reindexes stale messages within `transaction` when they are due, or at once if `now`.
    /// A reindexing that fails is undone alone, and tried again a second later: the rest of
    /// the transaction commits.
    pub fn update(&mut self, transaction: &mut Transaction<'_>, now: bool) {
        if self.due_in().is_none_or(|due| !now && !due.is_zero()) {
            return;
        }
        match reindex(transaction) {
            Ok(()) => self.stale = false,
            Err(error) => tracing::warn!(%error, "could not bring the search index up to date"),
        }
        self.reindexed = Some(Instant::now());
    }
}

/// Runs [`REINDEX`] in a savepoint of `transaction`, undone if any step fails.
fn reindex(transaction: &mut Transaction<'_>) -> rusqlite::Result<()> {
    let savepoint = transaction.savepoint()?;
    for sql in REINDEX {
        savepoint.prepare_cached(sql)?.execute([])?;
    }
    savepoint.commit()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use rusqlite::Connection;
    use tether_protocol::model::{Message, Part, Role};

    use super::SearchIndex;
    use crate::schema::migrate;
    use crate::{RetentionLimits, Row, Store};

    fn parts(text: &str) -> String {
        let part = Part::Text {
            id: "m:0".to_owned(),
            text: text.to_owned(),
        };
        serde_json::to_string(&[part]).unwrap()
    }

    /// How many saved messages the index finds for `word`.
    fn found(connection: &Connection, word: &str) -> u32 {
        let sql = "SELECT count(*) FROM message_text WHERE message_text MATCH ?1";
        connection.query_row(sql, [word], |row| row.get(0)).unwrap()
    }

    fn change(connection: &Connection, text: &str) {
        let sql = "UPDATE messages SET parts = ?1 WHERE session_id = 's' AND seq = 0";
        connection.execute(sql, [parts(text)]).unwrap();
    }

    fn update(connection: &mut Connection, index: &mut SearchIndex, now: bool) {
        let mut transaction = connection.transaction().unwrap();
        index.update(&mut transaction, now);
        transaction.commit().unwrap();
    }

    #[test]
    fn a_change_marks_its_message_stale_and_is_reindexed_when_due_or_asked() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        let insert = "INSERT INTO messages (session_id, seq, id, role, parts)
                      VALUES ('s', 0, 'm', 'assistant', ?1)";
        connection.execute(insert, [parts("alpha")]).unwrap();
        assert_eq!(
            found(&connection, "alpha"),
            1,
            "a new message is indexed at once"
        );

        // A change, as at every streamed token, costs no reindexing.
        change(&connection, "alpha beta");
        assert_eq!(found(&connection, "beta"), 0);
        let stale = "SELECT count(*) FROM message_rows WHERE stale";
        let stale = |connection: &Connection| -> u32 {
            connection.query_row(stale, [], |row| row.get(0)).unwrap()
        };
        assert_eq!(stale(&connection), 1);

        // A new run reindexes what the last one left stale on its first commit.
        let mut index = SearchIndex::default();
        assert_eq!(index.due_in(), Some(Duration::ZERO));
        update(&mut connection, &mut index, false);
        assert_eq!(
            (found(&connection, "beta"), found(&connection, "alpha")),
            (1, 1)
        );
        assert_eq!((stale(&connection), index.due_in()), (0, None));

        // Just reindexed, the next change waits its turn, unless asked for now.
        change(&connection, "gamma");
        index.changed();
        assert!(index.due_in().is_some_and(|due| !due.is_zero()));
        update(&mut connection, &mut index, false);
        assert_eq!(found(&connection, "gamma"), 0, "not due yet");
        update(&mut connection, &mut index, true);
        assert_eq!(
            (found(&connection, "gamma"), found(&connection, "alpha")),
            (1, 0)
        );
    }

    #[tokio::test]
    async fn a_streamed_change_becomes_searchable_without_anyone_asking() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), RetentionLimits::default());
        let message = |text: &str| Row::Message {
            session_id: "s".to_owned(),
            seq: 0,
            message: Message {
                id: "m".to_owned(),
                role: Role::Assistant,
                parts: vec![Part::Text {
                    id: "m:0".to_owned(),
                    text: text.to_owned(),
                }],
            },
        };
        store.save(message("first"));
        store.flush().await.unwrap();
        store.save(message("first second"));
        // No flush: the writer reindexes on its own within a second or so.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut polls = 0;
        while store.search("second", 10).unwrap().is_empty() {
            assert!(Instant::now() < deadline, "never searchable");
            polls += 1;
            assert!(polls <= 2_000, "polled too often");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        store.close().await;
    }
}
