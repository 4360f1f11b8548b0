//! A stand-in `claude` for the remote bench: it answers `initialize`, and answers a prompt
//! `deltas N pace P` with N text deltas P nanoseconds apart (0: as fast as it can), each
//! carrying the wall-clock time it was printed, so the reader can tell each token's trip.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::lines::preamble;

/// Nanoseconds since the Unix epoch: the one clock the stand-in and the reader share.
pub fn wall_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64)
}

pub fn run() -> Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.contains(r#""subtype":"initialize""#) {
            let id = field(&line, r#""request_id":""#).unwrap_or_default();
            writeln!(
                out,
                r#"{{"type":"control_response","response":{{"subtype":"success","request_id":"{id}","response":{{"commands":[],"agents":[]}}}}}}"#
            )?;
            out.flush()?;
        } else if line.contains(r#""type":"user""#) {
            let (count, pace) = asked(&line);
            answer(&mut out, count, pace)?;
        }
    }
    Ok(())
}

/// `deltas N pace P` from the prompt.
fn asked(line: &str) -> (u64, u64) {
    let words: Vec<&str> = line.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let after = |key: &str| {
        words
            .iter()
            .position(|word| *word == key)
            .and_then(|at| words.get(at + 1)?.parse().ok())
    };
    (after("deltas").unwrap_or(100), after("pace").unwrap_or(0))
}

fn answer(out: &mut impl Write, count: u64, pace: u64) -> Result<()> {
    for line in preamble() {
        writeln!(out, "{line}")?;
    }
    let start = Instant::now();
    for n in 0..count {
        if pace > 0 {
            let due = start + Duration::from_nanos(pace * n);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        writeln!(
            out,
            r#"{{"type":"stream_event","event":{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"t{} "}}}},"session_id":"d9fb8422-5b1e-4c52-9b0e-6f1d2a7c3e90","parent_tool_use_id":null}}"#,
            wall_ns()
        )?;
        out.flush()?;
    }
    writeln!(
        out,
        r#"{{"type":"result","subtype":"success","is_error":false,"result":"done","session_id":"d9fb8422-5b1e-4c52-9b0e-6f1d2a7c3e90","total_cost_usd":0.0,"usage":{{"input_tokens":1,"output_tokens":1}}}}"#
    )?;
    out.flush()?;
    Ok(())
}

/// The string value after `key` in `line`.
fn field(line: &str, key: &str) -> Option<String> {
    let rest = &line[line.find(key)? + key.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}
