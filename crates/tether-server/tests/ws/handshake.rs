//! Authentication, Origin and Host checks, all decided before the upgrade.

use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::common::{TestServer, raw_http, refused_status};

#[tokio::test]
async fn a_bearer_token_is_accepted_and_welcomed() {
    let server = TestServer::start().await;
    let (_, token) = server.token("laptop").await;
    let (socket, _) = tokio_tungstenite::connect_async(server.request(&token))
        .await
        .unwrap();
    let mut client = crate::common::Client {
        socket,
        response: Default::default(),
    };
    let welcome = client.next_json().await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(welcome["protocol"], 1);
    assert_eq!(welcome["connection"]["device"], "laptop");
    assert_eq!(welcome["connection"]["user"], "owner");
    assert!(welcome["server"]["version"].is_string());
}

#[tokio::test]
async fn browsers_offer_the_token_as_a_subprotocol_and_only_the_protocol_is_echoed() {
    let server = TestServer::start().await;
    let (_, token) = server.token("phone").await;
    let mut request = server.url().into_client_request().unwrap();
    let offered = format!("tether.v1, tether.token.{token}");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(&offered).unwrap(),
    );
    request.headers_mut().insert(
        "origin",
        HeaderValue::from_str(&format!("http://127.0.0.1:{}", server.addr.port())).unwrap(),
    );
    let client = server.connect_with(request).await.unwrap();
    let echoed = client
        .response
        .headers()
        .get("sec-websocket-protocol")
        .unwrap();
    assert_eq!(echoed, "tether.v1");
}

#[tokio::test]
async fn missing_wrong_and_malformed_tokens_get_401() {
    let server = TestServer::start().await;
    let (id, token) = server.token("real").await;
    let mut forged = token.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    let no_token = server.url().into_client_request().unwrap();
    for request in [
        no_token,
        server.request(&forged),
        server.request(&format!("tether_{id}_x")),
        server.request("nonsense"),
    ] {
        let (status, body) = refused_status(server.connect_with(request).await);
        assert_eq!(status, 401);
        assert_eq!(body["code"], "unauthorized");
    }
    let (status, body) = raw_http(
        server.addr,
        &format!(
            "GET /ws HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ),
    )
    .await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn a_foreign_origin_gets_403_even_with_a_valid_token() {
    let server = TestServer::start().await;
    let (_, token) = server.token("t").await;
    for origin in [
        "http://evil.example",
        "null",
        &format!("http://localhost:{}.evil.example", server.addr.port()),
    ] {
        let mut request = server.request(&token);
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).unwrap());
        let (status, body) = refused_status(server.connect_with(request).await);
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("forbidden_origin")),
            "{origin}"
        );
    }
    let mut allowed = server.request(&token);
    allowed.headers_mut().insert(
        "origin",
        HeaderValue::from_str(&format!("http://localhost:{}", server.addr.port())).unwrap(),
    );
    server.connect_with(allowed).await.unwrap();
}

#[tokio::test]
async fn a_foreign_host_gets_403_on_every_route() {
    let server = TestServer::start().await;
    let (_, token) = server.token("t").await;
    let port = server.addr.port();
    for path in ["/ws", "/healthz", "/readyz", "/nope"] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: attacker.example:{port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        );
        let (status, body) = raw_http(server.addr, &request).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(body.contains("forbidden_host"), "{body}");
    }
    let no_host = "GET /healthz HTTP/1.0\r\n\r\n";
    assert_eq!(raw_http(server.addr, no_host).await.0, 403);
    let mut rebound = server.request(&token);
    rebound.headers_mut().insert(
        "host",
        HeaderValue::from_str(&format!("rebind.example:{port}")).unwrap(),
    );
    assert_eq!(refused_status(server.connect_with(rebound).await).0, 403);
}

#[tokio::test]
async fn health_readiness_and_unknown_routes() {
    let server = TestServer::start().await;
    let get = |path: &str| {
        format!(
            "GET {path} HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            server.addr.port()
        )
    };
    let (status, body) = raw_http(server.addr, &get("/healthz")).await;
    assert_eq!((status, body.contains("ok")), (200, true), "{body}");
    let (status, body) = raw_http(server.addr, &get("/readyz")).await;
    assert_eq!(status, 200, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["ready"], true);
    assert!(
        ready["checks"]["store"]["problem"].is_null() && ready["checks"].get("devices").is_none(),
        "readiness tells nobody how many devices are paired: {ready}"
    );
    let (status, body) = raw_http(server.addr, &get("/admin")).await;
    assert_eq!((status, body.contains("not_found")), (404, true), "{body}");
}

#[tokio::test]
async fn revoking_a_device_closes_its_live_connections_with_4001() {
    let server = TestServer::start().await;
    let (id, token) = server.token("revoked").await;
    let (_, other_token) = server.token("kept").await;
    let mut doomed = [server.connect(&token).await, server.connect(&token).await];
    let mut kept = server.connect(&other_token).await;
    let listed = server
        .engine
        .dispatch(&tether_engine::auth::Caller::Local, "devices.list", None)
        .await
        .unwrap();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (entry["connections"].as_u64(), entry["online"].as_bool()),
        (Some(2), Some(true))
    );
    assert!(
        entry.get("hash").is_none() && entry.get("token").is_none(),
        "list never shows secrets: {entry}"
    );

    server
        .engine
        .dispatch(
            &tether_engine::auth::Caller::Local,
            "devices.revoke",
            Some(json!({ "id": id })),
        )
        .await
        .unwrap();
    for client in &mut doomed {
        assert_eq!(client.close_code().await, 4001);
    }
    assert_eq!(
        refused_status(server.connect_with(server.request(&token)).await).0,
        401
    );
    let alive = kept.call(1, "system.info", json!({})).await;
    assert_eq!(
        alive["result"]["connections"], 1,
        "only the other token's connection remains"
    );
}

#[tokio::test]
async fn devices_may_not_make_devices_or_pair_or_authorize_keys() {
    let server = TestServer::start().await;
    let (id, token) = server.token("phone").await;
    let mut client = server.connect(&token).await;
    let calls = [
        ("devices.create", json!({ "name": "x" })),
        ("pairing.start", json!({})),
        ("pairing.approve", json!({ "request_id": id })),
        ("keys.add", json!({ "public_key": "ssh-ed25519 AAAA" })),
        ("lan.enable", json!({})),
    ];
    for (n, (method, params)) in (1..).zip(calls) {
        let response = client.call(n, method, params).await;
        assert_eq!(
            response["error"]["code"], "forbidden",
            "{method}: {response}"
        );
    }
    assert_eq!(
        server.engine.devices().list().len(),
        1,
        "no device was made"
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_plain_gets_are_refused_as_json() {
    let server = TestServer::start().await;
    let (_, token) = server.token("t").await;
    let mut request = server.url().into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("bearer {token}")).unwrap(),
    );
    server.connect_with(request).await.unwrap();
    let plain = format!(
        "GET /ws HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
        server.addr
    );
    let (status, body) = raw_http(server.addr, &plain).await;
    assert!((400..500).contains(&status), "{body}");
    assert!(body.contains("not a WebSocket upgrade"), "{body}");
    let post = format!(
        "POST /healthz HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.addr
    );
    let (status, body) = raw_http(server.addr, &post).await;
    assert_eq!(status, 405, "{body}");
    assert!(
        body.contains("\"code\""),
        "JSON like every other error: {body}"
    );
}

#[tokio::test]
async fn connections_past_the_limit_get_503_and_the_others_carry_on() {
    let server = TestServer::start_with(|config| config.limits.max_connections = 2).await;
    let (_, token) = server.token("t").await;
    let mut first = server.connect(&token).await;
    let _second = server.connect(&token).await;
    let (status, body) = raw_http(
        server.addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("overloaded"));
    assert_eq!(
        first.call(1, "system.info", json!({})).await["result"]["connections"],
        2
    );
}

#[tokio::test]
async fn a_device_holds_at_most_its_share_of_connections() {
    let server =
        TestServer::start_with(|config| config.limits.max_connections_per_device = 2).await;
    let (_, phone) = server.token("phone").await;
    let (_, tablet) = server.token("tablet").await;
    let first = server.connect(&phone).await;
    let _second = server.connect(&phone).await;

    let (status, body) = refused_status(server.connect_with(server.request(&phone)).await);
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "overloaded");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("max_connections_per_device"),
        "{body}"
    );
    // Another device is not held back.
    server.connect(&tablet).await;

    // Once one closes, the device may connect again.
    drop(first);
    let mut again = None;
    for _ in 0..500 {
        match server.connect_with(server.request(&phone)).await {
            Ok(client) => {
                again = Some(client);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
        }
    }
    assert!(again.is_some(), "a freed slot can be used again");
}
