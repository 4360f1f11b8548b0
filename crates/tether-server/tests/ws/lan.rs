//! The LAN listener: TLS with the app's certificate, pinned by fingerprint; Host and Origin
//! allowlists of its own; turned off at runtime, closing its connections.

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tether_engine::auth::Caller;
use tether_server::lan::pinning::client_config;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Request};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use x509_parser::extensions::GeneralName;

use crate::common::{TestServer, WAIT, raw_http};

/// A TLS connection to `address` that trusts only `fingerprint`.
pub async fn tls(address: SocketAddr, fingerprint: &str) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(address).await?;
    let connector = TlsConnector::from(Arc::new(client_config(fingerprint)));
    connector
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
}

/// A WebSocket handshake to the LAN listener with a device token, `Host` and `Origin`.
fn request(address: SocketAddr, token: &str, host: &str, origin: Option<&str>) -> Request<()> {
    let mut request = format!("wss://{address}/ws").into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    headers.insert("host", HeaderValue::from_str(host).unwrap());
    if let Some(origin) = origin {
        headers.insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    request
}

async fn handshake(
    address: SocketAddr,
    fingerprint: &str,
    request: Request<()>,
) -> Result<WebSocketStream<TlsStream<TcpStream>>, WsError> {
    let stream = tls(address, fingerprint).await.unwrap();
    let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::client_async(request, stream))
        .await
        .expect("handshake timed out")?;
    Ok(socket)
}

fn refused(result: Result<WebSocketStream<TlsStream<TcpStream>>, WsError>) -> (u16, Value) {
    match result {
        Err(WsError::Http(response)) => (
            response.status().as_u16(),
            serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap(),
        ),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected the handshake to be refused"),
    }
}

/// Asks the engine, as the desktop, for the LAN status after `method`.
async fn lan(server: &TestServer, method: &str, params: Option<Value>) -> Value {
    server
        .engine
        .dispatch(&Caller::Local, method, params)
        .await
        .unwrap()
}

/// The address in a LAN status's `url`.
fn served_at(status: &Value) -> SocketAddr {
    status["url"]
        .as_str()
        .and_then(|url| url.strip_prefix("https://")?.strip_suffix('/'))
        .unwrap()
        .parse()
        .unwrap()
}

/// Turns LAN access on at 127.0.0.1, on any free port: where it listens, and the fingerprint.
pub async fn lan_on(server: &TestServer) -> (SocketAddr, String) {
    let on = json!({ "address": "127.0.0.1", "port": 0 });
    let status = lan(server, "lan.enable", Some(on)).await;
    let fingerprint = status["fingerprint"].as_str().unwrap().to_owned();
    (served_at(&status), fingerprint)
}

/// The code the server closes `socket` with (`None` if the connection just dropped).
async fn close_code(socket: &mut WebSocketStream<TlsStream<TcpStream>>) -> Option<u16> {
    let read = async {
        for _ in 0..crate::common::MAX_FRAMES {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|frame| u16::from(frame.code)),
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
        None
    };
    tokio::time::timeout(WAIT, read).await.unwrap()
}

#[tokio::test]
async fn a_pinned_client_reaches_the_lan_listener_and_nothing_else_gets_in() {
    let server = TestServer::start().await;
    let (_, token) = server.token("tablet").await;
    let off = server
        .engine
        .dispatch(&Caller::Local, "lan.status", None)
        .await
        .unwrap();
    assert_eq!(off["enabled"], false, "off unless turned on");
    let (address, fingerprint) = lan_on(&server).await;
    assert_ne!(address, server.addr, "a listener of its own");
    let host = address.to_string();
    let origin = format!("https://{address}");

    let mut tablet = handshake(
        address,
        &fingerprint,
        request(address, &token, &host, Some(&origin)),
    )
    .await
    .expect("the pinned client gets in");
    let Some(Ok(Message::Text(welcome))) = tablet.next().await else {
        panic!("no welcome")
    };
    assert!(welcome.contains("\"device\":\"tablet\""), "{welcome}");

    let wrong = format!("SHA256:{}", ["00"; 32].join(":"));
    assert!(
        tls(address, &wrong).await.is_err(),
        "a wrong fingerprint fails the TLS handshake"
    );

    let port = address.port();
    for (host, origin, code) in [
        (format!("localhost:{port}"), None, "forbidden_host"),
        (
            format!("127.0.0.1:{}", server.addr.port()),
            None,
            "forbidden_host",
        ),
        (format!("evil.example:{port}"), None, "forbidden_host"),
        (
            host.clone(),
            Some(format!("http://{address}")),
            "forbidden_origin",
        ),
        (
            host.clone(),
            Some(format!("http://{}", server.addr)),
            "forbidden_origin",
        ),
        (
            host.clone(),
            Some("https://evil.example".to_owned()),
            "forbidden_origin",
        ),
    ] {
        let (status, body) = refused(
            handshake(
                address,
                &fingerprint,
                request(address, &token, &host, origin.as_deref()),
            )
            .await,
        );
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some(code)),
            "{host} {origin:?}"
        );
    }
    let (status, _) = refused(
        handshake(
            address,
            &fingerprint,
            request(address, "tether_00000000_x", &host, None),
        )
        .await,
    );
    assert_eq!(status, 401, "a token is still required");
    let plain = format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    assert_eq!(
        raw_http(address, &plain).await.0,
        0,
        "no plain HTTP on the LAN port"
    );

    let off = lan(&server, "lan.disable", None).await;
    assert_eq!(off["enabled"], false);
    let closed = close_code(&mut tablet).await;
    assert_eq!(
        closed,
        Some(1001),
        "turning LAN access off closes its connections"
    );
    assert!(TcpStream::connect(address).await.is_err(), "and its port");
}

#[tokio::test]
async fn the_certificate_names_its_address_expires_and_can_be_replaced() {
    // Configured, so a certificate made while LAN access is off names this address too.
    let server =
        TestServer::start_with(|config| config.lan.address = Some([127, 0, 0, 1].into())).await;
    let (_, token) = server.token("tablet").await;
    let first = lan(&server, "lan.status", None).await;
    assert_eq!(first["enabled"], false);
    let (address, old) = lan_on(&server).await;
    let first = lan(&server, "lan.status", None).await;
    let url = first["url"].as_str().unwrap();

    // It names the address phones reach and tether.local, for a year and a month at most.
    let stream = tls(address, &old).await.unwrap();
    let der = stream.get_ref().1.peer_certificates().unwrap()[0].clone();
    let (_, certificate) = x509_parser::parse_x509_certificate(&der).unwrap();
    let names = &certificate
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names;
    assert!(
        matches!(
            names.as_slice(),
            [
                GeneralName::DNSName("tether.local"),
                GeneralName::IPAddress([127, 0, 0, 1])
            ]
        ),
        "{names:?}"
    );
    let validity = certificate.validity();
    let days = (validity.not_after.timestamp() - validity.not_before.timestamp()) / 86_400;
    assert!((397..=398).contains(&days), "{days} days");
    let expires = first["expires_at"].as_i64().unwrap();
    assert!((validity.not_after.timestamp() - expires).abs() < 60);

    // Replaced while serving: connections made with the old one close, pins of it fail with
    // a message that says why, and the new one is served at once on the same address.
    let host = address.to_string();
    let mut tablet = handshake(address, &old, request(address, &token, &host, None))
        .await
        .unwrap();
    let rotated = lan(&server, "lan.rotate_certificate", None).await;
    let new = rotated["fingerprint"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(rotated["url"], url, "the same address and port");
    let closed = close_code(&mut tablet).await;
    assert_eq!(closed, Some(1001));
    let pinned_old = tls(address, &old).await.unwrap_err().to_string();
    assert!(pinned_old.contains("not the one pinned"), "{pinned_old}");
    assert!(tls(address, &new).await.is_ok());

    // Replaced while off: the next start serves the new one, which it made.
    lan(&server, "lan.disable", None).await;
    let off = lan(&server, "lan.rotate_certificate", None).await;
    assert_eq!(off["enabled"], false);
    let (_, again) = lan_on(&server).await;
    assert_ne!(again, new, "the certificate made while off");
    lan(&server, "lan.disable", None).await;
    assert_eq!(lan_on(&server).await.1, again, "and kept");
}
