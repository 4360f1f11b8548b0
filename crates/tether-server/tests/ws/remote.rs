//! The public URL: the loopback listener takes exactly its host and origin (what a proxy on the
//! user's network forwards), pairing links carry it, turning it off or changing it closes what
//! came through it (4004); and forwarding headers count only from a trusted proxy.

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::http::{HeaderValue, Request};

use crate::common::{TestServer, raw_http, refused_status};
use tether_engine::auth::Caller;

const PUBLIC: &str = "https://desk.tail1234.ts.net";

/// A handshake as the proxy forwards it: `host` and `origin` as the browser sent them.
fn proxied(server: &TestServer, token: &str, host: &str, origin: &str) -> Request<()> {
    let mut request = server.request(token);
    let headers = request.headers_mut();
    headers.insert("host", HeaderValue::from_str(host).unwrap());
    headers.insert("origin", HeaderValue::from_str(origin).unwrap());
    headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
    request
}

async fn local(server: &TestServer, method: &str, params: Value) -> Result<Value, String> {
    let answer = server
        .engine
        .dispatch(&Caller::Local, method, Some(params))
        .await;
    answer.map_err(|error| format!("{:?}: {}", error.code, error.message))
}

#[tokio::test]
async fn the_public_url_is_let_in_exactly_and_closing_it_closes_what_came_through() {
    let server = TestServer::start_with(|config| {
        config.remote.public_url = Some(PUBLIC.to_owned());
    })
    .await;
    let status = local(&server, "remote.status", json!({})).await.unwrap();
    assert_eq!(
        status,
        json!({ "public_url": format!("{PUBLIC}/"), "source": "settings" })
    );
    let offer = local(&server, "pairing.start", json!({})).await.unwrap();
    let link = offer["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{PUBLIC}/#pair=")), "{link}");
    assert_eq!(
        offer["fingerprint"],
        Value::Null,
        "no LAN certificate to check there"
    );

    let (_, token) = server.token("phone").await;
    let host = "desk.tail1234.ts.net";
    let mut phone = server
        .connect_with(proxied(&server, &token, host, PUBLIC))
        .await
        .unwrap();
    let listed = phone.call(1, "devices.list", json!({})).await;
    assert_eq!(
        listed["result"][0]["last_address"], "203.0.113.9",
        "the trusted proxy (loopback) names the client"
    );
    let mut desk = server.connect(&token).await;

    // Nothing else widens: another name, another port, another scheme or page.
    for (host, origin) in [
        ("evil.example", PUBLIC),
        ("desk.tail1234.ts.net:8443", PUBLIC),
        (host, "http://desk.tail1234.ts.net"),
        (host, "https://evil.example"),
    ] {
        let refused = server
            .connect_with(proxied(&server, &token, host, origin))
            .await;
        assert_eq!(refused_status(refused).0, 403, "{host} {origin}");
    }
    let page = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    assert_eq!(
        raw_http(server.addr, &page).await.0,
        200,
        "the app is served there"
    );

    // Only the desktop sets it, and only to an https origin.
    let refused = phone
        .call(2, "remote.set", json!({ "public_url": null }))
        .await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
    for bad in [
        "http://desk.example",
        "https://desk.example/app",
        "https://me@desk.example",
    ] {
        let error = local(&server, "remote.set", json!({ "public_url": bad }))
            .await
            .unwrap_err();
        assert!(error.starts_with("InvalidParams"), "{bad}: {error}");
    }

    // A new URL: what came through the old one closes with 4004; the rest stays.
    let moved = json!({ "public_url": "https://tether.example.org" });
    let status = local(&server, "remote.set", moved).await.unwrap();
    assert_eq!(status["source"], "desktop");
    assert_eq!(phone.close_code().await, 4004);
    let still = desk.call(3, "remote.status", json!({})).await;
    assert_eq!(still["result"]["public_url"], "https://tether.example.org/");
    let old = server
        .connect_with(proxied(&server, &token, host, PUBLIC))
        .await;
    assert_eq!(refused_status(old).0, 403, "the old URL is refused");
    let new = proxied(
        &server,
        &token,
        "tether.example.org",
        "https://tether.example.org",
    );
    let mut moved_phone = server.connect_with(new).await.unwrap();

    // Off: closed, refused, and pairing links name the loopback listener again.
    local(&server, "remote.set", json!({ "public_url": null }))
        .await
        .unwrap();
    assert_eq!(moved_phone.close_code().await, 4004);
    let offer = local(&server, "pairing.start", json!({})).await.unwrap();
    assert!(
        offer["link"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}

/// A pairing attempt with a wrong code, as a proxy forwards it from `forwarded` (to `host`);
/// answers the status (one attempt a minute is allowed per address).
async fn attempt(server: &TestServer, host: &str, forwarded: &str) -> u16 {
    let body = r#"{"code":"AAAA-AAAA","name":"probe"}"#;
    let request = format!(
        "POST /api/pair HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: {forwarded}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_http(server.addr, &request).await.0
}

#[tokio::test]
async fn forwarding_headers_count_only_from_a_trusted_proxy_through_the_public_url() {
    let public = |config: &mut tether_engine::Config| {
        config.pairing.attempts_per_minute = 1;
        config.remote.public_url = Some(PUBLIC.to_owned());
    };
    let host = "desk.tail1234.ts.net";
    let trusting = TestServer::start_with(public).await;
    assert_eq!(
        attempt(&trusting, host, "203.0.113.1").await,
        403,
        "a wrong code"
    );
    let other = attempt(&trusting, host, "203.0.113.2").await;
    assert_eq!(other, 403, "another client has its own limit");
    let spoofed = attempt(&trusting, host, "192.0.2.7, 203.0.113.1").await;
    assert_eq!(spoofed, 429, "a spoofed left end does not count");

    // Not through the public URL, a local process is loopback, whatever it writes.
    let direct = trusting.addr.to_string();
    assert_eq!(attempt(&trusting, &direct, "198.51.100.1").await, 403);
    assert_eq!(attempt(&trusting, &direct, "198.51.100.2").await, 429);

    let wary = TestServer::start_with(|config| {
        public(config);
        config.remote.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    assert_eq!(attempt(&wary, host, "203.0.113.1").await, 403);
    assert_eq!(
        attempt(&wary, host, "203.0.113.2").await,
        429,
        "from a peer that is not a trusted proxy the header is ignored: both are that peer"
    );
    let (_, token) = wary.token("phone").await;
    let mut phone = wary
        .connect_with(proxied(&wary, &token, host, PUBLIC))
        .await
        .unwrap();
    let listed = phone.call(1, "devices.list", json!({})).await;
    assert_eq!(listed["result"][0]["last_address"], "127.0.0.1");
    let metrics = format!("GET /metrics HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    assert_eq!(
        raw_http(wary.addr, &metrics).await.0,
        404,
        "no metrics through the public URL"
    );
}
