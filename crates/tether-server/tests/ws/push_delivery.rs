//! Pushes, through the stand-in push service: the real claude asks for an approval, then
//! finishes, and each subscribed device is told (encrypted, signed, urgency by kind, nothing
//! of the prompt or the command), and the approval is answered from the notification with its
//! single-use credential; a burst is one push and what is new after it one more; 410 removes the subscription, 429 waits
//! its `Retry-After`, a hanging service holds up nothing else; a revoked device gets nothing.

use std::time::Duration;

use serde_json::{Value, json};
use tether_fake_anthropic::Reply;
use tether_fake_push::PushService;

use crate::claude::{ClaudeBench, status_is};
use crate::common::post_json;
use tether_engine::auth::Caller;
use tether_protocol::events::{AccountEvent, SessionSummary};
use tether_protocol::model::{SessionInfo, SessionStatus};

const COMMAND: &str = "echo secret-command-text > out.txt";
const PROMPT: &str = "a prompt that must never be pushed";

/// A bench whose engine trusts the stand-in, with a phone subscribed to `kinds` at
/// `/{behaviour}/phone`.
async fn bench(replies: Vec<Reply>, push: &PushService) -> ClaudeBench {
    let ca = push.ca_file.path().to_path_buf();
    ClaudeBench::start_with(replies, move |config| config.push.extra_ca_file = Some(ca)).await
}

async fn subscribe(bench: &ClaudeBench, push: &PushService, token: &str, subscription: Value) {
    let mut device = bench.server.connect(token).await;
    let status = device.call(1, "push.status", json!({})).await;
    push.expect_vapid(status["result"]["vapid_public_key"].as_str().unwrap());
    let subscribed = device.call(2, "push.subscribe", subscription).await;
    assert!(subscribed["error"].is_null(), "{subscribed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_and_a_finished_turn_reach_the_phone_and_nothing_of_the_prompt() {
    let mut push = PushService::start().await;
    let bench = bench(
        vec![
            Reply::tool_use(
                "toolu_push01",
                "Bash",
                json!({ "command": COMMAND, "description": "Write" }),
            ),
            Reply::text(["Done."]),
        ],
        &push,
    )
    .await;
    let phone = push.browser("ok", "phone");
    let all = ["approval", "finished", "failed"];
    subscribe(&bench, &push, &bench.token, phone.subscription(&all)).await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": PROMPT })).await;
    let asked = seat
        .until(|event| event["event"] == "tool.approval_required")
        .await;
    let approval = asked.last().unwrap()["data"]["approval"].clone();

    let pushed = push.next().await;
    assert_eq!(pushed.payload["kind"], "approval", "{:?}", pushed.payload);
    assert_eq!(pushed.payload["session_id"], seat.session.as_str());
    let project = bench.project.path().file_name().unwrap().to_str().unwrap();
    assert_eq!(pushed.payload["project"], project);
    assert_eq!(pushed.payload["title"], "Claude is waiting for you");
    assert_eq!(pushed.urgency, "high");
    assert!(
        !pushed.topic.is_empty() && pushed.topic.len() <= 32,
        "{}",
        pushed.topic
    );
    let text = pushed.payload.to_string();
    assert!(
        !text.contains("secret-command-text") && !text.contains(PROMPT),
        "{text}"
    );

    // Allow, from the notification: with the credential it carried, once.
    let answer = &pushed.payload["approval"];
    assert_eq!(answer["request_id"], approval["request_id"]);
    let credential = answer["credential"].as_str().unwrap();
    assert!(!credential.contains(&bench.token), "never the device token");
    let allow = json!({ "credential": credential, "decision": "allow" });
    let (status, body) = post_json(bench.server.addr, "/api/push/answer", &allow).await;
    assert_eq!(status, 200, "{body}");
    seat.until(status_is("idle")).await;
    let (status, _) = post_json(bench.server.addr, "/api/push/answer", &allow).await;
    assert_eq!(status, 403, "a credential answers once");
    let made_up = json!({ "credential": "tether_answer_made-up", "decision": "deny" });
    assert_eq!(
        post_json(bench.server.addr, "/api/push/answer", &made_up)
            .await
            .0,
        403
    );
    let finished = push.next().await;
    assert_eq!(finished.payload["kind"], "finished");
    assert_eq!(finished.urgency, "low");
    assert_eq!(finished.topic, pushed.topic, "one topic per session");
}

/// Tells the engine's followers that `session` moved to `status`.
fn moved(bench: &ClaudeBench, session: &SessionInfo, status: SessionStatus) {
    let session = SessionInfo {
        status,
        ..session.clone()
    };
    bench
        .server
        .engine
        .announce(&AccountEvent::SessionUpdated(SessionSummary { session }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_gone_busy_hanging_and_revoked_subscriptions_are_handled() {
    let mut push = PushService::start().await;
    let bench = bench(vec![Reply::text(["ok"])], &push).await;
    let (tablet_id, tablet_token) = bench.server.token("tablet").await;
    let (_, watch_token) = bench.server.token("watch").await;
    let (_, laptop_token) = bench.server.token("laptop").await;
    let approvals = ["approval"];
    let (hang, gone, busy, revoked, burst) = (
        push.browser("hang", "phone"),
        push.browser("gone", "laptop"),
        push.browser("busy", "watch"),
        push.browser("ok", "tablet"),
        push.browser("ok", "burst"),
    );
    subscribe(&bench, &push, &bench.token, hang.subscription(&approvals)).await;
    subscribe(&bench, &push, &laptop_token, gone.subscription(&approvals)).await;
    subscribe(&bench, &push, &watch_token, busy.subscription(&approvals)).await;
    subscribe(
        &bench,
        &push,
        &tablet_token,
        revoked.subscription(&approvals),
    )
    .await;
    let told = ["approval", "finished"];
    subscribe(&bench, &push, &bench.token, burst.subscription(&told)).await;
    let revoke = Some(json!({ "id": tablet_id }));
    bench
        .server
        .engine
        .dispatch(&Caller::Local, "devices.revoke", revoke)
        .await
        .unwrap();

    let mut seat = bench.seat().await;
    let info: SessionInfo = serde_json::from_value(
        seat.call("sessions.get", json!({})).await["result"]["session"].clone(),
    )
    .unwrap();
    // A burst of approvals for one session, then the turn finishes: the first approval leaves
    // at once, the same again is dropped, and what is new (finished) follows at the window's end.
    for _ in 0..5 {
        moved(&bench, &info, SessionStatus::Running);
        moved(&bench, &info, SessionStatus::AwaitingApproval);
    }
    moved(&bench, &info, SessionStatus::Idle);
    let mut seen: Vec<(String, u16, String)> = Vec::new();
    // gone (410), busy (429), busy again after its Retry-After (201), and the burst's two; the
    // hanging one never answers and holds up none of them; the revoked tablet is never tried.
    for _ in 0..5 {
        let pushed = push.next().await;
        let kind = pushed.payload["kind"].as_str().unwrap().to_owned();
        seen.push((pushed.path, pushed.status, kind));
    }
    seen.sort_by(|one, other| one.0.cmp(&other.0));
    let seen: Vec<(&str, u16, &str)> = seen
        .iter()
        .map(|(path, status, kind)| (path.as_str(), *status, kind.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("/busy/watch", 429, "approval"),
            ("/busy/watch", 201, "approval"),
            ("/gone/laptop", 410, "approval"),
            ("/ok/burst", 201, "approval"),
            ("/ok/burst", 201, "finished"),
        ]
    );
    // Counted once the engine has read each answer: busy's second try and the burst's two.
    let sent = || {
        let metrics = tether_engine::metrics::scrape(&bench.server.engine);
        metrics
            .lines()
            .find_map(|line| line.strip_prefix("tether_pushes_sent_total "))
            .and_then(|count| count.trim().parse::<u64>().ok())
    };
    let mut counted = sent();
    for _ in 0..200 {
        if counted == Some(3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        counted = sent();
    }
    assert_eq!(counted, Some(3));

    // The gone subscription is removed once the engine has read the 410.
    let mut laptop = bench.server.connect(&laptop_token).await;
    let mut left = None;
    for _ in 0..200 {
        let listed = laptop.call(1, "push.list", json!({})).await;
        if listed["result"] == json!([]) {
            left = Some(listed);
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(left.is_some(), "a 410 removes the subscription");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ntfy_gets_the_same_moves_with_its_headers_and_nothing_of_the_prompt() {
    use axum::extract::Request;
    let (sender, mut published) = tokio::sync::mpsc::unbounded_channel();
    let topic = axum::Router::new().route(
        "/tether-topic",
        axum::routing::post(move |request: Request| {
            let sender = sender.clone();
            async move {
                let (parts, body) = request.into_parts();
                // As a protected ntfy topic: publishing needs its token.
                if parts
                    .headers
                    .get("authorization")
                    .is_none_or(|auth| auth != "Bearer tk_topic_secret")
                {
                    return axum::http::StatusCode::FORBIDDEN;
                }
                let body = axum::body::to_bytes(body, 1 << 16).await.unwrap();
                let _ = sender.send((parts.headers, String::from_utf8_lossy(&body).into_owned()));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/tether-topic", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, topic).await });
    let bench = ClaudeBench::start_with(vec![Reply::text(["ok"])], move |config| {
        config.push.ntfy_url = Some(url);
    })
    .await;
    let engine = &bench.server.engine;
    let test = || engine.dispatch(&Caller::Local, "push.ntfy_test", Some(json!({})));
    let without = test().await.unwrap_err();
    assert!(
        without.message.contains("403") && without.message.contains("tether ntfy token"),
        "{}",
        without.message
    );
    let set = json!({ "token": "tk_topic_secret" });
    engine
        .dispatch(&Caller::Local, "push.ntfy_token", Some(set))
        .await
        .unwrap();
    let mut device = bench.server.connect(&bench.token).await;
    let refused = device.call(1, "push.ntfy_test", json!({})).await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
    let spaced = json!({ "token": "tk with spaces" });
    let bad = engine.dispatch(&Caller::Local, "push.ntfy_token", Some(spaced));
    assert_eq!(
        bad.await.unwrap_err().code,
        tether_protocol::ErrorCode::InvalidParams
    );
    // The test waits for the server's answer.
    test().await.unwrap();
    let (headers, body) = published.try_recv().expect("published before the answer");
    assert_eq!(headers["x-title"], "Tether test notification");
    assert_eq!(headers["authorization"], "Bearer tk_topic_secret");
    assert_eq!(body, "Notifications reach this device.");

    let mut seat = bench.seat().await;
    let info: SessionInfo = serde_json::from_value(
        seat.call("sessions.get", json!({})).await["result"]["session"].clone(),
    )
    .unwrap();
    moved(&bench, &info, SessionStatus::Running);
    moved(&bench, &info, SessionStatus::Idle);
    moved(&bench, &info, SessionStatus::Running);
    moved(&bench, &info, SessionStatus::AwaitingApproval);
    let (headers, body) = tokio::time::timeout(crate::common::WAIT, published.recv())
        .await
        .expect("ntfy got nothing")
        .unwrap();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        header("x-title"),
        "Claude is waiting for you",
        "finished is not among ntfy_kinds by default"
    );
    assert_eq!(header("x-priority"), "high");
    assert_eq!(header("authorization"), "Bearer tk_topic_secret");
    let click = header("x-click");
    assert!(
        click.ends_with(&format!("#/session/{}", info.id)),
        "{click}"
    );
    let project = bench.project.path().file_name().unwrap().to_str().unwrap();
    assert_eq!(body, format!("A tool needs your approval in {project}."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sends_itself_a_test_notification() {
    let mut push = PushService::start().await;
    let bench = bench(vec![Reply::text(["ok"])], &push).await;
    let phone = push.browser("ok", "tested");
    subscribe(
        &bench,
        &push,
        &bench.token,
        phone.subscription(&["approval"]),
    )
    .await;
    let mut device = bench.server.connect(&bench.token).await;
    let tested = device.call(1, "push.test", json!({})).await;
    assert_eq!(tested["result"]["queued"], 1, "{tested}");
    let pushed = push.next().await;
    assert_eq!(pushed.payload["title"], "Tether test notification");
    assert_eq!(pushed.path, "/ok/tested");
}
