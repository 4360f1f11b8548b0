//! The public URL through a real Caddy (its own CA, on loopback), spoken to over HTTPS as a
//! phone would: the app and the API answer at exactly that name, a page of any other origin is
//! refused there (403), and a client cannot choose the address it is counted as (Caddy replaces
//! the X-Forwarded-For it sends, and the engine believes only Caddy).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::common::caddy::{Caddy, HOST};
use crate::common::{Setup, WAIT};

mod common;

/// Sends `request` (its head, then `Host` and `Connection: close` are added) to Caddy over TLS,
/// trusting only Caddy's CA; answers the status and the body.
async fn through(caddy: &Caddy, head: &str, body: &str) -> (u16, String) {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(caddy.root_certificate()).unwrap())
        .unwrap();
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(("127.0.0.1", caddy.port)).await.unwrap();
    let name = ServerName::try_from(HOST).unwrap();
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap();
    let request = format!(
        "{head}\r\nHost: {HOST}:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        caddy.port,
        body.len()
    );
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let read = tls.read_to_end(&mut response);
    // Caddy may end TLS without a close_notify; what arrived is the answer.
    let _ = tokio::time::timeout(WAIT, read)
        .await
        .expect("no answer through Caddy in time");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_caddy_only_the_public_origin_gets_in_and_addresses_cannot_be_forged() {
    let setup = Setup::plain();
    std::fs::write(setup.config(), "[pairing]\nattempts_per_minute = 1\n").unwrap();
    let (_server, address) = setup.serve().await;
    let caddy = Caddy::start(&address).await;

    let (status, _) = through(&caddy, "GET / HTTP/1.1", "").await;
    assert_eq!(
        status, 403,
        "no public URL yet: the name is foreign to the engine"
    );
    setup.output(&["remote", "set", &caddy.url()]).await;
    let (status, page) = through(&caddy, "GET / HTTP/1.1", "").await;
    assert_eq!(status, 200);
    assert!(page.contains("<title>Tether</title>"), "{page}");
    let own = format!("GET /healthz HTTP/1.1\r\nOrigin: {}", caddy.url());
    assert_eq!(through(&caddy, &own, "").await.0, 200);
    for foreign in ["https://evil.example", "http://tether.test", "null"] {
        let head = format!("GET /healthz HTTP/1.1\r\nOrigin: {foreign}");
        let (status, body) = through(&caddy, &head, "").await;
        assert_eq!(status, 403, "{foreign}: {body}");
        assert!(body.contains("forbidden_origin"), "{body}");
    }

    // One pairing attempt a minute per client: a forged X-Forwarded-For does not make another.
    let caddy = &caddy;
    let attempt = |forged: &'static str| {
        let head = format!(
            "POST /api/pair HTTP/1.1\r\nContent-Type: application/json\r\nX-Forwarded-For: {forged}"
        );
        async move {
            through(caddy, &head, r#"{"code":"AAAA-AAAA","name":"probe"}"#)
                .await
                .0
        }
    };
    assert_eq!(attempt("203.0.113.1").await, 403, "a wrong code");
    assert_eq!(
        attempt("203.0.113.2").await,
        429,
        "the same client, whatever it claims"
    );

    setup.output(&["remote", "set", "off"]).await;
    assert_eq!(
        through(caddy, "GET / HTTP/1.1", "").await.0,
        403,
        "off: refused again"
    );
}
