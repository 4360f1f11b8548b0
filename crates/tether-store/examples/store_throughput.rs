//! How fast the store saves a token stream: events per second through group commit, and the
//! commit latency, for one channel and for eight streaming at once. Run with
//! `cargo run --release -p tether-store --example store_throughput`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measurement tool fails loudly

use std::time::Instant;

use serde_json::value::RawValue;
use tether_store::{EventRow, RetentionLimits, Store};

const EVENTS: u64 = 200_000;

#[tokio::main]
async fn main() {
    for channels in [1_u64, 8] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), RetentionLimits::default());
        let data = RawValue::from_string(
            r#"{"message_id":"msg_01","part_id":"msg_01:0","text":"a token "}"#.to_owned(),
        )
        .unwrap();
        let now = tether_protocol::clock::unix_millis();
        let started = Instant::now();
        for n in 0..EVENTS {
            store.append(EventRow {
                channel: format!("session:{}", n % channels),
                epoch: "bench".to_owned(),
                offset: n / channels + 1,
                event: "part.delta".to_owned(),
                data: data.clone(),
                at: now,
            });
            // Stay within the writer's queue, as a paced token stream does.
            if n % 10_000 == 9_999 {
                store.flush().await.unwrap();
            }
        }
        store.flush().await.unwrap();
        let elapsed = started.elapsed();
        let health = store.health();
        println!(
            "{channels} channel(s): {EVENTS} events in {:.2} s = {:.0} events/s; {} commits, mean {:.2} ms, max {:.2} ms, lost {}",
            elapsed.as_secs_f64(),
            EVENTS as f64 / elapsed.as_secs_f64(),
            health.commits,
            health.commit_ms_mean,
            health.commit_ms_max,
            health.lost_events,
        );
        store.close().await;
    }
}
