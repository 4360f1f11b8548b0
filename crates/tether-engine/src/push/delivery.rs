//! Delivering pushes, off every session's path: a bounded queue into one task, which sends
//! what [`Gather`] lets go (each push named by a Topic per session, so the push service also
//! keeps only the latest), retries 429 and 5xx with backoff (honouring `Retry-After`), drops
//! a subscription the service says is gone (404, 410), and gives up after a bound, counting it.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use reqwest::header::{HeaderValue, RETRY_AFTER};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::time::Instant;
use web_push_native::{Auth, WebPushBuilder, p256};

use super::gather::{Gather, Pending, Taken};
use crate::engine::WeakEngine;
use tether_protocol::push::NotifyKind;
use tether_store::PushRecord;

/// Pushes waiting for the task, at most; past it they are dropped and counted.
const QUEUE: usize = 256;
/// Tries of one push, the first included.
const TRIES: u32 = 5;
/// The first wait before trying again; it doubles each time, up to `LONGEST_WAIT`.
const FIRST_WAIT: Duration = Duration::from_secs(1);
const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// How long one request to a push service may take.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// How long a push service keeps a message for an offline device: an approval's as long as
/// its credential answers, the rest six hours.
const TIME_TO_LIVE: Duration = Duration::from_secs(6 * 60 * 60);

/// One push to one subscription.
#[derive(Clone)]
pub struct Job {
    pub subscription: PushRecord,
    pub session_id: String,
    pub kind: NotifyKind,
    /// The approval it may answer, if any.
    pub request_id: Option<String>,
    /// The encrypted payload's plain text: JSON with no prompt, answer or command.
    pub payload: Vec<u8>,
}

/// Where jobs go in.
#[derive(Clone)]
pub struct Outbox(mpsc::Sender<Job>);

impl Outbox {
    /// Queues `job` without waiting; false when the queue is full (the job is dropped).
    pub fn send(&self, job: Job) -> bool {
        self.0.try_send(job).is_ok()
    }
}

/// Starts the delivery task with `client`; it ends with the engine.
pub fn start(engine: WeakEngine, client: reqwest::Client) -> Outbox {
    let (sender, receiver) = mpsc::channel(QUEUE);
    tokio::spawn(run(engine, client, receiver));
    Outbox(sender)
}

/// What one try came to.
enum Outcome {
    Sent,
    /// The subscription is gone for good.
    Gone,
    /// Worth another try, no sooner than after the given wait when the service said.
    Again(Option<Duration>),
    Refused,
}

async fn run(engine: WeakEngine, client: reqwest::Client, mut jobs: mpsc::Receiver<Job>) {
    let client = Arc::new(client);
    let (done, mut finished) = mpsc::unbounded_channel::<(Pending, Outcome)>();
    let mut gather = Gather::default();
    loop {
        let now = tokio::select! {
            job = jobs.recv() => {
                let Some(job) = job else { return };
                let now = Instant::now();
                match gather.take(job, now) {
                    Taken::Now => now,
                    Taken::Held | Taken::Same => continue,
                    Taken::Full => {
                        count_failed(&engine);
                        continue;
                    }
                }
            }
            Some((waiting, outcome)) = finished.recv() => {
                let Some(engine) = engine.upgrade() else { return };
                match outcome {
                    Outcome::Again(wait) if waiting.tries < TRIES => {
                        let backoff = FIRST_WAIT.saturating_mul(1 << (waiting.tries - 1).min(16));
                        let due = Instant::now() + wait.unwrap_or(backoff).min(LONGEST_WAIT);
                        if !gather.again(waiting, due) {
                            engine.metrics().pushes_failed.add(1);
                        }
                        continue;
                    }
                    Outcome::Sent => engine.metrics().pushes_sent.add(1),
                    Outcome::Gone => {
                        let subscription = &waiting.job.subscription;
                        tracing::info!(device = %subscription.device_id, "a push subscription is gone: it is removed");
                        engine.push().drop_endpoint(&subscription.endpoint);
                        gather.forget(&subscription.endpoint);
                    }
                    Outcome::Again(_) | Outcome::Refused => engine.metrics().pushes_failed.add(1),
                }
                gather.finished(&waiting);
                continue;
            }
            () = sleep_until(gather.next_due()) => Instant::now(),
        };
        for mut waiting in gather.due(now) {
            let Some(engine) = engine.upgrade() else {
                return;
            };
            // Unsubscribed, or its device revoked, since it was queued.
            if !engine.push().holds(&waiting.job.subscription.endpoint) {
                gather.finished(&waiting);
                continue;
            }
            let Ok(vapid) = engine.push().vapid().await.cloned() else {
                engine.metrics().pushes_failed.add(1);
                gather.finished(&waiting);
                continue;
            };
            waiting.tries += 1;
            let (client, done) = (Arc::clone(&client), done.clone());
            tokio::spawn(async move {
                let outcome = try_once(&client, &vapid, &waiting.job).await;
                let _ = done.send((waiting, outcome));
            });
        }
    }
}

fn count_failed(engine: &WeakEngine) {
    if let Some(engine) = engine.upgrade() {
        engine.metrics().pushes_failed.add(1);
    }
}

async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// Encrypts and sends one push.
async fn try_once(client: &reqwest::Client, vapid: &super::VapidKey, job: &Job) -> Outcome {
    let request = match build(vapid, job) {
        Ok(request) => request,
        Err(error) => {
            tracing::warn!(%error, "a push could not be made");
            return Outcome::Refused;
        }
    };
    let sent = tokio::time::timeout(REQUEST_DEADLINE, client.execute(request)).await;
    let response = match sent {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => {
            // Without the URL: an endpoint is a capability.
            tracing::debug!(error = %error.without_url(), "a push service could not be reached");
            return Outcome::Again(None);
        }
        Err(_) => return Outcome::Again(None),
    };
    let status = response.status();
    match status {
        status if status.is_success() => Outcome::Sent,
        StatusCode::NOT_FOUND | StatusCode::GONE => Outcome::Gone,
        StatusCode::TOO_MANY_REQUESTS => {
            Outcome::Again(retry_after(response.headers().get(RETRY_AFTER)))
        }
        status if status.is_server_error() => {
            Outcome::Again(retry_after(response.headers().get(RETRY_AFTER)))
        }
        status => {
            tracing::warn!(%status, "a push service refused a push");
            Outcome::Refused
        }
    }
}

/// A `Retry-After` in seconds (the HTTP-date form counts as none).
fn retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    let seconds = value?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}

/// The encrypted, signed request for `job`: TTL, Urgency (high for approvals) and a Topic
/// named after its session, so the service keeps only the latest for it.
fn build(
    vapid: &super::VapidKey,
    job: &Job,
) -> Result<reqwest::Request, Box<dyn std::error::Error + Send + Sync>> {
    let subscription = &job.subscription;
    let key = p256::PublicKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(&subscription.p256dh)?)?;
    let auth = Auth::clone_from_slice(&URL_SAFE_NO_PAD.decode(&subscription.auth)?);
    let mut request = WebPushBuilder::new(subscription.endpoint.parse()?, key, auth)
        .with_valid_duration(match job.kind {
            NotifyKind::Approval => super::answers::VALID_FOR,
            NotifyKind::Finished | NotifyKind::Failed => TIME_TO_LIVE,
        })
        .with_vapid(vapid.key_pair(), "mailto:tether@localhost")
        .build(job.payload.clone())?;
    let urgency = match job.kind {
        NotifyKind::Approval => "high",
        NotifyKind::Failed => "normal",
        NotifyKind::Finished => "low",
    };
    let topic = URL_SAFE_NO_PAD.encode(&Sha256::digest(job.session_id.as_bytes())[..24]);
    let headers = request.headers_mut();
    headers.insert("urgency", HeaderValue::from_static(urgency));
    headers.insert("topic", HeaderValue::from_str(&topic)?);
    Ok(reqwest::Request::try_from(request)?)
}
