//! The window's commands called through Tauri's real IPC layer on the mock runtime (no display,
//! no engine, no network): their arguments, answers and refusals as the UI sees them.

use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewWindow, WebviewWindowBuilder};
use tether_engine::config::UpdateSettings;

use crate::engine_host::EngineHost;
use crate::{ipc, updates};

/// How long a test waits for an event.
const WAIT: Duration = Duration::from_secs(10);

fn app() -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = mock_builder()
        .invoke_handler(crate::window_commands())
        .build(mock_context(noop_assets()))
        .expect("a mock app");
    let quiet = UpdateSettings {
        check_at_start: false,
        ..UpdateSettings::default()
    };
    updates::start(app.handle(), quiet);
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a mock window");
    (app, window)
}

/// Calls `command` with `args` as the UI would; its answer, or its error.
fn invoke(window: &WebviewWindow<MockRuntime>, command: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("a URL"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn updating_reports_where_it_stands_and_refuses_steps_out_of_order() {
    let (app, window) = app();
    let (tx, events) = mpsc::channel();
    app.listen(updates::UPDATE_EVENT, move |event| {
        let _ = tx.send(serde_json::from_str::<Value>(event.payload()).expect("a status"));
    });

    let first = invoke(&window, "update_status", json!({})).expect("a status");
    assert_eq!(first["state"], "idle");
    assert_eq!(first["asked"], false);
    assert_eq!(first["current"], app.package_info().version.to_string());

    assert_eq!(
        invoke(&window, "update_download", json!({})),
        Err(json!("No update is offered: look for one first."))
    );
    assert_eq!(
        invoke(&window, "update_install", json!({})),
        Err(json!("No update is downloaded: download it first."))
    );

    // This test binary was not installed from a package: looking says so, and the window hears
    // each step.
    assert_eq!(invoke(&window, "update_check", json!({})), Ok(Value::Null));
    let checking = events.recv_timeout(WAIT).expect("the check starting");
    assert_eq!(
        (checking["state"].as_str(), checking["asked"].as_bool()),
        (Some("checking"), Some(true))
    );
    let unavailable = events.recv_timeout(WAIT).expect("the check's answer");
    assert_eq!(unavailable["state"], "unavailable");
    assert!(
        unavailable["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains(".deb or .rpm")),
        "{unavailable}"
    );
    assert_eq!(invoke(&window, "update_status", json!({})), Ok(unavailable));
}

#[test]
fn the_engine_link_explains_an_engine_that_could_not_start_and_a_closed_link() {
    let (app, window) = app();
    app.manage(EngineHost::start(Err(
        "invalid settings: port: nope".to_owned()
    )));
    app.manage(ipc::Links::default());

    let refused = invoke(
        &window,
        "engine_connect",
        json!({ "onDelivery": "__CHANNEL__:7" }),
    );
    let reason = refused.expect_err("no engine to link to");
    assert!(
        reason
            .as_str()
            .is_some_and(|reason| reason.contains("not running") && reason.contains("port: nope")),
        "{reason}"
    );
    assert_eq!(
        invoke(&window, "engine_send", json!({ "link": 3, "frame": "{}" })),
        Err(json!("that link is closed"))
    );
    assert_eq!(
        invoke(&window, "engine_disconnect", json!({ "link": 3 })),
        Ok(Value::Null)
    );
    assert!(
        invoke(&window, "engine_send", json!({ "frame": "{}" }))
            .expect_err("a link is required")
            .as_str()
            .is_some_and(|error| error.contains("link")),
    );
}

#[test]
fn only_web_and_mail_links_are_opened_outside() {
    let (_app, window) = app();
    for (url, refusal) in [
        ("file:///etc/passwd", "not file: links"),
        ("javascript:alert(1)", "not javascript: links"),
        ("tauri://localhost/", "not tauri: links"),
        ("no scheme", "Not a link"),
    ] {
        let error = invoke(&window, "open_link", json!({ "url": url })).expect_err(url);
        assert!(
            error.as_str().is_some_and(|error| error.contains(refusal)),
            "{url}: {error}"
        );
    }
}
