//! Push subscriptions: a paired device subscribes with a browser's keys to the engine's VAPID
//! key, sees and changes only its own, keeps at most eight, and loses them when revoked; bad
//! fields are named; the key and the subscriptions outlive a restart, as does what the
//! desktop's own notifications tell of, which only the desktop changes.

use serde_json::{Value, json};
use web_push_native::p256::SecretKey;
use web_push_native::p256::elliptic_curve::rand_core::OsRng;

use crate::common::TestServer;
use tether_engine::auth::Caller;

/// A browser's subscription to `endpoint`, as `PushSubscription.toJSON()` gives it.
fn subscription(endpoint: &str) -> Value {
    let encode = |bytes: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let browser = SecretKey::random(&mut OsRng);
    json!({
        "endpoint": endpoint,
        "expirationTime": null,
        "keys": {
            "p256dh": encode(&browser.public_key().to_sec1_bytes()),
            "auth": encode(&[9u8; 16]),
        },
    })
}

#[tokio::test]
async fn a_device_subscribes_to_the_engines_key_and_sees_only_its_own() {
    let server = TestServer::start().await;
    let (_, phone_token) = server.token("phone").await;
    let (_, tablet_token) = server.token("tablet").await;
    let mut phone = server.connect(&phone_token).await;
    let mut tablet = server.connect(&tablet_token).await;

    let status = phone.call(1, "push.status", json!({})).await;
    let key = status["result"]["vapid_public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(key.len(), 87, "65 bytes, base64url: {key}");
    assert_eq!(status["result"]["subscriptions"], json!([]));

    let endpoint = "https://push.example/send/phone-1";
    let subscribed = phone
        .call(2, "push.subscribe", subscription(endpoint))
        .await;
    assert_eq!(subscribed["result"]["endpoint"], endpoint, "{subscribed}");
    assert_eq!(subscribed["result"]["kinds"], json!(["approval", "failed"]));
    let mut choosing = subscription(endpoint);
    choosing["kinds"] = json!(["finished", "approval"]);
    let changed = phone.call(3, "push.subscribe", choosing).await;
    assert_eq!(changed["result"]["kinds"], json!(["approval", "finished"]));
    let listed = phone.call(4, "push.list", json!({})).await;
    assert_eq!(listed["result"].as_array().unwrap().len(), 1);

    // Another device sees nothing of it and can change nothing of it.
    assert_eq!(
        tablet.call(5, "push.list", json!({})).await["result"],
        json!([])
    );
    let taken = tablet
        .call(6, "push.subscribe", subscription(endpoint))
        .await;
    assert_eq!(taken["error"]["code"], "conflict", "{taken}");
    let removed = tablet
        .call(7, "push.unsubscribe", json!({ "endpoint": endpoint }))
        .await;
    assert_eq!(removed["error"]["code"], "not_found", "{removed}");
    let desktop = server
        .engine
        .dispatch(&Caller::Local, "push.list", Some(json!({})))
        .await;
    assert_eq!(
        desktop.unwrap_err().code,
        tether_protocol::ErrorCode::Forbidden
    );

    // Bad fields are named.
    for (field, bad) in [
        ("endpoint", json!({ "endpoint": "http://push.example/x" })),
        (
            "keys.p256dh",
            json!({ "keys": { "p256dh": "AAAA", "auth": "CQkJCQkJCQkJCQkJCQkJCQ" } }),
        ),
        ("keys.auth", json!({ "keys": { "auth": "AAAA" } })),
    ] {
        let mut params = subscription("https://push.example/send/bad");
        for (name, value) in bad.as_object().unwrap() {
            if let (Some(keys), Some(value)) = (params[name].as_object_mut(), value.as_object()) {
                keys.extend(value.clone());
            } else {
                params[name] = value.clone();
            }
        }
        let refused = phone.call(8, "push.subscribe", params).await;
        assert_eq!(refused["error"]["code"], "invalid_params", "{refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}:")), "{message}");
    }

    // Eight at most: the oldest goes.
    for n in 2..=9 {
        let endpoint = format!("https://push.example/send/phone-{n}");
        let answer = phone
            .call(10 + n, "push.subscribe", subscription(&endpoint))
            .await;
        assert!(answer["error"].is_null(), "{answer}");
    }
    let listed = phone.call(30, "push.list", json!({})).await;
    let endpoints: Vec<&str> = listed["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(endpoints.len(), 8);
    assert!(
        !endpoints.contains(&endpoint),
        "the oldest went: {endpoints:?}"
    );

    let unsubscribed = phone
        .call(31, "push.unsubscribe", json!({ "endpoint": endpoints[0] }))
        .await;
    assert_eq!(unsubscribed["result"]["endpoint"], endpoints[0]);
    assert_eq!(
        phone.call(32, "push.list", json!({})).await["result"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
}

#[tokio::test]
async fn a_revoked_devices_subscriptions_go_and_the_rest_outlive_a_restart() {
    let server = TestServer::start().await;
    let (phone_id, phone_token) = server.token("phone").await;
    let (_, tablet_token) = server.token("tablet").await;
    let mut phone = server.connect(&phone_token).await;
    let mut tablet = server.connect(&tablet_token).await;
    let key = phone.call(1, "push.status", json!({})).await["result"]["vapid_public_key"].clone();
    phone
        .call(
            2,
            "push.subscribe",
            subscription("https://push.example/phone"),
        )
        .await;
    tablet
        .call(
            3,
            "push.subscribe",
            subscription("https://push.example/tablet"),
        )
        .await;
    let revoke = Some(json!({ "id": phone_id }));
    server
        .engine
        .dispatch(&Caller::Local, "devices.revoke", revoke)
        .await
        .unwrap();
    assert_eq!(
        tablet.call(4, "push.list", json!({})).await["result"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let desktop = |method: &'static str, params: Value| {
        let engine = server.engine.clone();
        async move { engine.dispatch(&Caller::Local, method, Some(params)).await }
    };
    let every = desktop("push.desktop", json!({})).await.unwrap();
    assert_eq!(every["kinds"], json!(["approval", "finished", "failed"]));
    let chosen = json!({ "kinds": ["failed", "approval", "failed"] });
    let set = desktop("push.desktop_set", chosen).await.unwrap();
    assert_eq!(set["kinds"], json!(["approval", "failed"]));
    let refused = tablet
        .call(6, "push.desktop_set", json!({ "kinds": [] }))
        .await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");

    let mut restarted = server.restart().await;
    let kept = restarted
        .engine
        .dispatch(&Caller::Local, "push.desktop", Some(json!({})))
        .await
        .unwrap();
    assert_eq!(
        kept["kinds"],
        json!(["approval", "failed"]),
        "the desktop's choice is kept"
    );
    let mut tablet = restarted.connect(&tablet_token).await;
    let status = tablet.call(5, "push.status", json!({})).await;
    assert_eq!(
        status["result"]["vapid_public_key"], key,
        "the key is kept in the keyring"
    );
    let endpoints: Vec<Value> = status["result"]["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["endpoint"].clone())
        .collect();
    assert_eq!(endpoints, [json!("https://push.example/tablet")]);
    restarted.shutdown().await;
}
