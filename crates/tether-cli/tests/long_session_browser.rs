//! A long session in a real browser (`ui/e2e/long.mjs`, Debian's chromium) against the real
//! engine: one of Claude Code's transcripts with 10,000 parts (prompts, markdown answers, code,
//! tool calls) opens on its last page, scrolls to its first part page by page, and takes a part
//! a terminal adds while the reader is scrolled up without moving what they read; another,
//! with a 5 MB tool output and a 50,000-line file write, shows both cut until asked. The
//! figures land in `test-output/ui-long.json` (`make bench` reports them).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Script};

use crate::common::e2e::{self, repository};
use crate::common::{PairRun, Setup};

mod common;

const ID: &str = "5e55a0a0-1000-4000-8000-000000000001";
const HUGE_ID: &str = "5e55a0a0-1000-4000-8000-000000000002";
const CWD: &str = "/home/u/long-project";
/// Four parts a turn: the prompt, an answer, a tool call (its result joins it) and code.
const TURNS: usize = 2_500;
const LAST: &str = "The very last answer.";

fn line(file: &mut impl Write, session: &str, kind: &str, uuid: String, message: Value) {
    let line = json!({
        "type": kind,
        "uuid": uuid,
        "timestamp": "2026-12-06T09:00:00.000Z",
        "cwd": CWD,
        "sessionId": session,
        "message": message,
    });
    writeln!(file, "{line}").unwrap();
}

fn assistant(id: String, content: Value) -> Value {
    json!({ "id": id, "type": "message", "role": "assistant", "model": "claude-opus-5-5",
            "content": content, "usage": { "input_tokens": 1, "output_tokens": 1 } })
}

fn tool_result(id: &str, output: &str) -> Value {
    json!({ "role": "user", "content": [{ "type": "tool_result", "tool_use_id": id, "content": output }] })
}

/// Writes the transcript `session` of `turns` turns; when `huge`, the last two hold the huge
/// output and the huge write.
fn write_transcript(folder: &Path, session: &str, turns: usize, huge: bool) -> std::path::PathBuf {
    let path = folder.join(format!("{session}.jsonl"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut line =
        |kind: &str, uuid: String, message: Value| line(&mut file, session, kind, uuid, message);
    for turn in 0..turns {
        line(
            "user",
            format!("u{turn}"),
            json!({ "role": "user", "content": format!("Question {turn}") }),
        );
        line(
            "assistant",
            format!("a{turn}"),
            assistant(
                format!("msg_{turn}a"),
                json!([{ "type": "text", "text": format!("Answer {turn}: **bold**, `code` and a list:\n\n- one\n- two") }]),
            ),
        );
        let tool = format!("toolu_{turn:05}");
        let (input, output) = match turns - turn {
            2 if huge => (
                json!({ "name": "Bash", "input": { "command": "cat big.log" } }),
                "log line\n".repeat(5_000_000 / 9),
            ),
            1 if huge => (
                json!({ "name": "Write", "input": { "file_path": "/home/u/long-project/huge.txt",
                        "content": (0..50_000).map(|n| format!("line {n}\n")).collect::<String>() } }),
                "written".to_owned(),
            ),
            _ => (
                json!({ "name": "Bash", "input": { "command": format!("ls dir{turn}") } }),
                format!("a.txt\nb.txt\nturn{turn}.txt"),
            ),
        };
        let mut call = input;
        call["type"] = json!("tool_use");
        call["id"] = json!(tool);
        line(
            "assistant",
            format!("t{turn}"),
            assistant(format!("msg_{turn}b"), json!([call])),
        );
        line("user", format!("r{turn}"), tool_result(&tool, &output));
        let closing = if turn + 1 == turns {
            LAST.to_owned()
        } else {
            format!("```rust\nfn turn_{turn}() -> usize {{\n    {turn}\n}}\n```")
        };
        line(
            "assistant",
            format!("c{turn}"),
            assistant(
                format!("msg_{turn}c"),
                json!([{ "type": "text", "text": closing }]),
            ),
        );
    }
    file.flush().unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_thousand_part_session_opens_at_its_end_and_scrolls_to_its_start() {
    let fake = FakeAnthropic::start(Script::new([])).await.unwrap();
    let setup = Setup::new(&fake);
    let folder = setup.claude_home().join("projects/-home-u-long-project");
    std::fs::create_dir_all(&folder).unwrap();
    let transcript = write_transcript(&folder, ID, TURNS, false);
    write_transcript(&folder, HUGE_ID, 3, true);
    let (_server, address) = setup.serve().await;
    let PairRun {
        child: mut pair,
        code,
        lines: _lines,
        ..
    } = setup.pair_yes().await;

    let metrics = repository().join("test-output/ui-long.json");
    let mut browser = e2e::script("long.mjs", &address);
    browser
        .env("PAIR_CODE", &code)
        .env("ID", ID)
        .env("HUGE_ID", HUGE_ID)
        .env("TRANSCRIPT", &transcript)
        .env("LAST", LAST)
        .env("FIRST", "Question 0")
        .env("METRICS", &metrics);
    let printed = e2e::passes(browser).await;
    assert!(pair.wait().await.unwrap().success());
    println!("{printed}");
    let measured: Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    assert_eq!(measured["parts"], json!(TURNS * 4 + 1), "{measured}");
}
