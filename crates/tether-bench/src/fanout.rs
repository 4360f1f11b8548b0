//! Fan-out: one session's stream to N subscribers. A burst (everything due at once) gives the
//! delivered events per second; a paced run at a fixed rate gives the latency from each
//! event's due time to its arrival at every subscriber (late publishing counts as latency).

use anyhow::{Context, Result, bail};
use futures_util::future::try_join_all;
use serde::Serialize;

use crate::client::{Socket, next_text, subscriber};
use crate::clock::now_ns;
use crate::fanout_report::FanOut;
use crate::serve::{CHANNEL, Go};
use crate::servers::{Kind, Programs, Server};
use crate::stats::{ms, percentile};

/// Time for every subscriber to be reading before the first event is due.
const LEAD_NS: u64 = 100_000_000;

#[derive(Debug, Serialize)]
pub struct Delivery {
    pub server: Kind,
    pub subscribers: usize,
    pub events: usize,
    /// Events delivered per second, summed over subscribers.
    pub delivered_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    /// Events a second each subscriber was offered (0: all at once).
    pub offered_per_sec: f64,
    /// Events the server could not save, since it started (Tether only).
    pub unsaved: u64,
}

/// The run of `server` to `subscribers` in `list`.
pub fn delivery(list: &[Delivery], server: Kind, subscribers: usize) -> Option<&Delivery> {
    list.iter()
        .find(|run| run.server == server && run.subscribers == subscribers)
}

/// Events per run for `subscribers`: two million deliveries, within 2,000 to 100,000 events.
pub fn events_for(subscribers: usize) -> usize {
    (2_000_000 / subscribers).clamp(2_000, 100_000)
}

/// Every server's burst to each count in `subscribers`, then every server's paced run at half
/// of Tether's burst rate for that count.
pub async fn measure(programs: &Programs, subscribers: &[usize]) -> Result<FanOut> {
    let mut running = Vec::new();
    for kind in Kind::ALL {
        running.push(Server::start(programs, kind).await?);
    }
    let mut burst = Vec::new();
    for &n in subscribers {
        for server in &mut running {
            eprintln!("fan-out burst: {} to {n}", server.kind.name());
            burst.push(run(server, n, events_for(n), 0).await?);
        }
    }
    let mut paced = Vec::new();
    for &n in subscribers {
        let peak = delivery(&burst, Kind::Tether, n)
            .context("no Tether burst run")?
            .delivered_per_sec;
        let interval = (2.0 * 1e9 * n as f64 / peak) as u64;
        for server in &mut running {
            eprintln!("fan-out paced: {} to {n}", server.kind.name());
            paced.push(run(server, n, events_for(n), interval).await?);
        }
    }
    for server in running {
        server.stop().await;
    }
    Ok(FanOut { burst, paced })
}

/// One run: `subscribers` follow `server` while it publishes `events` every `interval_ns`
/// (0: all at once).
pub async fn run(
    server: &mut Server,
    subscribers: usize,
    events: usize,
    interval_ns: u64,
) -> Result<Delivery> {
    let url = server.url();
    let mut sockets = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        sockets.push(subscriber(server.kind, &url, &server.token, CHANNEL).await?);
    }
    let go = Go {
        count: events,
        delay: LEAD_NS,
        interval: interval_ns,
    };
    let t0 = now_ns() + LEAD_NS;
    server.go(&go).await?;
    let readers = sockets
        .into_iter()
        .map(|socket| tokio::spawn(follow(socket, events, t0, interval_ns)));
    let arrivals = try_join_all(readers).await?;
    let unsaved = server.done().await?;
    let mut latencies = Vec::with_capacity(subscribers * events);
    let mut last = t0;
    for arrival in arrivals {
        let arrival = arrival?;
        last = last.max(arrival.last);
        latencies.extend(arrival.latencies);
    }
    latencies.sort_unstable();
    let seconds = (last - t0) as f64 / 1e9;
    Ok(Delivery {
        server: server.kind,
        subscribers,
        events,
        delivered_per_sec: (subscribers * events) as f64 / seconds.max(1e-9),
        p50_ms: ms(percentile(&latencies, 0.5)),
        p99_ms: ms(percentile(&latencies, 0.99)),
        p999_ms: ms(percentile(&latencies, 0.999)),
        offered_per_sec: if interval_ns == 0 {
            0.0
        } else {
            1e9 / interval_ns as f64
        },
        unsaved,
    })
}

struct Arrivals {
    latencies: Vec<u64>,
    last: u64,
}

/// Reads `events` event frames, each timed against its due time and checked to be the one
/// after the last; then closes.
async fn follow(mut socket: Socket, events: usize, t0: u64, interval: u64) -> Result<Arrivals> {
    let mut latencies = Vec::with_capacity(events);
    let mut last_offset = None;
    for n in 0..events {
        let text = next_text(&mut socket).await?;
        let now = now_ns();
        let offset = offset_of(&text).with_context(|| format!("expected event {n}, got {text}"))?;
        if last_offset.is_some_and(|last| offset != last + 1) {
            bail!("event {offset} came after {last_offset:?}");
        }
        last_offset = Some(offset);
        latencies.push(now.saturating_sub(t0 + n as u64 * interval));
    }
    let last = now_ns();
    let _ = socket.close(None).await;
    Ok(Arrivals { latencies, last })
}

/// The offset of an event frame (every server writes `type` first and `offset` before `data`).
fn offset_of(text: &str) -> Option<u64> {
    if !text.starts_with(r#"{"type":"event""#) {
        return None;
    }
    let (_, rest) = text.split_once(r#""offset":"#)?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    rest[..digits].parse().ok()
}
