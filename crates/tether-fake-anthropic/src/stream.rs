//! The streaming response body: a list of [`Step`]s played in order, with pauses and stalls.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// One thing the body does next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// Write these bytes (one SSE event).
    Send(Bytes),
    /// Wait this long (the fake's own pacing).
    Pause(Duration),
    /// Wait until `release_stalls` is called.
    Stall,
}

/// What can interrupt a body: a release (ends a stall) and the fake's shutdown (aborts the body).
pub(crate) struct Controls {
    pub(crate) releases: watch::Receiver<u64>,
    pub(crate) shutdown: CancellationToken,
}

struct Playback {
    steps: VecDeque<Step>,
    controls: Controls,
}

type Item = Result<Bytes, io::Error>;

/// A body that plays `steps`. On shutdown it fails, so the connection is cut mid-stream.
pub(crate) fn body(steps: Vec<Step>, controls: Controls) -> Body {
    let start = Playback {
        steps: steps.into(),
        controls,
    };
    Body::from_stream(futures_util::stream::unfold(Some(start), advance))
}

fn aborted() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "fake anthropic shut down")
}

/// Runs steps until the next bytes to send; `None` state means the body already failed.
async fn advance(state: Option<Playback>) -> Option<(Item, Option<Playback>)> {
    let mut playback = state?;
    while let Some(step) = playback.steps.pop_front() {
        let Controls { releases, shutdown } = &mut playback.controls;
        match step {
            Step::Send(bytes) => return Some((Ok(bytes), Some(playback))),
            Step::Pause(delay) => {
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = shutdown.cancelled() => return Some((Err(aborted()), None)),
                }
            }
            Step::Stall => {
                tokio::select! {
                    changed = releases.changed() => {
                        if changed.is_err() {
                            return Some((Err(aborted()), None));
                        }
                    }
                    () = shutdown.cancelled() => return Some((Err(aborted()), None)),
                }
            }
        }
    }
    None
}
