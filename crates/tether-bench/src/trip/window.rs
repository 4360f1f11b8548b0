//! A token's trip to the desktop window: the release app runs the engine, its window shows one
//! session (so its chat's IPC link follows it), and any devices follow every session. The page
//! notes when each of the shown session's token frames arrived on the link; that is the trip
//! measured. The page reads the wall clock in whole milliseconds, so each figure may read up
//! to 1 ms low.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use fantoccini::Client;
use fantoccini::wd::TimeoutConfiguration;
use serde_json::{Value, json};

use super::setup::Setup;
use super::{TripCase, measure, reader};
use crate::desktop::driven::Driven;
use crate::desktop::{app, app_log, display};
use crate::tether_process::{Engine, OUTBOUND_QUEUE};

/// The script that watches the window's link and shows a session.
const PROBE: &str = include_str!("window_probe.js");
/// Which tokens the page counts from now on, and how many make a turn.
const COUNT_FROM: &str = "Object.assign(window.tetherTrip, \
    { prefix: arguments[0], expected: arguments[1], arrived: {}, count: 0, waiting: null });";
/// Answers with the arrivals once the turn's tokens have all arrived.
const ARRIVALS: &str = "const done = arguments[0]; const trip = window.tetherTrip; \
    if (trip.count >= trip.expected) done(trip.arrived); else trip.waiting = done;";
/// How many of the turn's tokens the page has seen, of how many.
const SEEN: &str = "const trip = window.tetherTrip; \
    return { seen: trip.count, of: trip.expected, prefix: trip.prefix, shown: location.hash };";

/// A case through the desktop app `app`, with `tether` for its CLI.
pub async fn case(
    app: &Path,
    tether: &Path,
    setup: &Setup,
    sessions: usize,
    devices: usize,
) -> Result<TripCase> {
    let engine = Engine::new(tether, &setup.tapped, "trip-window")?;
    let (_xvfb, display) = display::start().await?;
    let mut env = app::env(&engine, &setup.config, setup.dir.path(), &display);
    // The devices' queues, as `tether serve` has them in the other cases.
    env.extend(OUTBOUND_QUEUE.map(|(key, value)| (key, value.into())));
    let (driven, log) = Driven::launch(app, &env).await?;
    // Its log says where the engine listens (`info`, which the other cases do not need).
    let (address, _) = app_log::read_start(log, Instant::now()).await?;
    let pid = driven.app_pid()?;
    let window = Some(&driven.window);
    let case = measure(&engine, setup, &address, pid, (sessions, devices), window).await;
    // A failed case says why, even when the app went with it.
    let quit = driven.quit().await;
    let case = case?;
    quit?;
    Ok(case)
}

/// Watches the window's link, and shows `session` in the window: the chat subscribes to it.
pub async fn show(window: &Client, session: &str) -> Result<()> {
    let waits = TimeoutConfiguration::new(Some(reader::TURN_WAIT), None, None);
    window.update_timeouts(waits).await?;
    let answer = window.execute_async(PROBE, vec![json!(session)]).await?;
    if !answer.is_null() {
        bail!("the window did not show the session: {answer}");
    }
    Ok(())
}

/// From now on the page counts tokens starting with `prefix`; `expected` make a turn.
pub async fn count_from(window: &Client, prefix: &str, expected: usize) -> Result<()> {
    window
        .execute(COUNT_FROM, vec![json!(prefix), json!(expected)])
        .await?;
    Ok(())
}

/// When each of the turn's tokens arrived in the page, in ns since the epoch, once all have
/// (for [`reader::TURN_WAIT`] at most).
pub async fn arrivals(window: &Client) -> Result<HashMap<String, u64>> {
    let arrived = match window.execute_async(ARRIVALS, vec![]).await {
        Ok(arrived) => arrived,
        Err(error) => {
            let seen = (window.execute(SEEN, vec![]).await).unwrap_or_default();
            bail!("{error}; the window saw {seen}");
        }
    };
    let Value::Object(arrived) = arrived else {
        bail!("the window answered {arrived} for its arrivals");
    };
    (arrived.into_iter())
        .map(|(token, ms)| {
            let ms = ms.as_f64().context("an arrival that is not a time")?;
            Ok((token, (ms * 1e6).round() as u64))
        })
        .collect()
}
