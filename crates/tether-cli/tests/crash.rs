//! A crashed engine leaves its `claude` running; the next engine on the same data directory stops it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_core::supervisor::process::processes_in;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tokio::process::{Child, Command};

use crate::common::{MAX_FRAMES, WAIT};

mod common;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

struct Setup {
    data: tempfile::TempDir,
    config: std::path::PathBuf,
    service: String,
    _claude_home: tempfile::TempDir,
}

impl Setup {
    fn tether(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tether"));
        command
            .arg("--config")
            .arg(&self.config)
            .env("TETHER_DATA_DIR", self.data.path())
            .env("TETHER_KEYRING_SERVICE", &self.service)
            .kill_on_drop(true);
        command
    }

    async fn output(&self, args: &[&str]) -> String {
        let output = tokio::time::timeout(WAIT, self.tether().args(args).output())
            .await
            .unwrap()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    async fn serve(&self) -> (Child, String) {
        common::serve(self.tether()).await
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        use tether_core::auth::{KeyringVault, TokenVault};
        let _ = KeyringVault::new(&self.service).store(&[]);
    }
}

async fn next_json<S>(socket: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let mut frames = 0;
    loop {
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
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claude_left_by_a_crashed_engine_is_stopped_by_the_next_one() {
    let claude = std::env::var("TETHER_CLAUDE")
        .expect("TETHER_CLAUDE must name the claude binary: run through `make test`");
    let fake = FakeAnthropic::start(Script::new([Reply::Stall {
        chunks: vec!["busy".into()],
    }]))
    .await
    .unwrap();
    let claude_home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("tether.toml");
    std::fs::write(
        &config,
        format!(
            "[claude]\npath = {claude:?}\n[claude.env]\nANTHROPIC_BASE_URL = {:?}\nANTHROPIC_API_KEY = \"sk-test\"\nCLAUDE_CONFIG_DIR = {:?}\nCLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = \"1\"\nDISABLE_TELEMETRY = \"1\"\nCLAUDE_CODE_MAX_RETRIES = \"0\"\n",
            fake.base_url(),
            claude_home.path().display().to_string(),
        ),
    )
    .unwrap();
    use std::hash::{BuildHasher, RandomState};
    let setup = Setup {
        data,
        config,
        service: format!("tether-test-{:016x}", RandomState::new().hash_one(1)),
        _claude_home: claude_home,
    };
    let project = tempfile::tempdir().unwrap();
    let project_path = project.path().canonicalize().unwrap();

    let (mut first, address) = setup.serve().await;
    let project_id = setup
        .output(&["project", "add", project.path().to_str().unwrap()])
        .await
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let token = setup
        .output(&["token", "create", "--name", "crash"])
        .await
        .trim()
        .to_owned();
    let mut request = format!("ws://{address}/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "welcome");
    let create = json!({ "type": "request", "id": 1, "method": "sessions.create", "params": { "project_id": project_id } });
    socket
        .send(Message::text(create.to_string()))
        .await
        .unwrap();
    let session = next_json(&mut socket).await["result"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    socket
        .send(Message::text(
            json!({ "type": "subscribe", "channels": [format!("session:{session}")] }).to_string(),
        ))
        .await
        .unwrap();
    let send = json!({ "type": "request", "id": 2, "method": "messages.send", "params": { "session_id": session, "text": "work" } });
    socket.send(Message::text(send.to_string())).await.unwrap();
    let mut frames = 0;
    while next_json(&mut socket).await["event"] != "part.delta" {
        frames += 1;
        assert!(
            frames <= MAX_FRAMES,
            "more than {MAX_FRAMES} frames without the one awaited"
        );
    }

    first.kill().await.unwrap();
    first.wait().await.unwrap();
    assert!(
        !processes_in(&project_path).is_empty(),
        "the crash left claude running, waiting on its stalled stream"
    );

    let (mut second, _) = setup.serve().await;
    assert_eq!(
        processes_in(&project_path),
        Vec::<u32>::new(),
        "the next engine stopped it before serving"
    );
    second.kill().await.unwrap();
}
