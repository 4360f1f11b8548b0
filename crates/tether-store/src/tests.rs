//! Store tests: migrations, saving and reading back, group commit, crash epochs, retention,
//! and databases that cannot be used.

use std::path::Path;

use rusqlite::Connection;
use serde_json::value::RawValue;

use super::*;
use tether_protocol::model::{Part, Role, SessionInfo, SessionStatus, Usage};

fn event(channel: &str, epoch: &str, offset: u64, name: &str, data: &str) -> EventRow {
    EventRow {
        channel: channel.to_owned(),
        epoch: epoch.to_owned(),
        offset,
        event: name.to_owned(),
        data: RawValue::from_string(data.to_owned()).unwrap(),
        at: tether_protocol::clock::unix_millis() + offset as i64,
    }
}

fn session(id: &str, status: SessionStatus) -> SessionRecord {
    SessionRecord {
        info: SessionInfo {
            id: id.to_owned(),
            project_id: "p".to_owned(),
            status,
            model: Some("m".to_owned()),
            permission_mode: "default".to_owned(),
            claude_session_id: Some("c".to_owned()),
            created_at: 7,
            last_active_at: 7,
            total_cost_usd: 0.25,
            usage: Usage {
                input_tokens: 3,
                ..Usage::default()
            },
            last_error: None,
            origin: Some(tether_protocol::model::Origin {
                transcript_id: "t".to_owned(),
                fork: true,
            }),
            title: Some("Garden path".to_owned()),
            machine: Some("0000abcd".to_owned()),
        },
        todos: Vec::new(),
    }
}

fn version(path: &Path) -> u32 {
    Connection::open(path.join(FILE_NAME))
        .unwrap()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap()
}

#[tokio::test]
async fn an_empty_directory_gets_the_current_schema_and_everything_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), RetentionLimits::default());
    assert_eq!(store.health().problem, None);
    for offset in 1..=3 {
        store.append(event(
            "session:s",
            "e1",
            offset,
            "part.delta",
            &format!("{{\"n\":{offset}}}"),
        ));
    }
    store.save(Row::Session(Box::new(session("s", SessionStatus::Idle))));
    let message = Message {
        id: "m1".to_owned(),
        role: Role::Assistant,
        parts: vec![Part::Text {
            id: "m1:0".to_owned(),
            text: "hello".to_owned(),
        }],
    };
    store.save(Row::Message {
        session_id: "s".to_owned(),
        seq: 0,
        message: message.clone(),
    });
    for (key, value) in [("kept", "1"), ("forgotten", "2")] {
        let (key, value) = (key.to_owned(), Some(value.to_owned()));
        store.save(Row::Setting { key, value });
    }
    store.save(Row::Setting {
        key: "forgotten".to_owned(),
        value: None,
    });
    store.flush().await.unwrap();
    store.close().await;
    assert_eq!(version(dir.path()), SCHEMA_VERSION);

    let store = Store::open(dir.path(), RetentionLimits::default());
    assert_eq!(store.setting("kept").unwrap().as_deref(), Some("1"));
    assert_eq!(store.setting("forgotten").unwrap(), None);
    let channels = store.channels().unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(
        (
            channels[0].epoch.as_str(),
            channels[0].head,
            channels[0].floor
        ),
        ("e1", 3, 0)
    );
    let backfill = store.events_after("session:s", 1, 10).unwrap().unwrap();
    let offsets: Vec<u64> = backfill.events.iter().map(|event| event.offset).collect();
    assert_eq!((offsets, backfill.through), (vec![2, 3], 3));
    assert_eq!(backfill.events[1].data.get(), r#"{"n":3}"#);
    assert_eq!(
        store
            .events_after("session:s", 0, 2)
            .unwrap()
            .unwrap()
            .through,
        2
    );
    assert_eq!(
        store.sessions().unwrap(),
        vec![session("s", SessionStatus::Idle)]
    );
    assert_eq!(store.messages("s").unwrap(), vec![message]);
    store.close().await;
}

#[tokio::test]
async fn a_device_removed_takes_its_subscriptions_even_one_saved_in_the_same_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), RetentionLimits::default());
    let device = |id: &tether_protocol::DeviceId| {
        Row::Device(tether_protocol::Device {
            id: id.clone(),
            name: "phone".to_owned(),
            paired_at: 1,
            last_seen: None,
            last_address: None,
            machine: false,
        })
    };
    let subscription = |id: &tether_protocol::DeviceId, endpoint: &str| {
        Row::Push(PushRecord {
            device_id: id.clone(),
            endpoint: endpoint.to_owned(),
            p256dh: "key".to_owned(),
            auth: "auth".to_owned(),
            kinds: vec![tether_protocol::push::NotifyKind::Approval],
            created_at: 2,
        })
    };
    let (kept, revoked, never) = (
        tether_protocol::DeviceId::random(),
        tether_protocol::DeviceId::random(),
        tether_protocol::DeviceId::random(),
    );
    store.save(device(&kept));
    store.save(device(&revoked));
    store.save(subscription(&kept, "https://push.example/kept"));
    store.flush().await.unwrap();
    // One batch: a subscription saved as its device is removed.
    store.save(subscription(&revoked, "https://push.example/revoked"));
    store.save(Row::DeviceRemoved(revoked));
    store.save(subscription(&never, "https://push.example/never-paired"));
    store.flush().await.unwrap();
    let endpoints: Vec<String> = store
        .push_subscriptions()
        .unwrap()
        .into_iter()
        .map(|record| record.endpoint)
        .collect();
    assert_eq!(endpoints, ["https://push.example/kept"]);
    store.close().await;
}

#[tokio::test]
async fn a_database_of_an_older_schema_is_migrated_with_its_data() {
    // Schema 9's tables, which the rows below fit; every later step runs on them.
    const OLDER: u32 = 9;
    let dir = tempfile::tempdir().unwrap();
    let mut connection = Connection::open(dir.path().join(FILE_NAME)).unwrap();
    migrate_to(&mut connection, OLDER).unwrap();
    connection
        .execute_batch(
            "INSERT INTO projects VALUES ('p1', 'demo', '/tmp/demo', 5);
             INSERT INTO channels VALUES ('project:p1', 'old', 2, 0, 10);
             INSERT INTO events VALUES ('project:p1', 1, 'a', '{}', 1), ('project:p1', 2, 'b', '{}', 2);
             INSERT INTO sessions (id, project_id, status, model, permission_mode,
                 claude_session_id, created_at, total_cost_usd, usage, last_error, todos,
                 last_active_at) VALUES ('s1', 'p1', 'idle', NULL, 'default', NULL, 9, 0.5,
                 '{\"input_tokens\":0,\"output_tokens\":0,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}',
                 NULL, '[]', 9);
             INSERT INTO messages VALUES ('s1', 0, 'user-1', 'user',
                 '[{\"kind\":\"text\",\"id\":\"user-1:0\",\"text\":\"Where is the tokenizer?\"}]');
             INSERT INTO meta VALUES ('clean_shutdown', '1');",
        )
        .unwrap();
    drop(connection);
    assert_eq!(version(dir.path()), OLDER);
    let store = Store::open(dir.path(), RetentionLimits::default());
    assert_eq!(store.health().problem, None);
    assert_eq!(version(dir.path()), SCHEMA_VERSION);
    let project = &store.projects().unwrap()[0];
    assert_eq!(
        (project.name.as_str(), project.machine.as_deref()),
        ("demo", None)
    );
    let channel = &store.channels().unwrap()[0];
    assert_eq!(
        (channel.epoch.as_str(), channel.head),
        ("old", 2),
        "a clean stop keeps the epoch"
    );
    assert_eq!(
        store
            .events_after("project:p1", 0, 10)
            .unwrap()
            .unwrap()
            .events
            .len(),
        2
    );
    let migrated = &store.sessions().unwrap()[0].info;
    assert_eq!(
        (migrated.created_at, migrated.last_active_at),
        (9, 9),
        "a session from before schema 4 was last active when it was made"
    );
    assert_eq!(
        migrated.origin, None,
        "a session from before schema 5 carries on nothing"
    );
    assert_eq!(
        store.setting("remote").unwrap(),
        None,
        "schema 6 saved no choice yet"
    );
    let found = &store.search("tokenizer", 10).unwrap()[0];
    assert_eq!(
        found.message_id, "user-1",
        "schema 9 indexed what was saved"
    );
    store.close().await;
}

#[tokio::test]
async fn many_events_commit_in_few_groups_and_a_crash_changes_every_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), RetentionLimits::default());
    for offset in 1..=5_000 {
        store.append(event(
            "session:s",
            "e1",
            offset,
            "part.delta",
            r#"{"text":"token "}"#,
        ));
    }
    store.flush().await.unwrap();
    let health = store.health();
    assert_eq!(health.events_saved, 5_000);
    assert!(
        health.commits < 5_000,
        "events commit in groups: {health:?}"
    );
    // No close: the next open sees the run as crashed.
    drop(store);
    let store = Store::open(dir.path(), RetentionLimits::default());
    let channel = &store.channels().unwrap()[0];
    assert_eq!(channel.head, 5_000, "everything flushed is kept");
    assert_ne!(
        channel.epoch, "e1",
        "after a crash no client resumes the old stream"
    );
    store.close().await;
    let reopened = Store::open(dir.path(), RetentionLimits::default());
    assert_eq!(
        reopened.channels().unwrap()[0].epoch,
        channel.epoch,
        "a clean stop keeps it"
    );
    reopened.close().await;
}

#[tokio::test]
async fn retention_compacts_settled_deltas_first_then_drops_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), RetentionLimits::default());
    store.save(Row::Session(Box::new(session("s", SessionStatus::Idle))));
    let settled = r#"{"message_id":"m","part":{"kind":"text","id":"m:0","text":"ab"}}"#;
    let delta = |part: u8, text: &str| {
        format!(r#"{{"message_id":"m","part_id":"m:{part}","text":"{text}"}}"#)
    };
    store.append(event("session:s", "e", 1, "part.delta", &delta(0, "a")));
    store.append(event("session:s", "e", 2, "part.delta", &delta(0, "b")));
    store.append(event("session:s", "e", 3, "part.updated", settled));
    let open_part = delta(1, "still open");
    store.append(event("session:s", "e", 4, "part.delta", &open_part));
    store.close().await;

    let mut connection = Connection::open(dir.path().join(FILE_NAME)).unwrap();
    let size: u64 = connection
        .query_row("SELECT bytes FROM channels", [], |row| row.get(0))
        .unwrap();
    let compacting = retention::Retention::new(RetentionLimits {
        max_log_bytes: size - 1,
        ..RetentionLimits::default()
    });
    compacting.run(&mut connection).unwrap();
    let kept: Vec<u64> = connection
        .prepare("SELECT offset FROM events ORDER BY offset")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kept, vec![3, 4], "only the settled part's deltas go");
    let floor: u64 = connection
        .query_row("SELECT floor FROM channels", [], |row| row.get(0))
        .unwrap();
    assert_eq!(floor, 0, "compaction keeps every replay whole");

    let trimming = retention::Retention::new(RetentionLimits {
        max_log_bytes: 1,
        ..RetentionLimits::default()
    });
    trimming.run(&mut connection).unwrap();
    let (count, floor): (u64, u64) = connection
        .query_row(
            "SELECT (SELECT COUNT(*) FROM events), floor FROM channels",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((count, floor), (0, 4), "dropped events raise the floor");
}

/// Opens a store on a database prepared by `prepare` and checks it reports `expected`
/// and leaves the file exactly as it was.
async fn unusable(prepare: impl FnOnce(&Path), expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let file = dir.path().join(FILE_NAME);
    let before = std::fs::read(&file).unwrap();
    let store = Store::open(dir.path(), RetentionLimits::default());
    let problem = store.health().problem.unwrap_or_default();
    assert!(problem.contains(expected), "{problem}");
    store.append(event("session:s", "e", 1, "x", "{}"));
    assert!(store.flush().await.is_err(), "nothing is claimed saved");
    assert!(
        matches!(store.channels(), Err(StoreError::Unavailable)),
        "nothing is read"
    );
    store.close().await;
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the file is left as it was"
    );
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_untouched() {
    unusable(
        |dir| {
            let connection = Connection::open(dir.join(FILE_NAME)).unwrap();
            connection
                .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        },
        "written by a newer Tether",
    )
    .await;
}

#[tokio::test]
async fn a_damaged_file_is_reported_and_left_untouched() {
    unusable(
        |dir| std::fs::write(dir.join(FILE_NAME), vec![0x5a; 8192]).unwrap(),
        "damaged",
    )
    .await;
}

#[tokio::test]
async fn a_database_locked_by_another_program_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path(), RetentionLimits::default())
        .close()
        .await;
    let holder = Connection::open(dir.path().join(FILE_NAME)).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let store = Store::open(dir.path(), RetentionLimits::default());
    let problem = store.health().problem.unwrap_or_default();
    assert!(problem.contains("locked by another program"), "{problem}");
    store.close().await;
    holder.execute_batch("ROLLBACK").unwrap();
    let store = Store::open(dir.path(), RetentionLimits::default());
    assert_eq!(
        store.health().problem,
        None,
        "usable again once the lock is gone"
    );
    store.close().await;
}
