//! Connection actor tests over an in-memory socket, under paused time: heartbeat and goodbyes.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Sink, Stream};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{PeerFrame, PeerGone, Protocol, ServerMessage, run};
use tether_engine::auth::{Caller, SecretVault, VaultError};
use tether_engine::config::{Config, Limits};
use tether_engine::engine::Engine;
use tether_store::{RetentionLimits, Store};

/// An empty keyring that refuses writes (these tests only use the trusted local caller).
struct NoTokens;

impl SecretVault for NoTokens {
    fn get(&self, _: &str) -> Result<Option<String>, VaultError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &str) -> Result<(), VaultError> {
        Err(VaultError::Unreachable("read-only in this test".into()))
    }
    fn delete(&self, _: &str) -> Result<(), VaultError> {
        Err(VaultError::Unreachable("read-only in this test".into()))
    }
}

/// One end of an in-memory WebSocket: what the test sends in, what the server writes out.
struct FakeSocket {
    inbound: mpsc::UnboundedReceiver<PeerFrame>,
    outbound: mpsc::UnboundedSender<ServerMessage>,
    /// After this many frames written, the peer stops reading: every further write hangs.
    writable: usize,
}

impl Stream for FakeSocket {
    type Item = PeerFrame;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inbound.poll_recv(cx)
    }
}

impl Sink<ServerMessage> for FakeSocket {
    type Error = PeerGone;
    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.writable == 0 {
            Poll::Pending
        } else {
            Poll::Ready(Ok(()))
        }
    }
    fn start_send(mut self: Pin<&mut Self>, item: ServerMessage) -> Result<(), Self::Error> {
        self.writable -= 1;
        self.outbound.send(item).map_err(|_| PeerGone)
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}

struct Harness {
    to_server: mpsc::UnboundedSender<PeerFrame>,
    from_server: mpsc::UnboundedReceiver<ServerMessage>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    _data: tempfile::TempDir,
}

async fn connect() -> Harness {
    connect_writable(usize::MAX).await
}

async fn connect_writable(writable: usize) -> Harness {
    let limits = Limits {
        heartbeat_interval: Duration::from_secs(20),
        heartbeat_timeout: Duration::from_secs(60),
        ..Limits::default()
    };
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(
        Config {
            limits,
            data_dir: data.path().to_path_buf(),
            ..Config::default()
        },
        Arc::new(NoTokens),
        Store::open(data.path(), RetentionLimits::default()),
    )
    .await
    .unwrap();
    let (to_server, inbound) = mpsc::unbounded_channel();
    let (outbound, from_server) = mpsc::unbounded_channel();
    let stop = CancellationToken::new();
    let task = tokio::spawn(run(
        FakeSocket {
            inbound,
            outbound,
            writable,
        },
        engine.clone(),
        Caller::Local,
        None,
        stop.clone(),
        move |outbox: &_| Protocol::greet(engine, Caller::Local, outbox),
    ));
    let mut harness = Harness {
        to_server,
        from_server,
        stop,
        task,
        _data: data,
    };
    let welcome = harness.next().await;
    assert!(
        matches!(&welcome, ServerMessage::Text(text) if text.as_str().contains(r#""type":"welcome""#)),
        "{welcome:?}"
    );
    harness
}

impl Harness {
    async fn next(&mut self) -> ServerMessage {
        self.from_server
            .recv()
            .await
            .expect("the server hung up without a close frame")
    }

    /// Reads until the close frame; returns its code and how many pings came before it.
    async fn close_code(&mut self) -> (u16, usize) {
        let mut pings = 0;
        loop {
            match self.next().await {
                ServerMessage::Close(reason) => return (reason.code(), pings),
                ServerMessage::Ping => pings += 1,
                _ => {}
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_peer_is_pinged_then_closed_with_4003() {
    let mut harness = connect().await;
    let started = Instant::now();
    let (code, pings) = harness.close_code().await;
    assert_eq!(code, 4003);
    assert_eq!(pings, 3, "pinged at 20 s, 40 s and 60 s");
    let waited = started.elapsed();
    assert!(
        waited > Duration::from_secs(60) && waited <= Duration::from_secs(80),
        "closed after {waited:?}"
    );
    harness.task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_answers_pings_stays_connected() {
    let mut harness = connect().await;
    for _ in 0..10 {
        match harness.next().await {
            ServerMessage::Ping => harness.to_server.send(PeerFrame::Heartbeat).unwrap(),
            other => panic!("expected a ping, got {other:?}"),
        }
    }
    assert!(
        !harness.task.is_finished(),
        "200 s of answered pings keep the connection"
    );
    harness.to_server.send(PeerFrame::Close).unwrap();
    assert_eq!(harness.close_code().await.0, 1000);
    harness.task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn server_shutdown_says_going_away() {
    let mut harness = connect().await;
    harness.stop.cancel();
    assert_eq!(harness.close_code().await.0, 1001);
    harness.task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn requests_are_answered_in_order_with_their_ids() {
    let mut harness = connect().await;
    for id in 1..=3 {
        let frame = format!(r#"{{"type":"request","id":{id},"method":"system.info"}}"#);
        harness.to_server.send(PeerFrame::Text(frame)).unwrap();
    }
    for id in 1..=3 {
        let ServerMessage::Text(text) = harness.next().await else {
            panic!("expected text")
        };
        let frame: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
        assert_eq!(
            (frame["type"].as_str(), frame["id"].as_i64()),
            (Some("response"), Some(id))
        );
        assert_eq!(frame["result"]["protocol"], 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_stops_reading_is_dropped_after_the_heartbeat_timeout() {
    // Only the welcome gets through; the answer to this request can never be written.
    let harness = connect_writable(1).await;
    let started = Instant::now();
    let frame = r#"{"type":"request","id":1,"method":"system.info"}"#;
    harness
        .to_server
        .send(PeerFrame::Text(frame.to_owned()))
        .unwrap();
    tokio::time::timeout(Duration::from_secs(600), harness.task)
        .await
        .expect("the connection hung on a write forever")
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(60) && waited < Duration::from_secs(70),
        "gave up after {waited:?}"
    );
}
