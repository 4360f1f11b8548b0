//! Keeping the link to the hub up: dial, say hello, pass frames both ways with a heartbeat,
//! and when it drops, dial again after a backoff with jitter. A certificate that is not the
//! pinned one ends the agent: retrying cannot fix it.

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use tether_engine::machines::Agent;
use tether_protocol::machine::{AgentFrame, HubFrame, INSTANCE_HEADER};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_util::sync::CancellationToken;

use crate::target::{Target, Transport};

/// The first wait before dialing again, and the longest.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest a connection, its TLS and its upgrade may take.
const DIAL_TIMEOUT: Duration = Duration::from_secs(20);

type Socket = tokio_tungstenite::WebSocketStream<Box<dyn Transport>>;

/// Keeps the link up until `stop`; fails only when retrying cannot help (a certificate that
/// is not the pinned one).
pub async fn keep(
    target: &Target,
    token: &str,
    agent: &Arc<Agent>,
    stop: &CancellationToken,
) -> anyhow::Result<()> {
    let mut backoff = FIRST_BACKOFF;
    while !stop.is_cancelled() {
        let dialed = tokio::select! {
            dialed = tokio::time::timeout(DIAL_TIMEOUT, dial(target, token, agent.instance())) => {
                dialed.unwrap_or_else(|_| Err(anyhow!("no answer within {DIAL_TIMEOUT:?}")))
            }
            () = stop.cancelled() => break,
        };
        match dialed {
            Ok(socket) => {
                tracing::info!(hub = target.authority, "linked to the hub");
                let started = Instant::now();
                let why = serve(socket, agent, stop).await;
                tracing::warn!(hub = target.authority, %why, "the link to the hub ended");
                if started.elapsed() > MAX_BACKOFF {
                    backoff = FIRST_BACKOFF;
                }
            }
            Err(error) if is_wrong_certificate(&error) => {
                return Err(error.context(
                    "the hub's certificate is not the one pinned when pairing; if the desktop \
                     rotated it, pair again with the new fingerprint",
                ));
            }
            Err(error) => {
                tracing::warn!(hub = target.authority, "cannot link to the hub: {error:#}");
                eprintln!("tether agent: cannot link to the hub: {error:#}");
            }
        }
        let jitter = rand::rng().random_range(0.5..1.5);
        tokio::select! {
            () = tokio::time::sleep(backoff.mul_f64(jitter)) => {}
            () = stop.cancelled() => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
    Ok(())
}

async fn dial(target: &Target, token: &str, instance: &str) -> anyhow::Result<Socket> {
    let mut request = target.ws("/ws/machine")?.into_client_request()?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))?;
    request.headers_mut().insert(header::AUTHORIZATION, bearer);
    request
        .headers_mut()
        .insert(INSTANCE_HEADER, HeaderValue::from_str(instance)?);
    let stream = target.open().await?;
    let (socket, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .map_err(|error| match error {
            tokio_tungstenite::tungstenite::Error::Http(response) => anyhow!(
                "the hub refused the link ({}): {}",
                response.status(),
                response
                    .body()
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default()
            ),
            other => other.into(),
        })?;
    Ok(socket)
}

fn is_wrong_certificate(error: &anyhow::Error) -> bool {
    format!("{error:#}").contains("fingerprint")
}

/// Serves one link until it ends; returns why.
async fn serve(mut socket: Socket, agent: &Arc<Agent>, stop: &CancellationToken) -> String {
    // Read once, before the hello: a project added after this read differs from `offered`
    // and goes out with the next heartbeat.
    let mut offered = agent.projects();
    let hello = agent.hello(offered.clone()).await;
    if let Err(error) = socket.send(text(&hello)).await {
        return format!("hello failed: {error}");
    }
    let link = agent.connected();
    let limits = &agent.engine().config().limits;
    let mut heard = Instant::now();
    let mut ping = tokio::time::interval(limits.heartbeat_interval);
    loop {
        tokio::select! {
            frames = agent.next_frames(link) => {
                // Written at the hub's pace: a slow hub holds the agent's output back here.
                for frame in frames {
                    if let Err(error) = socket.feed(text(&frame)).await {
                        return format!("sending failed: {error}");
                    }
                }
                if let Err(error) = socket.flush().await {
                    return format!("sending failed: {error}");
                }
            }
            message = socket.next() => {
                heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<HubFrame>(&text) {
                        Ok(frame) => {
                            if matches!(frame, HubFrame::Refused { .. }) {
                                // A busy hub drops frames; the dropped one may have been the
                                // projects, so they go again with the next heartbeat.
                                offered.clear();
                            }
                            agent.received(frame);
                        }
                        Err(error) => tracing::warn!(%error, "the hub sent a frame this agent does not know"),
                    },
                    Some(Ok(Message::Close(close))) => {
                        return format!("the hub closed it: {close:?}");
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => return format!("reading failed: {error}"),
                    None => return "the hub went away".to_owned(),
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > limits.heartbeat_timeout {
                    return "the hub stopped answering".to_owned();
                }
                if let Err(error) = socket.send(Message::Ping(Default::default())).await {
                    return format!("ping failed: {error}");
                }
                let projects = agent.projects();
                if projects != offered {
                    offered = projects.clone();
                    if let Err(error) = socket.send(text(&AgentFrame::Projects { projects })).await {
                        return format!("sending failed: {error}");
                    }
                }
            }
            () = stop.cancelled() => {
                let _ = socket.close(None).await;
                return "the agent is stopping".to_owned();
            }
        }
    }
}

fn text(frame: &AgentFrame) -> Message {
    Message::text(serde_json::to_string(frame).unwrap_or_default())
}

#[cfg(test)]
mod tests;
