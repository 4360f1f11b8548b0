//! The transcript reader on any bytes a `~/.claude/projects` file could hold: the index's
//! digest and the history's reducer take every line, with a small line bound, and never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tether_engine::supervisor::session_reducer::SessionReducer;
use tether_engine::transcripts::digest::Digest;
use tether_engine::transcripts::{history, read_into};
use tether_protocol::model::SessionInfo;

fuzz_target!(|bytes: &[u8]| {
    let mut digest = Digest::default();
    let _ = read_into(&mut digest, bytes, 4096);
    assert!(digest.read_to <= bytes.len() as u64);
    let info = SessionInfo::new("f".into(), String::new(), None, "default".into(), 0);
    let mut reducer = SessionReducer::new(info);
    let mut skipped = 0;
    let mut offset = 0;
    for line in bytes.split(|&b| b == b'\n') {
        history::feed(&mut reducer, offset, line, &mut skipped);
        offset += line.len() as u64 + 1;
    }
});
