//! The REST routes and the simple chat endpoint, over real sockets with the real CLI.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_fake_anthropic::Reply;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::claude::{ClaudeBench, processes_in};
use crate::common::{MAX_FRAMES, WAIT, raw_http, refused_status};
use crate::metrics::{metrics_text, sample};

/// One HTTP request with a bearer token and a JSON body; returns the status and the parsed body.
async fn http(
    bench: &ClaudeBench,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let addr = bench.server.addr;
    let auth = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, body) = raw_http(addr, &request).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_routes_and_rpc_over_http_keep_methods_bodies_and_codes() {
    let bench = ClaudeBench::start(Vec::new()).await;
    let token = Some(bench.token.as_str());
    let create = json!({ "project_id": bench.project_id }).to_string();
    let (status, created) = http(&bench, "POST", "/api/sessions", token, &create).await;
    assert_eq!(status, 201, "{created}");
    let id = created["result"]["id"].as_str().unwrap().to_owned();
    let (project, session) = (bench.project_id.as_str(), format!("/api/sessions/{id}"));

    // (method, path, body, status, a JSON pointer into the answer, what it must hold)
    let cases: Vec<(&str, String, &str, u16, &str, Value)> = vec![
        (
            "GET",
            "/api/projects".into(),
            "",
            200,
            "/result/0/id",
            json!(project),
        ),
        (
            "POST",
            "/api/projects".into(),
            r#"{"path":"/"}"#,
            403,
            "/code",
            json!("forbidden"),
        ),
        (
            "GET",
            "/api/projects/nope".into(),
            "",
            404,
            "/code",
            json!("not_found"),
        ),
        (
            "GET",
            session.clone(),
            "",
            200,
            "/result/session/id",
            json!(id),
        ),
        (
            "GET",
            format!("/api/sessions?project_id={project}"),
            "",
            200,
            "/result/0/id",
            json!(id),
        ),
        (
            "PUT",
            session.clone(),
            r#"{"permission_mode":"plan"}"#,
            200,
            "/result/session/permission_mode",
            json!("plan"),
        ),
        (
            "PUT",
            session.clone(),
            r#"{"owner":"me"}"#,
            400,
            "/code",
            json!("invalid_params"),
        ),
        (
            "PUT",
            session.clone(),
            r#"{"permission_mode":"bypassPermissions"}"#,
            403,
            "/code",
            json!("forbidden"),
        ),
        (
            "POST",
            "/api/rpc/system.info".into(),
            "",
            200,
            "/result/protocol",
            json!(1),
        ),
        (
            "POST",
            "/api/rpc/no.such".into(),
            "{}",
            404,
            "/code",
            json!("method_not_found"),
        ),
        (
            "POST",
            "/api/rpc/sessions.get".into(),
            "{not json",
            400,
            "/code",
            json!("invalid_params"),
        ),
        (
            "DELETE",
            session.clone(),
            "",
            200,
            "/result/session/status",
            json!("ended"),
        ),
    ];
    for (method, path, body, status, pointer, expected) in cases {
        let (got, answer) = http(&bench, method, &path, token, body).await;
        assert_eq!(
            (got, answer.pointer(pointer)),
            (status, Some(&expected)),
            "{method} {path} {body}: {answer}"
        );
    }
    let (_, listed) = http(
        &bench,
        "GET",
        &format!("/api/sessions?project_id={project}"),
        token,
        "",
    )
    .await;
    assert_eq!(
        listed["result"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    let (status, body) = http(&bench, "GET", "/api/projects", None, "").await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    let foreign = format!(
        "GET /api/projects HTTP/1.1\r\nHost: evil.example:{}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        bench.server.addr.port(),
        bench.token
    );
    assert_eq!(
        raw_http(bench.server.addr, &foreign).await.0,
        403,
        "the Host rule holds for the API too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simple_chat_endpoint_streams_chunks_usage_and_session_end() {
    let bench = ClaudeBench::start(vec![Reply::text(["Hel", "lo"]), Reply::text(["again"])]).await;
    let url = |project: &str| format!("ws://{}/ws/chat/{project}", bench.server.addr);
    let authorized = |project: &str| {
        let mut request = url(project).into_client_request().unwrap();
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {}", bench.token)).unwrap(),
        );
        request
    };
    let (status, body) = refused_status(bench.server.connect_with(authorized("unknown")).await);
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("not_found")),
        "unknown projects are refused before the upgrade"
    );
    assert_eq!(
        refused_status(
            bench
                .server
                .connect_with(url(&bench.project_id).into_client_request().unwrap())
                .await
        )
        .0,
        401
    );

    let (mut socket, _) = tokio_tungstenite::connect_async(authorized(&bench.project_id))
        .await
        .unwrap();
    let mut watcher = bench.client().await;
    watcher
        .send_json(json!({ "type": "subscribe", "channels": ["user:owner"] }))
        .await;
    assert_eq!(watcher.next_json().await["type"], "subscribed");
    let before = metrics_text(bench.server.addr).await;
    let mut chat_frames: u64 = 0;
    for (prompt, expected) in [
        (json!("say hi").as_str().unwrap().to_owned(), "Hello"),
        (
            json!({"type": "prompt", "content": "more"}).to_string(),
            "again",
        ),
    ] {
        socket.send(Message::text(prompt)).await.unwrap();
        let mut chunks = String::new();
        let mut usage = None;
        let mut frames = 0;
        let end = loop {
            frames += 1;
            assert!(
                frames <= MAX_FRAMES,
                "more than {MAX_FRAMES} frames without the one awaited"
            );
            let message = tokio::time::timeout(WAIT, socket.next())
                .await
                .expect("no frame in time")
                .unwrap()
                .unwrap();
            let frame: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
            match frame["type"].as_str() {
                Some("assistant_chunk") => chunks.push_str(frame["content"].as_str().unwrap()),
                Some("usage_update") => usage = Some(frame),
                Some("session_end") => break frame,
                other => panic!("unexpected frame {other:?}: {frame}"),
            }
        };
        chat_frames += frames as u64;
        assert_eq!(chunks, expected);
        assert!(
            usage.expect("usage_update before session_end")["usage"]["output_tokens"]
                .as_u64()
                .unwrap()
                > 0
        );
        assert_eq!(end["status"], "idle");
        assert!(
            end["total_cost_usd"].as_f64().unwrap() > 0.0 && end["usage_summary"].is_object(),
            "{end}"
        );
    }
    // The conversation's frames are counted with everyone's: its two prompts in, and at least
    // what it was sent (the watcher's events are counted too).
    let after = metrics_text(bench.server.addr).await;
    let grew = |name: &str| sample(&after, name) - sample(&before, name);
    assert_eq!(grew("tether_frames_received_total"), 2);
    assert!(grew("tether_frames_sent_total") >= chat_frames, "{after}");
    socket.close(None).await.unwrap();
    let ended = |e: &Value| e["event"] == "session.ended";
    let summary = watcher.events_until(&mut Vec::new(), ended).await;
    assert_eq!(
        summary.last().unwrap()["data"]["session"]["status"],
        "ended",
        "leaving archives the session"
    );
    assert_eq!(processes_in(&bench.project_path()), Vec::<u32>::new());
}
