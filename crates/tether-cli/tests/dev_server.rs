//! The chat UI's development server (`npm run dev`) in front of the real engine: `/api` and
//! `/ws` reach the engine with their method and body, the dev page's own origin is accepted,
//! and a foreign page, a DNS-rebinding one included, is still refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::common::{Setup, WAIT, http, next_json};

mod common;

fn ui() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui")
}

/// A browser's upgrade request to the dev server's `/ws` from `page` (its Host and Origin),
/// with the token as a subprotocol the way a browser sends it.
fn socket_request(address: &str, token: &str, page: &str) -> Request {
    let mut request = format!("ws://{address}/ws").into_client_request().unwrap();
    let headers = request.headers_mut();
    let host = page.strip_prefix("http://").unwrap();
    headers.insert("host", HeaderValue::from_str(host).unwrap());
    headers.insert("origin", HeaderValue::from_str(page).unwrap());
    let protocols = format!("tether.v1, tether.token.{token}");
    headers.insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(&protocols).unwrap(),
    );
    request
}

#[tokio::test]
async fn the_dev_server_hands_api_and_websocket_to_the_engine() {
    let setup = Setup::plain();
    let (_server, engine) = setup.serve().await;
    let token = setup.output(&["devices", "add", "--name", "dev"]).await;
    let token = token.trim();
    let mut dev = Command::new("node")
        .arg(ui().join("e2e/dev-server.mjs"))
        .current_dir(ui())
        .env("TETHER_ENGINE", format!("http://{engine}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs (make test installs it)");
    let mut lines = BufReader::new(dev.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("the dev server starts")
        .unwrap()
        .unwrap_or_default();
    let Some(address) = line.strip_prefix("listening http://").map(str::to_owned) else {
        let mut why = String::new();
        let stderr = dev.stderr.take().unwrap();
        let _ = tokio::time::timeout(WAIT, stderr.take(64 * 1024).read_to_string(&mut why)).await;
        panic!("the dev server did not start: {line}\n{why}");
    };
    let page = format!("http://{address}");

    // A POST with a body, from the dev page: the engine itself answers (a wrong code).
    let body = r#"{"code":"0000-0000","name":"dev page"}"#;
    let request = format!(
        "POST /api/pair HTTP/1.1\r\nHost: {address}\r\nOrigin: {page}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, answer) = http(&address, &request).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("pairing_failed")),
        "{answer}"
    );

    // A foreign page through the proxy is refused by the engine, as it would be directly.
    let foreign = request.replace(&format!("Origin: {page}"), "Origin: https://evil.example");
    let (status, answer) = http(&address, &foreign).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("forbidden_origin")),
        "{answer}"
    );

    // The WebSocket from the dev page reaches the engine.
    let request = socket_request(&address, token, &page);
    let (mut socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .expect("the upgrade is answered")
        .expect("the engine accepts the dev page's socket");
    let welcome = next_json(&mut socket).await;
    assert_eq!(
        (
            welcome["type"].as_str(),
            welcome["connection"]["device"].as_str()
        ),
        (Some("welcome"), Some("dev"))
    );

    // A DNS-rebinding page (a name of its own pointing at the dev server, its Origin matching
    // its Host) is refused although it holds a token: only loopback pages are the dev page.
    let port = address.rsplit(':').next().unwrap();
    let rebound = socket_request(&address, token, &format!("http://evil.example:{port}"));
    let refused = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(rebound))
        .await
        .expect("the upgrade is answered");
    match refused {
        Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), 403),
        other => panic!("a rebinding page got through: {other:?}"),
    }

    drop(dev.stdin.take());
    let _ = tokio::time::timeout(WAIT, dev.wait()).await;
}
