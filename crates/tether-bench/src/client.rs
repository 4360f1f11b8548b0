//! The bench's WebSocket clients: connect with the bearer token, read the welcome, and for
//! Tether subscribe to the bench channel (the peers put every connection on it at once).

use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::servers::Kind;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The longest wait for a server's next step: an upgrade, a frame.
const WAIT: Duration = Duration::from_secs(60);

/// An authenticated connection that has had its welcome.
pub async fn connect(url: &str, token: &str) -> Result<Socket> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}"))?,
    );
    // Nagle's algorithm off, as the engine has it on its side: requests go out at once.
    let upgrade = tokio_tungstenite::connect_async_with_config(request, None, true);
    let (mut socket, _) = tokio::time::timeout(WAIT, upgrade)
        .await
        .context("no upgrade within a minute")??;
    let welcome = next_text(&mut socket).await?;
    if !welcome.starts_with(r#"{"type":"welcome""#) {
        bail!("expected a welcome, got {welcome}");
    }
    Ok(socket)
}

/// A connection that follows the bench channel live.
pub async fn subscriber(kind: Kind, url: &str, token: &str, channel: &str) -> Result<Socket> {
    let mut socket = connect(url, token).await?;
    if kind == Kind::Tether {
        let subscribe = format!(r#"{{"type":"subscribe","id":1,"channels":["{channel}"]}}"#);
        socket.send(Message::text(subscribe)).await?;
        let subscribed = next_text(&mut socket).await?;
        if !subscribed.starts_with(r#"{"type":"subscribed""#) {
            bail!("expected subscribed, got {subscribed}");
        }
    }
    Ok(socket)
}

/// The next text frame (pings are answered by the library and skipped here).
pub async fn next_text(socket: &mut Socket) -> Result<String> {
    for _ in 0..1_000 {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .context("no frame within a minute")?
            .context("the connection ended")??;
        match message {
            Message::Text(text) => return Ok(text.as_str().to_owned()),
            Message::Close(frame) => bail!("closed: {frame:?}"),
            _ => {}
        }
    }
    bail!("a thousand control frames in a row")
}
