//! Full-text search of saved messages (SQLite FTS5, kept up to date by the schema's
//! triggers): what a person types is taken as words, never as FTS5 syntax.

use rusqlite::Connection;
use tether_protocol::files::{SearchHit, SnippetPiece};

use super::StoreError;
use super::read::json_column;

/// Marks around each matched word in a snippet (control characters no prompt needs).
const OPEN: char = '\u{2}';
const CLOSE: char = '\u{3}';

/// The words of `input` as an FTS5 query: each a quoted string (so `"`, `*`, `NEAR`, `AND`,
/// parentheses and the like are text), the last one also a prefix; `None` when nothing in it
/// can match.
pub fn fts_query(input: &str) -> Option<String> {
    // Control characters (a NUL ends FTS5's string) are never in a word.
    let words: Vec<String> = input
        .split_whitespace()
        .map(|word| word.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(32)
        .collect();
    let last = words.len().checked_sub(1)?;
    let quoted = words.iter().enumerate().map(|(index, word)| {
        let text = format!("\"{}\"", word.replace('"', "\"\""));
        if index == last {
            format!("{text}*")
        } else {
            text
        }
    });
    Some(quoted.collect::<Vec<_>>().join(" "))
}

/// The newest matches ranked: past this many, older ones are not ranked (ranking every match
/// of a common word in a long history would take the answer past 50 ms).
const RANKED: usize = 2_000;

/// The best `limit` of the newest matching messages for `input`.
pub fn search(
    connection: &Connection,
    input: &str,
    limit: usize,
) -> Result<Vec<SearchHit>, StoreError> {
    let Some(query) = fts_query(input) else {
        return Ok(Vec::new());
    };
    // FTS5 reads a `MATCH` newest first and stops early; `rowid >=` bounds what `rank` scores.
    let mut statement = connection.prepare_cached(
        "SELECT r.session_id, m.id, m.role, snippet(message_text, 0, ?3, ?4, '…', 16)
           FROM message_text
           JOIN message_rows AS r ON r.id = message_text.rowid
           JOIN messages AS m ON m.session_id = r.session_id AND m.seq = r.seq
          WHERE message_text MATCH ?1
            AND message_text.rowid >= (
                SELECT coalesce(min(id), 0) FROM (
                    SELECT rowid AS id FROM message_text WHERE message_text MATCH ?1
                     ORDER BY rowid DESC LIMIT ?5))
          ORDER BY rank
          LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let ranked = i64::try_from(RANKED).unwrap_or(i64::MAX);
    let rows = statement.query_map(
        rusqlite::params![query, limit, OPEN.to_string(), CLOSE.to_string(), ranked],
        |row| {
            Ok(SearchHit {
                session_id: row.get(0)?,
                message_id: row.get(1)?,
                role: json_column(row, 2, true)?,
                snippet: pieces(&row.get::<_, String>(3)?),
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A marked snippet, split into its plain and matched pieces.
fn pieces(marked: &str) -> Vec<SnippetPiece> {
    let mut pieces = Vec::new();
    let mut matched = false;
    for (index, text) in marked.split([OPEN, CLOSE]).enumerate() {
        if index > 0 {
            matched = !matched;
        }
        if !text.is_empty() {
            pieces.push(SnippetPiece {
                text: text.to_owned(),
                matched,
            });
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RetentionLimits, Row, Store};
    use proptest::prelude::*;
    use tether_protocol::model::{Message, Part, Role};

    #[tokio::test]
    async fn search_follows_saved_messages_as_they_change_and_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), RetentionLimits::default());
        let message = |id: &str, text: &str| Message {
            id: id.to_owned(),
            role: Role::Assistant,
            parts: vec![
                Part::Text {
                    id: format!("{id}:0"),
                    text: text.to_owned(),
                },
                Part::ToolUse {
                    id: format!("{id}:1"),
                    name: "Bash".to_owned(),
                    input: serde_json::json!({ "command": "grep hidden" }),
                    result: None,
                },
            ],
        };
        for (session, seq, id, text) in [
            ("a", 0, "m1", "The parser reads tokens"),
            ("a", 1, "m2", "Nothing to see"),
            (
                "b",
                0,
                "m3",
                "Another parser, with (parentheses) and \"quotes\"",
            ),
        ] {
            let (session_id, message) = (session.to_owned(), message(id, text));
            store.save(Row::Message {
                session_id,
                seq,
                message,
            });
        }
        store.flush().await.unwrap();
        let ids = |hits: Vec<SearchHit>| {
            hits.into_iter()
                .map(|hit| hit.message_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(store.search("parser", 10).unwrap()).len(), 2);
        assert_eq!(
            ids(store.search("pars", 10).unwrap()).len(),
            2,
            "the last word is a prefix"
        );
        assert!(
            store.search("hidden", 10).unwrap().is_empty(),
            "tool input is not message text"
        );
        for hostile in ["\"", "(parentheses", "NEAR(parser", "* OR", "quotes\" AND"] {
            assert!(store.search(hostile, 10).is_ok(), "{hostile}");
        }
        assert_eq!(ids(store.search("\"quotes\"", 10).unwrap()), ["m3"]);
        let hit = &store.search("tokens", 10).unwrap()[0];
        assert_eq!(hit.session_id, "a");
        assert!(
            hit.snippet
                .iter()
                .any(|piece| piece.matched && piece.text == "tokens"),
            "{hit:?}"
        );

        let (session_id, changed) = ("a".to_owned(), message("m1", "The lexer reads bytes"));
        store.save(Row::Message {
            session_id,
            seq: 0,
            message: changed,
        });
        store.save(Row::SessionRemoved("b".to_owned()));
        store.flush().await.unwrap();
        assert!(
            store.search("tokens", 10).unwrap().is_empty(),
            "the old text is gone"
        );
        assert_eq!(ids(store.search("lexer", 10).unwrap()), ["m1"]);
        assert!(
            store.search("parser", 10).unwrap().is_empty(),
            "a removed session's messages go"
        );
        store.close().await;
    }

    #[test]
    fn syntax_is_text() {
        assert_eq!(fts_query("parse error").unwrap(), "\"parse\" \"error\"*");
        assert_eq!(fts_query("say \"hi").unwrap(), "\"say\" \"\"\"hi\"*");
        assert_eq!(fts_query("a NEAR b").unwrap(), "\"a\" \"NEAR\" \"b\"*");
        assert_eq!(fts_query("( * ) \""), None);
        assert_eq!(fts_query("   "), None);
    }

    #[test]
    fn snippets_split_at_the_marks() {
        let split = pieces("the \u{2}parser\u{3} fails");
        let texts: Vec<_> = split.iter().map(|p| (p.text.as_str(), p.matched)).collect();
        assert_eq!(
            texts,
            [("the ", false), ("parser", true), (" fails", false)]
        );
    }

    proptest! {
        /// Whatever is typed, the query is valid FTS5: searching never fails.
        #[test]
        fn any_input_searches_without_error(input in "\\PC{0,40}|[ -~]{0,40}|NEAR\\(.*\\)|\"{1,3}[a-z]*|.{0,20}") {
            let connection = Connection::open_in_memory().unwrap();
            connection.execute_batch("CREATE VIRTUAL TABLE t USING fts5(text); INSERT INTO t VALUES ('parse the NEAR (error) \"x\"');").unwrap();
            if let Some(query) = fts_query(&input) {
                let found: rusqlite::Result<Vec<i64>> = connection
                    .prepare("SELECT rowid FROM t WHERE t MATCH ?1").unwrap()
                    .query_map([&query], |row| row.get(0)).unwrap()
                    .collect();
                prop_assert!(found.is_ok(), "{input:?} as {query:?}: {found:?}");
            }
        }
    }
}
