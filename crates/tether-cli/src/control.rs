//! Calling the engine from the command line: through the control socket of a running engine
//! (speaking the same protocol as /ws), or, with none running, an engine opened for one call.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_core::auth::{Caller, KeyringVault};
use tether_core::data_dir::{DataDir, DataDirError};
use tether_core::protocol::RpcError;
use tether_core::server::control_socket_path;
use tether_core::store::Store;
use tether_core::{Config, Engine};
use tokio::net::UnixStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// How long a call to the running engine may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

pub struct ControlClient {
    socket: WebSocketStream<UnixStream>,
    next_id: i64,
}

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
        Ok(Some(Self { socket, next_id: 0 }))
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

    async fn response(&mut self, id: i64) -> anyhow::Result<Result<Value, RpcError>> {
        while let Some(message) = self.socket.next().await {
            let Message::Text(text) = message? else {
                continue;
            };
            let mut frame: Value = serde_json::from_str(&text)?;
            if frame["type"] != "response" || frame["id"] != id {
                continue;
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
