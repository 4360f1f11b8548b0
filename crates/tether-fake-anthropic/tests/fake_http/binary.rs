//! The `tether-fake-anthropic` binary: one `listening on` line, serves the script file, exits 0 on SIGTERM.

use std::process::Stdio;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::time::timeout;

use crate::client::{STEP, post_messages};

fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tether-fake-anthropic"));
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

#[tokio::test]
async fn serves_a_script_file_until_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    let replies = json!([{"type": "text", "chunks": ["from", " file"]}]);
    std::fs::write(&script, replies.to_string()).unwrap();

    let mut child = binary().arg("--script").arg(&script).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = timeout(STEP, stdout.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = line.strip_prefix("listening on ").expect(&line);
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .expect(&line);

    let events = post_messages(([127, 0, 0, 1], port).into(), "m")
        .await
        .response()
        .await
        .events();
    let text: String = events
        .iter()
        .filter_map(|e| e["delta"]["text"].as_str())
        .collect();
    assert_eq!(text, "from file");

    let pid = child.id().unwrap().to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
    let status = timeout(STEP, child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "{status:?}");
    let rest = timeout(STEP, stdout.next_line()).await.unwrap().unwrap();
    assert_eq!(rest, None, "exactly one stdout line");
}

#[tokio::test]
async fn a_bad_script_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bad.json");
    std::fs::write(&script, r#"[{"type":"nope"}]"#).unwrap();
    let output = timeout(STEP, binary().arg("--script").arg(&script).output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.json"), "{stderr}");
}
