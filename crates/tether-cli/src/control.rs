//! Calling the engine from the command line: through the control socket of a running engine
//! (speaking the same protocol as /ws), or, with none running, an engine opened for one call.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_engine::auth::{Caller, KeyringVault};
use tether_engine::data_dir::{DataDir, DataDirError};
use tether_engine::{Config, Engine};
use tether_protocol::RpcError;
use tether_server::control_socket_path;
use tether_store::Store;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::UnixStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// How long a call to the running engine may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// A protocol client over any stream: calls, subscriptions, and the events they bring.
pub struct Client<S> {
    socket: WebSocketStream<S>,
    next_id: i64,
    /// Events that arrived while waiting for a response, in order.
    events: VecDeque<Value>,
}

/// A client on the local control socket of the engine running with a data directory.
pub type ControlClient = Client<UnixStream>;

impl ControlClient {
    /// Connects to the engine running with `data_dir`, or `None` when none is running.
    pub async fn connect(data_dir: &Path) -> anyhow::Result<Option<Self>> {
        let path = control_socket_path(data_dir);
        let stream = match UnixStream::connect(&path).await {
            Ok(stream) => stream,
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
                ) =>
            {
                return Ok(None);
            }
            Err(error) => {
                return Err(error).with_context(|| format!("cannot open {}", path.display()));
            }
        };
        let (socket, _) = tokio_tungstenite::client_async("ws://localhost/ws", stream)
            .await
            .context("the running engine refused the control connection")?;
        Ok(Some(Self::new(socket)))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub fn new(socket: WebSocketStream<S>) -> Self {
        Self {
            socket,
            next_id: 0,
            events: VecDeque::new(),
        }
    }

    /// Subscribes to `channels` from now on, and waits until the server confirms.
    pub async fn subscribe(&mut self, channels: &[&str]) -> anyhow::Result<()> {
        self.next_id += 1;
        let id = self.next_id;
        let frame = json!({ "type": "subscribe", "id": id, "channels": channels });
        self.socket.send(Message::text(frame.to_string())).await?;
        match tokio::time::timeout(CALL_TIMEOUT, self.response(id)).await {
            Ok(Ok(Ok(_))) => Ok(()),
            Ok(Ok(Err(error))) => bail!("cannot subscribe: {}", error.message),
            Ok(Err(error)) => Err(error),
            Err(_) => bail!("the engine did not confirm the subscription in time"),
        }
    }

    /// The next event frame from a subscription, or `None` when the connection closed.
    pub async fn next_event(&mut self) -> anyhow::Result<Option<Value>> {
        if let Some(event) = self.events.pop_front() {
            return Ok(Some(event));
        }
        while let Some(message) = self.socket.next().await {
            let Message::Text(text) = message? else {
                continue;
            };
            let frame: Value = serde_json::from_str(&text)?;
            if frame["type"] == "event" {
                return Ok(Some(frame));
            }
        }
        Ok(None)
    }

    /// Calls one method and waits for its response, skipping any other frame.
    pub async fn call(
        &mut self,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Result<Value, RpcError>> {
        self.next_id += 1;
        let id = self.next_id;
        let request = json!({ "type": "request", "id": id, "method": method, "params": params });
        self.socket.send(Message::text(request.to_string())).await?;
        tokio::time::timeout(CALL_TIMEOUT, self.response(id))
            .await
            .context("the running engine did not answer in time")?
    }

    /// Ends the conversation with a close handshake.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    /// The response (or `subscribed`) with `id`, keeping events that arrive meanwhile.
    async fn response(&mut self, id: i64) -> anyhow::Result<Result<Value, RpcError>> {
        while let Some(message) = self.socket.next().await {
            let Message::Text(text) = message? else {
                continue;
            };
            let mut frame: Value = serde_json::from_str(&text)?;
            if frame["type"] == "event" {
                self.events.push_back(frame);
                continue;
            }
            if frame["id"] != id {
                continue;
            }
            if frame["type"] == "subscribed" {
                return Ok(Ok(frame));
            }
            if let Some(error) = frame.get_mut("error").map(Value::take) {
                return Ok(Err(serde_json::from_value(error)?));
            }
            return Ok(Ok(frame["result"].take()));
        }
        bail!("the running engine closed the connection")
    }
}

/// Calls the running engine when there is one; otherwise claims the data directory (so no
/// engine starts meanwhile) and opens an engine here for this one call.
pub async fn call(
    config: &Config,
    method: &str,
    params: Value,
) -> anyhow::Result<Result<Value, RpcError>> {
    if let Some(mut client) = ControlClient::connect(&config.data_dir).await? {
        let result = client.call(method, params).await;
        client.close().await;
        return result;
    }
    let claim = DataDir::claim(&config.data_dir).map_err(|error| match error {
        DataDirError::InUse(dir) => anyhow!(
            "an engine is running with {} but does not answer on its control socket; restart it",
            dir.display()
        ),
        other => other.into(),
    })?;
    let vault = Arc::new(KeyringVault::new(&config.keyring_service));
    let store = Store::open(claim.path(), config.store.clone());
    let engine = Engine::open(config.clone(), vault, store).await?;
    let result = engine.dispatch(&Caller::Local, method, Some(params)).await;
    engine.shutdown().await;
    Ok(result)
}

/// Prints `prompt` and reads one line from standard input (empty at its end).
pub async fn ask(prompt: &str) -> anyhow::Result<String> {
    use std::io::Write as _;
    print!("{prompt}");
    std::io::stdout().flush()?;
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    })
    .await?
    .context("cannot read the terminal")
}
