//! The test harness: a real server on 127.0.0.1:0 with the real OS keyring, and WebSocket clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_engine::auth::{Caller, KeyringVault};
use tether_engine::{Config, Engine};
use tether_protocol::ChannelName;
use tether_protocol::events::EncodedEvent;
use tether_store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Request, Response};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

/// The longest any single wait in these tests may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// Awaits `future` for at most [`WAIT`] in all. A wait that reads many frames is bounded as a
/// whole: bounded per frame, each of the server's pings started the clock again, and a frame
/// that never came was waited for forever.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: not within {WAIT:?}"))
}

/// The most frames any loop in these tests reads while waiting for one.
pub const MAX_FRAMES: usize = 100_000;

pub struct TestServer {
    pub addr: SocketAddr,
    pub engine: Engine,
    stop: CancellationToken,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _data: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server whose settings `adjust` may change; its secrets live under a keyring
    /// service name of its own (in the test run's throwaway keyring).
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let data = tempfile::tempdir().unwrap();
        let service = format!("tether-test-{:016x}", rand_u64());
        let mut config = Config {
            port: 0,
            keyring_service: service.clone(),
            data_dir: data.path().to_path_buf(),
            ..Config::default()
        };
        // Claude Code's folder is the test's own, never the real `~/.claude`.
        let claude_config = data.path().join("claude");
        config.claude.env.insert(
            "CLAUDE_CONFIG_DIR".to_owned(),
            claude_config.display().to_string(),
        );
        adjust(&mut config);
        Self::serve(config, data).await
    }

    /// Stops this server and starts another on the same data directory, keyring service and
    /// settings (on a new port).
    pub async fn restart(mut self) -> Self {
        self.shutdown().await;
        let config = self.engine.config().clone();
        let data = std::mem::replace(&mut self._data, tempfile::tempdir().unwrap());
        drop(self);
        Self::serve(config, data).await
    }

    /// Opens an engine with `config` (whose data directory `data` holds) and serves it.
    async fn serve(config: Config, data: tempfile::TempDir) -> Self {
        let service = config.keyring_service.clone();
        let vault = Arc::new(KeyringVault::new(&service));
        let store = Store::open(data.path(), config.store.clone());
        let engine = Engine::open(config, vault, store)
            .await
            .expect("the OS keyring must be reachable: run the tests through scripts/with-keyring.sh (make test does)");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Known before the first request, as `serve` would record it once it runs.
        engine.set_local_address(addr);
        let stop = CancellationToken::new();
        let served = tokio::spawn(tether_server::serve(
            listener,
            engine.clone(),
            stop.clone().cancelled_owned(),
        ));
        Self {
            addr,
            engine,
            stop,
            served: Some(served),
            _data: data,
        }
    }

    /// Adds a device through the same RPC the desktop uses; returns its id and token.
    pub async fn token(&self, name: &str) -> (String, String) {
        let created = self
            .engine
            .dispatch(
                &Caller::Local,
                "devices.create",
                Some(json!({ "name": name })),
            )
            .await
            .unwrap();
        (
            created["device"]["id"].as_str().unwrap().to_owned(),
            created["token"].as_str().unwrap().to_owned(),
        )
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// A handshake request to /ws carrying `token` as a bearer header.
    pub fn request(&self, token: &str) -> Request<()> {
        let mut request = self.url().into_client_request().unwrap();
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        request
    }

    pub async fn connect(&self, token: &str) -> Client {
        self.connect_with(self.request(token))
            .await
            .expect("handshake refused")
    }

    pub async fn connect_with(&self, request: Request<()>) -> Result<Client, WsError> {
        open(request).await
    }

    /// Publishes an event of any name and data on `channel`; returns its offset.
    pub fn publish(&self, channel: &ChannelName, event: &str, data: &Value) -> u64 {
        let event = EncodedEvent::new(channel, event, data).unwrap();
        self.engine.hub().publish(channel, &event).unwrap()
    }

    /// Stops the server and every session (as `launch` does), and waits until every task has ended.
    pub async fn shutdown(&mut self) {
        self.stop.cancel();
        if let Some(served) = self.served.take() {
            tokio::time::timeout(WAIT, served)
                .await
                .expect("shutdown hung")
                .unwrap()
                .unwrap();
        }
        tokio::time::timeout(WAIT, self.engine.shutdown())
            .await
            .expect("sessions did not stop");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

pub struct Client {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub response: Response<Option<Vec<u8>>>,
}

impl Client {
    pub async fn send_json(&mut self, frame: Value) {
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::text(text.to_owned()))
            .await
            .unwrap();
    }

    /// The next message of any kind (pings included), bounded by `WAIT`.
    pub async fn next_message(&mut self) -> Option<Message> {
        tokio::time::timeout(WAIT, self.socket.next())
            .await
            .expect("no frame arrived in time")
            .map(|message| message.unwrap())
    }

    /// The next text frame as JSON; panics on a close.
    pub async fn next_json(&mut self) -> Value {
        let text = async {
            for _ in 0..MAX_FRAMES {
                match self.socket.next().await.map(Result::unwrap) {
                    Some(Message::Text(text)) => return serde_json::from_str(&text).unwrap(),
                    Some(Message::Close(frame)) => {
                        panic!("closed while a frame was expected: {frame:?}")
                    }
                    Some(_) => {}
                    None => panic!("the connection ended while a frame was expected"),
                }
            }
            panic!("more than {MAX_FRAMES} frames without the one awaited");
        };
        within("a text frame", text).await
    }

    /// Sends a request and returns its response frame.
    pub async fn call(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send_json(json!({ "type": "request", "id": id, "method": method, "params": params }))
            .await;
        let response = self.next_json().await;
        assert_eq!(
            (response["type"].as_str(), response["id"].as_i64()),
            (Some("response"), Some(id)),
            "{response}"
        );
        response
    }

    /// Reads until the server's close frame and returns its code (events before it are skipped).
    pub async fn close_code(&mut self) -> u16 {
        let close = async {
            for _ in 0..MAX_FRAMES {
                match self.socket.next().await {
                    Some(Ok(Message::Close(frame))) => {
                        return frame.map_or(1005, |frame| frame.code.into());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => {
                        panic!("the connection failed instead of closing: {error}")
                    }
                    None => panic!("the connection ended without a close frame"),
                }
            }
            panic!("more than {MAX_FRAMES} frames without the one awaited");
        };
        within("a close frame", close).await
    }
}

/// Opens a WebSocket with `request` (which names the server) and reads its welcome.
pub async fn open(request: Request<()>) -> Result<Client, WsError> {
    let (socket, response) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .expect("handshake timed out")?;
    let mut client = Client { socket, response };
    let welcome = client.next_json().await;
    assert_eq!(welcome["type"], "welcome", "the first frame is welcome");
    Ok(client)
}

/// Sends a raw HTTP/1.1 request and returns the status code and body.
pub async fn raw_http(addr: SocketAddr, request: &str) -> (u16, String) {
    let (status, _, body) = raw_http_with_head(addr, request).await;
    (status, body)
}

/// Like [`raw_http`], with the response's head (status line and headers) too.
pub async fn raw_http_with_head(addr: SocketAddr, request: &str) -> (u16, String, String) {
    http_over(TcpStream::connect(addr).await.unwrap(), request).await
}

/// Like [`raw_http`], from the loopback source address `from` (such as 127.0.0.2).
pub async fn raw_http_from(from: [u8; 4], addr: SocketAddr, request: &str) -> (u16, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((from, 0).into()).unwrap();
    let (status, _, body) = http_over(socket.connect(addr).await.unwrap(), request).await;
    (status, body)
}

/// Sends `request` on `stream` and reads the whole response: status, head and body.
async fn http_over(mut stream: TcpStream, request: &str) -> (u16, String, String) {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("no HTTP response in time")
        .unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (status, head.to_owned(), body.to_owned())
}

/// The HTTP status of a refused handshake.
pub fn refused_status(result: Result<Client, WsError>) -> (u16, Value) {
    match result {
        Err(WsError::Http(response)) => {
            let body = response
                .body()
                .as_deref()
                .map(|body| serde_json::from_slice(body).unwrap())
                .unwrap_or(Value::Null);
            (response.status().as_u16(), body)
        }
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected the handshake to be refused"),
    }
}

/// POSTs a JSON body to `path` and returns the status and the JSON answer.
pub async fn post_json(addr: SocketAddr, path: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, answer) = raw_http(addr, &request).await;
    (status, serde_json::from_str(&answer).unwrap_or(Value::Null))
}

/// Reads frames until an event named `name` arrives, and returns it.
pub async fn next_event(client: &mut Client, name: &str) -> Value {
    let arrived = async {
        for _ in 0..MAX_FRAMES {
            let frame = client.next_json().await;
            if frame["type"] == "event" && frame["event"] == name {
                return frame;
            }
        }
        panic!("more than {MAX_FRAMES} frames without the event {name}");
    };
    within(name, arrived).await
}
