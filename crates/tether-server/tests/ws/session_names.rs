//! A session's name: given, trimmed, listed and told to every device; refused when it is too
//! long or not one line; taken away; kept when the session is archived and read from the store.

use serde_json::json;
use tether_fake_anthropic::Reply;

use crate::claude::ClaudeBench;
use tether_engine::auth::Caller;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_named_renamed_and_keeps_its_name_when_archived() {
    let bench = ClaudeBench::start(vec![Reply::text(["one"])]).await;
    let mut seat = bench.seat().await;
    let named = seat
        .call("sessions.rename", json!({ "title": "  Garden path  " }))
        .await;
    assert_eq!(
        named["result"]["session"]["title"], "Garden path",
        "{named}"
    );
    seat.until(|event| {
        event["event"] == "session.updated" && event["data"]["session"]["title"] == "Garden path"
    })
    .await;
    let listed = bench
        .server
        .engine
        .dispatch(&Caller::Local, "sessions.list", Some(json!({})))
        .await
        .unwrap();
    assert_eq!(listed[0]["title"], "Garden path", "{listed}");

    for bad in ["two\nlines".to_owned(), "x".repeat(121)] {
        let refused = seat.call("sessions.rename", json!({ "title": bad })).await;
        assert_eq!(refused["error"]["code"], "invalid_params", "{refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("title:"),
            "{refused}"
        );
    }
    let cleared = seat
        .call("sessions.rename", json!({ "title": "   " }))
        .await;
    assert!(cleared["result"]["session"]["title"].is_null(), "{cleared}");
    seat.call("sessions.rename", json!({ "title": "Kept" }))
        .await;
    let archived = seat.call("sessions.archive", json!({})).await;
    assert!(archived["error"].is_null(), "{archived}");
    let read = seat.call("sessions.get", json!({})).await;
    assert_eq!(read["result"]["session"]["title"], "Kept", "{read}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_prompt_names_an_untitled_session_and_never_a_named_one() {
    let bench = ClaudeBench::start(vec![
        Reply::text(["one"]),
        Reply::text(["two"]),
        Reply::text(["three"]),
    ])
    .await;
    let mut seat = bench.seat().await;
    seat.turn("\n  Plant the tomatoes in May  \nand water them", "idle")
        .await;
    let read = seat.call("sessions.get", json!({})).await;
    assert_eq!(
        read["result"]["session"]["title"], "Plant the tomatoes in May",
        "{read}"
    );
    seat.turn("A second prompt", "idle").await;
    let read = seat.call("sessions.get", json!({})).await;
    assert_eq!(
        read["result"]["session"]["title"],
        "Plant the tomatoes in May"
    );

    // A name taken away stays away: only the first prompt names.
    seat.call("sessions.rename", json!({ "title": "" })).await;
    seat.turn("A third prompt", "idle").await;
    let read = seat.call("sessions.get", json!({})).await;
    assert!(read["result"]["session"]["title"].is_null(), "{read}");
}
