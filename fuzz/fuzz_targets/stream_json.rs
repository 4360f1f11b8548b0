//! The stream-json parser on any line `claude` could print: it parses or refuses, never panics,
//! and its fast path for `stream_event` lines takes and refuses exactly the lines the general
//! parser does, reading them the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tether_engine::supervisor::stream_json::{classify, parse};

fuzz_target!(|line: &str| {
    let general = serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .filter(serde_json::Value::is_object)
        .map(classify);
    assert_eq!(parse(line).ok(), general, "{line}");
});
