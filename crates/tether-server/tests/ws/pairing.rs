//! Pairing a device: the code, the desktop's answer, the token once, and every way it fails.

use serde_json::{Value, json};
use tether_engine::auth::Caller;

use crate::common::{TestServer, next_event, post_json};

/// Starts pairing as the desktop does and returns the code.
async fn start(server: &TestServer) -> String {
    let offer = server
        .engine
        .dispatch(&Caller::Local, "pairing.start", None)
        .await
        .unwrap();
    let link = offer["link"].as_str().unwrap();
    let code = offer["code"].as_str().unwrap().to_owned();
    assert_eq!(link, format!("http://{}/#pair={code}", server.addr));
    assert!(offer["qr_svg"].as_str().unwrap().contains("<svg"));
    code
}

/// Subscribes to the owner's channel; returns its epoch.
async fn watch_owner(client: &mut crate::common::Client) -> Value {
    client
        .send_json(json!({ "type": "subscribe", "channels": ["user:owner"] }))
        .await;
    let subscribed = client.next_json().await;
    assert_eq!(subscribed["type"], "subscribed");
    subscribed["channels"][0]["epoch"].clone()
}

async fn pair(server: &TestServer, code: &str, name: &str) -> (u16, Value) {
    post_json(
        server.addr,
        "/api/pair",
        &json!({ "code": code, "name": name }),
    )
    .await
}

async fn decide(server: &TestServer, method: &str, request: &Value) -> Value {
    server
        .engine
        .dispatch(
            &Caller::Local,
            method,
            Some(json!({ "request_id": request["data"]["id"] })),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_device_pairs_with_the_code_and_the_desktops_approval_then_connects() {
    let server = TestServer::start().await;
    let (_, watcher_token) = server.token("desktop watcher").await;
    let mut watcher = server.connect(&watcher_token).await;
    let epoch = watch_owner(&mut watcher).await;

    let code = start(&server).await;
    let asked = tokio::spawn({
        let addr = server.addr;
        let code = code.clone();
        async move {
            post_json(
                addr,
                "/api/pair",
                &json!({ "code": code, "name": "Pixel 9" }),
            )
            .await
        }
    });
    let request = next_event(&mut watcher, "pairing.requested").await;
    assert_eq!(request["data"]["name"], "Pixel 9");
    assert_eq!(request["data"]["address"], "127.0.0.1");
    let device = decide(&server, "pairing.approve", &request).await;

    let (status, answer) = asked.await.unwrap();
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["device"], device);
    let token = answer["token"].as_str().unwrap().to_owned();
    let paired = next_event(&mut watcher, "device.paired").await;
    assert_eq!(paired["data"]["name"], "Pixel 9");

    let mut phone = server.connect(&token).await;
    let listed = phone.call(1, "devices.list", json!({})).await;
    let entry = listed["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Pixel 9")
        .unwrap()
        .clone();
    assert_eq!(entry["online"], true);
    assert_eq!(entry["last_address"], "127.0.0.1");
    assert!(entry.get("token").is_none() && !entry.to_string().contains(&token));

    assert_eq!(
        pair(&server, &code, "again").await.1["details"]["reason"],
        "invalid_code",
        "a code works once"
    );
    let history = server
        .engine
        .dispatch(
            &Caller::Local,
            "events.history",
            Some(json!({ "channel": "user:owner", "since": { "epoch": epoch, "offset": 0 } })),
        )
        .await
        .unwrap();
    let events = history["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|event| event["event"] == "pairing.requested")
    );
    let text = history.to_string();
    assert!(
        !text.contains(&token) && !text.contains(&code),
        "events never carry secrets"
    );
}

#[tokio::test]
async fn wrong_codes_shut_their_address_out_are_answered_like_no_code_and_the_desktop_is_told() {
    let server = TestServer::start().await;
    let (_, watcher_token) = server.token("watcher").await;
    let mut watcher = server.connect(&watcher_token).await;
    let _ = watch_owner(&mut watcher).await;

    // No code, and a wrong one, get the same answer: a stranger cannot tell one is active.
    let (status, none) = pair(&server, "AAAA-AAAA", "phone").await;
    let code = start(&server).await;
    let wrong = if code == "0000-0000" {
        "1111-1111"
    } else {
        "0000-0000"
    };
    let (wrong_status, mistyped) = pair(&server, wrong, "phone").await;
    assert_eq!((status, &none), (wrong_status, &mistyped));
    assert_eq!(
        (
            status,
            none["code"].as_str(),
            none["details"]["reason"].as_str()
        ),
        (403, Some("pairing_failed"), Some("invalid_code")),
        "{none}"
    );
    let told = next_event(&mut watcher, "pairing.wrong_code").await;
    assert_eq!(told["data"]["address"], "127.0.0.1");
    assert_eq!(told["data"]["tries_left"], 4);

    // This address's fifth wrong try shuts it out, even with the right code: one address
    // cannot burn the code for everyone, and its answers still read the same.
    for tries in 2..=5 {
        assert_eq!(pair(&server, wrong, "phone").await.1, mistyped);
        let told = next_event(&mut watcher, "pairing.wrong_code").await;
        assert_eq!(told["data"]["tries"], tries, "{told}");
        assert_eq!(told["data"]["tries_left"], 5 - tries);
    }
    assert_eq!(pair(&server, &code, "phone").await.1, mistyped);
    assert_eq!(
        server.engine.pairing().waiting(),
        Vec::new(),
        "the right code from a shut-out address pairs nothing"
    );
    assert!(
        server.engine.devices().list().len() == 1,
        "only the watcher is paired"
    );
}

#[tokio::test]
async fn a_denied_device_gets_no_token_and_one_that_hangs_up_is_withdrawn() {
    let server = TestServer::start().await;
    let (_, watcher_token) = server.token("watcher").await;
    let mut watcher = server.connect(&watcher_token).await;
    let _ = watch_owner(&mut watcher).await;

    let code = start(&server).await;
    let asked = tokio::spawn({
        let addr = server.addr;
        async move {
            post_json(
                addr,
                "/api/pair",
                &json!({ "code": code, "name": "stranger" }),
            )
            .await
        }
    });
    let request = next_event(&mut watcher, "pairing.requested").await;
    decide(&server, "pairing.deny", &request).await;
    let (status, answer) = asked.await.unwrap();
    assert_eq!(
        (status, &answer["details"]["reason"]),
        (403, &json!("denied")),
        "{answer}"
    );
    assert!(answer.get("token").is_none());

    let code = start(&server).await;
    let asked = tokio::spawn({
        let addr = server.addr;
        async move { post_json(addr, "/api/pair", &json!({ "code": code, "name": "gone" })).await }
    });
    let request = next_event(&mut watcher, "pairing.requested").await;
    asked.abort();
    let resolved = next_event(&mut watcher, "pairing.resolved").await;
    assert_eq!(resolved["data"]["outcome"], "withdrawn");
    let late = server
        .engine
        .dispatch(
            &Caller::Local,
            "pairing.approve",
            Some(json!({ "request_id": request["data"]["id"] })),
        )
        .await
        .unwrap_err();
    assert_eq!(late.code, tether_protocol::ErrorCode::NotFound);
    assert_eq!(server.engine.devices().list().len(), 1, "nobody was paired");
}

#[tokio::test]
async fn pairing_attempts_are_rate_limited_per_address() {
    let server = TestServer::start_with(|config| config.pairing.attempts_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(pair(&server, "0000-0000", "x").await.0, 403);
    }
    let request = format!(
        "POST /api/pair HTTP/1.1\r\nHost: {}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
        server.addr
    );
    let (status, body) = crate::common::raw_http(server.addr, &request).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("rate_limited"));
    for _ in 0..3 {
        let (status, _) = post_json(server.addr, "/api/auth/challenge", &json!({})).await;
        assert_eq!(
            status, 200,
            "sign-in challenges have an allowance of their own"
        );
    }
    let (status, _) = post_json(server.addr, "/api/auth/challenge", &json!({})).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn a_waiting_device_never_holds_up_a_shutdown_and_a_trickled_body_is_cut_off() {
    let mut server = TestServer::start_with(|config| {
        config.limits.handshake_timeout = std::time::Duration::from_millis(300);
    })
    .await;
    let (_, watcher_token) = server.token("watcher").await;
    let mut watcher = server.connect(&watcher_token).await;
    let _ = watch_owner(&mut watcher).await;

    let stalled = format!(
        "POST /api/pair HTTP/1.1\r\nHost: {}\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"code\"",
        server.addr
    );
    let (status, body) = crate::common::raw_http(server.addr, &stalled).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("did not arrive in time"), "{body}");

    let code = start(&server).await;
    let asked = tokio::spawn({
        let addr = server.addr;
        async move { post_json(addr, "/api/pair", &json!({ "code": code, "name": "late" })).await }
    });
    next_event(&mut watcher, "pairing.requested").await;
    server.shutdown().await;
    let (status, answer) = asked.await.unwrap();
    assert_eq!(
        (status, answer["code"].as_str()),
        (503, Some("unavailable")),
        "{answer}"
    );
}
