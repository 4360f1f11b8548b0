//! Signing in with an SSH key: a fresh challenge, signed in the SSH signature format, checked
//! against the keys the desktop authorized; and each way it fails.

use serde_json::{Value, json};
use ssh_key::{Algorithm, HashAlg, PrivateKey};
use tether_engine::auth::Caller;
use tether_engine::auth::ssh::{NAMESPACE, authorization, signed_message};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Request};

use crate::common::{TestServer, post_json, raw_http_from, refused_status};

fn keypair() -> PrivateKey {
    PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519).unwrap()
}

async fn challenge(server: &TestServer) -> String {
    let (status, answer) = post_json(server.addr, "/api/auth/challenge", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["namespace"], NAMESPACE);
    answer["challenge"].as_str().unwrap().to_owned()
}

fn signed(server: &TestServer, key: &PrivateKey, challenge: &str) -> Request<()> {
    let signature = key
        .sign(
            NAMESPACE,
            HashAlg::Sha512,
            &signed_message(&server.addr.to_string(), challenge),
        )
        .unwrap();
    let mut request = server.url().into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&authorization(challenge, &signature).unwrap()).unwrap(),
    );
    request
}

fn reason(refusal: (u16, Value)) -> (u16, String) {
    let why = refusal.1["details"]["reason"].as_str().unwrap_or_default();
    (refusal.0, why.to_owned())
}

#[tokio::test]
async fn an_authorized_key_signs_in_once_per_challenge_and_others_are_refused() {
    let server = TestServer::start().await;
    let key = keypair();
    let public_key = key.public_key().to_openssh().unwrap();
    let added = server
        .engine
        .dispatch(
            &Caller::Local,
            "keys.add",
            Some(json!({ "public_key": public_key, "name": "build box" })),
        )
        .await
        .unwrap();

    let fresh = challenge(&server).await;
    let mut client = server
        .connect_with(signed(&server, &key, &fresh))
        .await
        .expect("a good signature signs in");
    let info = client.call(1, "system.info", json!({})).await;
    assert!(info["result"].is_object(), "{info}");

    let replay = server.connect_with(signed(&server, &key, &fresh)).await;
    assert_eq!(
        reason(refused_status(replay)),
        (401, "stale_challenge".into())
    );

    let stranger = keypair();
    let fresh = challenge(&server).await;
    let refused = server
        .connect_with(signed(&server, &stranger, &fresh))
        .await;
    assert_eq!(reason(refused_status(refused)), (401, "unknown_key".into()));

    let asked = challenge(&server).await;
    let other = challenge(&server).await;
    let mut forged = signed(&server, &key, &other);
    let header = forged.headers()["authorization"]
        .to_str()
        .unwrap()
        .replace(&other, &asked);
    forged
        .headers_mut()
        .insert("authorization", HeaderValue::from_str(&header).unwrap());
    assert_eq!(
        reason(refused_status(server.connect_with(forged).await)),
        (401, "bad_signature".into()),
        "a signature over another challenge"
    );

    let listed = client.call(2, "keys.list", json!({})).await;
    assert_eq!(listed["result"][0]["fingerprint"], added["fingerprint"]);
    assert!(listed["result"][0]["last_used"].is_u64());
    server
        .engine
        .dispatch(
            &Caller::Local,
            "keys.remove",
            Some(json!({ "fingerprint": added["fingerprint"] })),
        )
        .await
        .unwrap();
    assert_eq!(
        client.close_code().await,
        4001,
        "removing the key closes its connections"
    );
    let fresh = challenge(&server).await;
    let after = server.connect_with(signed(&server, &key, &fresh)).await;
    assert_eq!(reason(refused_status(after)), (401, "unknown_key".into()));
}

#[tokio::test]
async fn every_loopback_address_shares_one_allowance_of_challenges() {
    let server = TestServer::start_with(|config| config.pairing.attempts_per_minute = 3).await;
    let request = format!(
        "POST /api/auth/challenge HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.addr
    );
    let mut statuses = Vec::new();
    for n in 2..8 {
        let (status, _) = raw_http_from([127, 0, 0, n], server.addr, &request).await;
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 429, 429, 429],
        "six loopback addresses, one allowance of three"
    );
}
