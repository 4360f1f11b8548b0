//! Chaos: 200 subscribers follow a session streaming 100,000 events through random
//! disconnect/reconnect storms (and the slow-consumer cut-offs they cause); every one of them
//! ends with exactly the full ordered sequence, caught up from memory, the saved log or
//! `events.history` pages. `make test` runs it optimized; `make chaos` runs it larger
//! (`TETHER_CHAOS_FOLLOWERS`, `TETHER_CHAOS_EVENTS`, `TETHER_CHAOS_RATE`).

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::{Value, json};
use tether_protocol::ChannelName;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::http::Request;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::common::{Client, MAX_FRAMES, TestServer, WAIT, open};

/// Storms the publisher raises during the stream.
const STORMS: u64 = 12;
/// The whole run, connecting and catching up included, must end within this.
const DEADLINE: Duration = Duration::from_secs(600);
/// The most connections one follower may open (its reconnects are bounded too).
const MAX_CONNECTS: u32 = 500;
/// The channel the session streams on.
const CHANNEL: &str = "session:chaos";

/// The parts of an event frame a follower checks.
#[derive(Deserialize)]
struct EventFrame {
    offset: u64,
    data: Payload,
}

#[derive(Deserialize)]
struct Payload {
    n: u64,
}

/// One subscriber: follows the channel from offset 0 to `end` over as many connections as
/// the chaos costs it, checking that each event is exactly the one after the last.
struct Follower {
    request: Request<()>,
    dice: StdRng,
    storms: watch::Receiver<u64>,
    /// The last event of the stream.
    end: u64,
    epoch: Option<String>,
    have: u64,
    next_id: i64,
}

impl Follower {
    /// Follows to the end; returns how many connections it took.
    async fn run(mut self) -> u32 {
        for connects in 1..=MAX_CONNECTS {
            let client = open(self.request.clone())
                .await
                .expect("the server refused a reconnect");
            self.follow(client).await;
            if self.have >= self.end {
                return connects;
            }
        }
        panic!(
            "a follower reconnected {MAX_CONNECTS} times without finishing (at {})",
            self.have
        );
    }

    /// Subscribes from where this follower is, fills any gap through `events.history` while
    /// buffering the live events, then reads live until it has everything, drops its socket
    /// (a storm or its own whim), or is cut off.
    async fn follow(&mut self, mut client: Client) {
        let since = self
            .epoch
            .as_ref()
            .map(|epoch| json!({ CHANNEL: { "epoch": epoch, "offset": self.have } }));
        let mut subscribe = json!({ "type": "subscribe", "id": 0, "channels": [CHANNEL] });
        if let Some(since) = since {
            subscribe["since"] = since;
        }
        client.send_json(subscribe).await;
        let Some(subscribed) = next_text(&mut client).await else {
            return;
        };
        let subscribed: Value = serde_json::from_str(&subscribed).unwrap();
        assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
        let state = &subscribed["channels"][0];
        let epoch = state["epoch"].as_str().unwrap().to_owned();
        if let Some(known) = &self.epoch {
            assert_eq!(known, &epoch, "the stream's epoch never changes here");
        }
        self.epoch = Some(epoch);
        if state["recovered"] != true {
            let head = state["offset"].as_u64().unwrap();
            if !self.page_to(&mut client, head).await {
                return;
            }
        }
        // Each connection also drops on its own now and then.
        let whim = self.have + 2_000 + self.dice.random_range(0..30_000);
        self.storms.mark_unchanged();
        while self.have < self.end {
            tokio::select! {
                text = next_text(&mut client) => {
                    let Some(text) = text else {
                        return;
                    };
                    assert!(is_event(&text), "only events arrive after subscribing: {text}");
                    self.apply(&serde_json::from_str(&text).unwrap());
                }
                _ = self.storms.changed() => {
                    if self.dice.random_range(0..100) < 60 {
                        return;
                    }
                }
            }
            if self.have >= whim {
                return;
            }
        }
    }

    /// Pages `events.history` until this follower has every event through `head`; live events
    /// that arrive meanwhile are kept and applied after. False when the connection ended.
    async fn page_to(&mut self, client: &mut Client, head: u64) -> bool {
        let mut live = Vec::new();
        while self.have < head {
            self.next_id += 1;
            let id = self.next_id;
            let since = json!({ "epoch": self.epoch, "offset": self.have });
            // Up to the subscribed head only: what follows it arrives live.
            let limit = (head - self.have).min(1000);
            client
                .send_json(json!({ "type": "request", "id": id, "method": "events.history", "params": { "channel": CHANNEL, "since": since, "limit": limit } }))
                .await;
            let Some(page) = history_page(client, id, &mut live).await else {
                return false;
            };
            if page["recovered"] != true {
                // The saved log has not caught up with what memory dropped: start over.
                return false;
            }
            assert!(
                !page["events"].as_array().unwrap().is_empty(),
                "a page moves on: {page}"
            );
            for event in page["events"].as_array().unwrap() {
                let event: EventFrame = serde_json::from_value(event.clone()).unwrap();
                self.apply(&event);
            }
        }
        for text in live {
            let event: EventFrame = serde_json::from_str(&text).unwrap();
            self.apply(&event);
        }
        true
    }

    /// The event must be exactly the one after the last: no gap, no repeat, the right payload.
    fn apply(&mut self, event: &EventFrame) {
        assert_eq!(
            event.offset,
            self.have + 1,
            "gap or repeat after {}",
            self.have
        );
        assert_eq!(
            event.data.n, event.offset,
            "event {} carries its own payload",
            event.offset
        );
        self.have = event.offset;
    }
}

/// The answer to history request `id`, keeping the live events that arrive before it in
/// `live`; `None` when the connection ended.
async fn history_page(client: &mut Client, id: i64, live: &mut Vec<String>) -> Option<Value> {
    for _ in 0..MAX_FRAMES {
        let text = next_text(client).await?;
        if is_event(&text) {
            live.push(text);
            continue;
        }
        let mut frame: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(frame["id"], id, "{frame}");
        assert!(frame["error"].is_null(), "events.history failed: {frame}");
        return Some(frame["result"].take());
    }
    panic!("more than {MAX_FRAMES} frames without the history page");
}

/// The next text frame, or `None` when the server cut this slow consumer off (with 4002; or,
/// rarely, a reset when the follower wrote to a socket the server had just given up on).
async fn next_text(client: &mut Client) -> Option<String> {
    for _ in 0..MAX_FRAMES {
        let message = tokio::time::timeout(WAIT, client.socket.next())
            .await
            .expect("no frame arrived in time");
        match message {
            Some(Ok(Message::Text(text))) => return Some(text.as_str().to_owned()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(Message::Close(frame))) => {
                let code = frame.map(|frame| u16::from(frame.code));
                assert_eq!(code, Some(4002), "only a slow consumer is cut off");
                return None;
            }
            Some(Err(WsError::Io(error))) if error.kind() == ErrorKind::ConnectionReset => {
                return None;
            }
            other => panic!("the connection failed: {other:?}"),
        }
    }
    panic!("more than {MAX_FRAMES} pings in a row");
}

fn is_event(text: &str) -> bool {
    text.starts_with(r#"{"type":"event""#)
}

/// A count from the environment (for `make chaos`), or the default.
fn scale(variable: &str, default: u64) -> u64 {
    std::env::var(variable)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "20 million deliveries: make test runs it optimized and alone (scripts/test.sh)"]
async fn a_crowd_of_followers_gets_every_event_exactly_through_reconnect_storms() {
    let followers = scale("TETHER_CHAOS_FOLLOWERS", 200) as usize;
    let events = scale("TETHER_CHAOS_EVENTS", 100_000);
    // Events a second, published in 2 ms ticks (so in steps of 500): 2,500 is far above any
    // model's token rate.
    let per_tick = (scale("TETHER_CHAOS_RATE", 2_500) / 500).max(1);
    let seed = rand::random::<u64>();
    println!("chaos seed {seed}");
    let mut dice = StdRng::seed_from_u64(seed);
    let server = TestServer::start_with(|config| {
        // One token for the whole crowd, with room for sockets the server has not yet seen close.
        config.limits.max_connections_per_device = 4 * followers;
        config.limits.max_connections = 4 * followers + 64;
    })
    .await;
    let (_, token) = server.token("crowd").await;
    let (storm_tx, storms) = watch::channel(0);
    let started = Instant::now();
    let mut crowd = JoinSet::new();
    for index in 0..followers {
        let follower = Follower {
            request: server.request(&token),
            dice: StdRng::seed_from_u64(seed.wrapping_add(index as u64 + 1)),
            storms: storms.clone(),
            end: events,
            epoch: None,
            have: 0,
            next_id: 0,
        };
        crowd.spawn(follower.run());
    }

    let channel = ChannelName::parse(CHANNEL).unwrap();
    let storm_every = (events / STORMS).max(1);
    let mut next_storm = storm_every / 2 + dice.random_range(0..storm_every);
    let mut ticks = tokio::time::interval(Duration::from_millis(2));
    let mut published = 0;
    while published < events {
        ticks.tick().await;
        for _ in 0..per_tick.min(events - published) {
            published += 1;
            let data = json!({ "n": published, "text": "chaos " });
            server.publish(&channel, "part.delta", &data);
        }
        if published >= next_storm {
            storm_tx.send_modify(|storm| *storm += 1);
            next_storm += storm_every / 2 + dice.random_range(0..storm_every);
        }
    }
    let publishing = started.elapsed();

    let mut connects = Vec::with_capacity(followers);
    let all = tokio::time::timeout(DEADLINE, async {
        while let Some(done) = crowd.join_next().await {
            connects.push(done.unwrap());
        }
    });
    all.await.expect("the followers did not finish in time");
    let storms = *storm_tx.borrow();
    let reconnects: u32 = connects.iter().map(|opened| opened - 1).sum();
    println!(
        "{followers} followers × {events} events: published in {publishing:?}, all complete after {:?}; {storms} storms, {reconnects} reconnects, at most {} by one follower",
        started.elapsed(),
        connects.iter().max().unwrap() - 1
    );
    assert!(
        storms >= STORMS / 2,
        "seed {seed}: the storms happened ({storms})"
    );
    assert!(
        u64::from(reconnects) >= storms * followers as u64 / 4,
        "seed {seed}: the storms dropped connections ({reconnects})"
    );
}
