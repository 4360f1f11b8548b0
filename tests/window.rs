//! The real window, driven through tauri-driver and WebKitWebDriver under Xvfb: the app starts
//! with the engine in-process; a project and a session are made in the window; the real claude
//! CLI (against the project's fake Anthropic API) streams an answer into it; LAN access goes on
//! and a phone pairs from the window's Devices screen; a tool approval is answered in the
//! window while the phone, on a WebSocket, sees the same session live, then answers the next
//! approval itself. Screenshots land in `test-output/screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::path::{Path, PathBuf};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use common::sidebar;
use common::webdriver::{Driver, ENTER, wait_for};
use common::{WAIT, app_env, claude_settings, request, start_xvfb};

/// The most frames the phone reads while waiting for the turn to end.
const MAX_FRAMES: usize = 10_000;

fn shots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/screenshots")
}

#[test]
fn the_window_runs_a_session_and_a_paired_phone_follows_it_live() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime
        .block_on(FakeAnthropic::start(Script::new([
            Reply::text(["Hello ", "from ", "the ", "window"]),
            Reply::tool_use(
                "toolu_window01",
                "Bash",
                json!({ "command": "echo approved > approved.txt && cat approved.txt", "description": "Write a file" }),
            ),
            Reply::text(["Approved ", "in ", "the ", "window."]),
            Reply::tool_use(
                "toolu_window02",
                "Bash",
                json!({ "command": "echo again > again.txt && cat again.txt", "description": "Write another file" }),
            ),
            Reply::text(["Approved ", "on ", "the ", "phone."]),
            Reply::text(["Beta one in the window."]),
            Reply::text(["Beta two in the window."]),
            Reply::text(["Alpha two in the window."]),
        ])))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let project_name = project
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let (_xvfb, display) = start_xvfb();
    let settings = claude_settings(dir.path(), &fake);
    let mut env = app_env(&display, &settings, dir.path(), "window");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    env.extend([
        ("TETHER_LAN__ADDRESS", "127.0.0.1".to_owned()),
        ("TETHER_LAN__PORT", "0".to_owned()),
        // Starting at login writes the home's autostart folder: this test's own.
        ("HOME", home.display().to_string()),
    ]);
    let mut driver = Driver::start(&env);
    let window = driver.session(Path::new(env!("CARGO_BIN_EXE_tether-desktop")));
    let address = driver.log.engine_address();

    // A project and a session, made in the window; the answer streams in.
    window.find(".connection", "Connected");
    window.type_on(
        "input[aria-label='Project folder']",
        "",
        project.path().to_str().unwrap(),
    );
    window.click_on(".add-project button", "Add project");
    window.find("h2", &project_name);
    window.screenshot(&shots().join("window-sessions.png"));
    window.click_on(
        &format!("button[aria-label='New session in {project_name}']"),
        "",
    );
    window.type_on(
        "textarea[aria-label='Message']",
        "",
        &format!("Say hello{ENTER}"),
    );
    window.find(".message-assistant", "Hello from the window");
    window.find(".chat-header .badge", "idle");
    window.screenshot(&shots().join("window-chat.png"));

    // LAN access on from the window; a phone pairs with the code (and the certificate's
    // fingerprint) the window shows, and the window approves it.
    window.click_on("nav a", "Devices");
    window.find(".lan", "off");
    window.click_on(".lan button", "Turn on");
    window.find(".lan", "https://127.0.0.1:");
    window.click_on("button", "Pair a new device");
    window.find(".offer", "SHA256:");
    let code = window.text(&window.find(".offer .code", "-"));
    window.screenshot(&shots().join("window-pairing.png"));
    let pair = {
        let (address, body) = (
            address.clone(),
            json!({ "code": code, "name": "Test phone" }).to_string(),
        );
        std::thread::spawn(move || {
            request(
                &address,
                &format!(
                    "POST /api/pair HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
            )
        })
    };
    window.click_on("[role=alertdialog] button", "Approve");
    let (status, response) = pair.join().unwrap();
    assert_eq!(status, 200, "{response}");
    let paired: Value = serde_json::from_str(response.split_once("\r\n\r\n").unwrap().1).unwrap();
    let token = paired["token"]
        .as_str()
        .expect("the phone's token")
        .to_owned();
    window.find("[role=status]", "Paired “Test phone”");
    window.find(".device", "Test phone");
    window.click_on(".lan button", "Turn off");
    window.find(".lan", "cannot reach this computer");

    // Reaching it from anywhere: a public URL set in the window, then turned off.
    window.type_on(".remote input", "", "https://desk.example.org");
    window.click_on(".remote button", "Save");
    window.find(".remote", "https://desk.example.org/");
    window.find(".remote", "set by you");
    window.screenshot(&shots().join("window-remote.png"));
    window.click_on(".remote button", "Turn off");
    window.find(".remote", "Only this computer and the LAN reach Tether");

    // Starting at login, from the window: an XDG autostart entry that starts it in the tray.
    let autostart = home.join(".config/autostart");
    let entry = || {
        let entries = std::fs::read_dir(&autostart).ok()?;
        let files: Vec<String> = entries
            .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
            .collect();
        Some(files)
    };
    window.click_on("nav a", "Settings");
    window.click_on(".login label", "Start Tether at login");
    let written = wait_for("the autostart entry", || {
        entry().filter(|files| !files.is_empty())
    });
    assert!(
        written[0].contains("--minimized") && written[0].contains("tether-desktop"),
        "{written:?}"
    );
    window.find(".login", "Start Tether at login");
    window.screenshot(&shots().join("window-devices.png"));
    window.click_on(".login label", "Start Tether at login");
    wait_for("the autostart entry to go", || {
        entry().unwrap_or_default().is_empty().then_some(())
    });

    // The phone follows the session while the window answers a tool approval.
    let mut phone = runtime.block_on(Phone::connect(&address, &token));
    let session_id = runtime.block_on(phone.only_session());
    runtime.block_on(phone.follow(&session_id));
    window.click_on(".sidebar .session-link", "idle");
    window.type_on(
        "textarea[aria-label='Message']",
        "",
        &format!("Run the command{ENTER}"),
    );
    let approval = window.find("[role=alertdialog]", "Bash");
    window.screenshot(&shots().join("window-approval.png"));
    assert!(
        window.text(&approval).contains("echo approved"),
        "the approval shows the command"
    );
    window.click_on("[role=alertdialog] button", "Allow once");
    window.find(".message-assistant", "Approved in the window.");
    window.screenshot(&shots().join("window-after-approval.png"));

    let seen = runtime.block_on(phone.until_idle(false));
    assert!(
        seen.events.contains(&"tool.approval_required".to_owned()),
        "{:?}",
        seen.events
    );
    assert_eq!(
        seen.decided_by.as_deref(),
        Some("local"),
        "the window answered it"
    );
    assert!(
        seen.text.contains("Approved in the window."),
        "the phone saw the answer stream: {:?}",
        seen.text
    );

    // The phone carries on in the same session and answers the next approval itself (its
    // events are read from the send on, so none is skipped waiting for the send's answer).
    runtime.block_on(phone.request(
        "messages.send",
        json!({ "session_id": session_id, "text": "Once more" }),
    ));
    let seen = runtime.block_on(phone.until_idle(true));
    assert_eq!(
        seen.decided_by.as_deref(),
        Some("Test phone"),
        "the phone answered it"
    );
    assert!(
        seen.text.contains("Approved on the phone."),
        "{:?}",
        seen.text
    );

    sidebar::flow(&window, &project_name, &shots());
}

/// A paired phone on the engine's WebSocket.
struct Phone {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
}

/// What the phone saw of a turn.
struct Seen {
    events: Vec<String>,
    decided_by: Option<String>,
    text: String,
}

impl Phone {
    async fn connect(address: &str, token: &str) -> Self {
        let mut request = format!("ws://{address}/ws").into_client_request().unwrap();
        let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        request.headers_mut().insert("authorization", bearer);
        let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
            .await
            .unwrap()
            .expect("the paired phone connects");
        let mut phone = Self { socket, next_id: 0 };
        assert_eq!(phone.next().await["type"], "welcome");
        phone
    }

    /// The next text frame (pings and pongs skipped), within [`WAIT`] in all.
    async fn next(&mut self) -> Value {
        let text = async {
            for _ in 0..MAX_FRAMES {
                if let Message::Text(text) = self.socket.next().await.unwrap().unwrap() {
                    return serde_json::from_str(&text).unwrap();
                }
            }
            panic!("more than {MAX_FRAMES} frames without a text frame");
        };
        tokio::time::timeout(WAIT, text)
            .await
            .expect("a text frame in time")
    }

    /// Sends a request without waiting for its answer.
    async fn request(&mut self, method: &str, params: Value) {
        self.next_id += 1;
        let frame =
            json!({ "type": "request", "id": self.next_id, "method": method, "params": params });
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    /// Calls a method and returns its result (events arriving meanwhile are skipped).
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.request(method, params).await;
        let answer = async {
            for _ in 0..MAX_FRAMES {
                let frame = self.next().await;
                if frame["type"] == "response" && frame["id"] == self.next_id {
                    return frame["result"].clone();
                }
            }
            panic!("no answer to {method}");
        };
        tokio::time::timeout(WAIT, answer)
            .await
            .unwrap_or_else(|_| panic!("no answer to {method} in time"))
    }

    async fn only_session(&mut self) -> String {
        let sessions = self.call("sessions.list", json!({})).await;
        sessions[0]["id"]
            .as_str()
            .expect("the window's session")
            .to_owned()
    }

    async fn follow(&mut self, session_id: &str) {
        let frame = json!({ "type": "subscribe", "channels": [format!("session:{session_id}")] });
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
        assert_eq!(self.next().await["type"], "subscribed");
    }

    /// Reads the session's events until the turn that follows an approval ends; `approve`:
    /// answers that approval itself.
    async fn until_idle(&mut self, approve: bool) -> Seen {
        let mut seen = Seen {
            events: Vec::new(),
            decided_by: None,
            text: String::new(),
        };
        let ended = async {
            for _ in 0..MAX_FRAMES {
                let frame = self.next().await;
                let Some(event) = frame["event"].as_str() else {
                    continue;
                };
                seen.events.push(event.to_owned());
                match event {
                    "tool.approval_required" if approve => {
                        let request_id = frame["data"]["approval"]["request_id"].clone();
                        let channel = frame["channel"].as_str().unwrap();
                        let session_id = channel.trim_start_matches("session:").to_owned();
                        let params = json!({ "session_id": session_id, "request_id": request_id });
                        // Its answer is skipped like any frame that is not an event.
                        self.request("tools.approve", params).await;
                    }
                    "tool.approval_resolved" => {
                        seen.decided_by = frame["data"]["by"].as_str().map(str::to_owned)
                    }
                    "part.delta" => seen
                        .text
                        .push_str(frame["data"]["text"].as_str().unwrap_or_default()),
                    "session.updated"
                        if seen.decided_by.is_some()
                            && frame["data"]["session"]["status"] == "idle" =>
                    {
                        return true;
                    }
                    _ => {}
                }
            }
            false
        };
        if tokio::time::timeout(WAIT, ended).await == Ok(true) {
            return seen;
        }
        panic!(
            "the turn never ended in time; the phone saw {:?}",
            seen.events
        );
    }
}
