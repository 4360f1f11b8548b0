//! `tether pair` as a user runs it: the code and QR code on the terminal, a phone presenting
//! the code over HTTP, the approval, the phone on the WebSocket with its token; and afterwards
//! neither the token nor the code is anywhere in the logs or the data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::Path;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::common::watcher::stop;
use crate::common::{MAX_FRAMES, PairRun, Setup, WAIT, call, connect, http, serve};

mod common;

/// What a phone sends after scanning the QR code: the code and its name.
async fn present_code(address: &str, code: &str, name: &str) -> (u16, Value) {
    let body = json!({ "code": code, "name": name }).to_string();
    let request = format!(
        "POST /api/pair HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    http(address, &request).await
}

/// Every file under `dir`, read whole.
fn every_file(dir: &Path, found: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            every_file(&path, found);
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path.display().to_string(), bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_pairs_through_tether_pair_and_no_secret_is_left_behind() {
    let setup = Setup::plain();
    let logs = tempfile::NamedTempFile::new().unwrap();
    let mut tether = setup.tether();
    tether
        .env("TETHER_LOG", "debug")
        .stderr(Stdio::from(logs.reopen().unwrap()));
    let (server, address) = serve(tether).await;

    let PairRun {
        child: mut pair,
        code,
        shown,
        mut lines,
    } = setup.pair_yes().await;
    assert!(
        shown
            .iter()
            .any(|line| line.contains('▀') || line.contains('▄')),
        "a QR code is drawn: {shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|line| line.contains(&format!("http://{address}/#pair={code}"))),
        "{shown:?}"
    );

    let (status, answer) = present_code(&address, &code, "Pixel 9").await;
    assert_eq!(status, 200, "{answer}");
    let token = answer["token"].as_str().unwrap().to_owned();
    let mut rest = String::new();
    for _ in 0..MAX_FRAMES {
        match tokio::time::timeout(WAIT, lines.next_line())
            .await
            .unwrap()
            .unwrap()
        {
            Some(line) => rest.push_str(&line),
            None => break,
        }
    }
    assert!(rest.contains("Paired \"Pixel 9\""), "{rest}");
    assert!(pair.wait().await.unwrap().success());

    let mut phone = connect(&address, &token).await;
    let devices = call(&mut phone, 1, "devices.list", json!({})).await;
    assert_eq!(devices[0]["name"], "Pixel 9");
    assert_eq!(devices[0]["online"], true);
    let (status, again) = present_code(&address, &code, "copycat").await;
    assert_eq!(
        (status, again["details"]["reason"].as_str()),
        (403, Some("invalid_code"))
    );
    drop(phone);
    stop(server).await;

    let mut files = vec![("log".to_owned(), std::fs::read(logs.path()).unwrap())];
    assert!(
        contains(&files[0].1, "device paired"),
        "the log is the engine's"
    );
    every_file(setup.data.path(), &mut files);
    assert!(files.iter().any(|(path, _)| path.ends_with("tether.db")));
    // `tether_<id>_<secret>`: the secret is base64url, which has `_` in its alphabet too.
    let secret = token.splitn(3, '_').nth(2).unwrap();
    assert!(secret.len() >= 40, "the whole secret part");
    let bare_code = code.replace('-', "");
    for (path, bytes) in &files {
        for (what, needle) in [
            ("token", token.as_str()),
            ("token's secret", secret),
            ("code", code.as_str()),
            ("code without its dash", bare_code.as_str()),
        ] {
            assert!(!contains(bytes, needle), "{path} holds the {what}");
        }
    }
}
