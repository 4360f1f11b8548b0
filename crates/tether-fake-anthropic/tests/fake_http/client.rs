//! A tiny HTTP/1.0 client over a raw socket, so tests see exactly the bytes the fake writes.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// The longest any single read or connect may take.
pub const STEP: Duration = Duration::from_secs(10);

/// An open request whose response is being read.
pub struct Exchange {
    stream: TcpStream,
    pub received: Vec<u8>,
}

/// A whole response.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Response {
    /// A header value by (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The `data:` JSON of every SSE event, in order.
    pub fn events(&self) -> Vec<Value> {
        sse_events(&self.body)
    }
}

pub fn sse_events(body: &str) -> Vec<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).expect("SSE data is JSON"))
        .collect()
}

/// Send `method path` with an optional JSON body.
pub async fn send(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Exchange {
    let mut stream = timeout(STEP, TcpStream::connect(addr))
        .await
        .expect("connect timed out")
        .expect("connect failed");
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.0\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         x-api-key: sk-test\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request write");
    Exchange {
        stream,
        received: Vec::new(),
    }
}

/// `POST /v1/messages?beta=true` with a minimal streaming body.
pub async fn post_messages(addr: SocketAddr, model: &str) -> Exchange {
    let body = serde_json::json!({
        "model": model,
        "stream": true,
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}]
    });
    send(addr, "POST", "/v1/messages?beta=true", Some(&body)).await
}

/// The most reads `read_until` makes before giving up.
const MAX_READS: usize = 100_000;

impl Exchange {
    /// Read until `needle` shows up in what was received (bounded per read).
    pub async fn read_until(&mut self, needle: &str) {
        let mut chunk = [0_u8; 4096];
        let mut reads = 0;
        while !String::from_utf8_lossy(&self.received).contains(needle) {
            reads += 1;
            assert!(reads <= MAX_READS, "no {needle:?} within {MAX_READS} reads");
            let n = timeout(STEP, self.stream.read(&mut chunk))
                .await
                .unwrap_or_else(|_| panic!("no {needle:?} within {STEP:?}"))
                .expect("read failed");
            assert!(n > 0, "connection closed before {needle:?}");
            self.received.extend_from_slice(&chunk[..n]);
        }
    }

    /// Whether more bytes arrive within `window` (a negative check, so a short real wait).
    pub async fn quiet_for(&mut self, window: Duration) -> bool {
        let mut chunk = [0_u8; 4096];
        match timeout(window, self.stream.read(&mut chunk)).await {
            Err(_) => true,
            Ok(Ok(n)) => {
                self.received.extend_from_slice(&chunk[..n]);
                false
            }
            Ok(Err(_)) => false,
        }
    }

    /// Read to the end of the connection; `Err` means it was cut (reset) rather than closed.
    pub async fn finish(mut self) -> (Result<(), std::io::Error>, Response) {
        let read = timeout(STEP, self.stream.read_to_end(&mut self.received))
            .await
            .expect("response did not end in time")
            .map(drop);
        (read, parse(&self.received))
    }

    /// Read the whole response, which must end cleanly.
    pub async fn response(self) -> Response {
        let (read, response) = self.finish().await;
        read.expect("response read");
        response
    }
}

fn parse(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}
