//! The stream-json parser on any line `claude` could print: it parses or refuses, never panics,
//! and its fast path for `stream_event` lines reads each line as the general parser does.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tether_engine::supervisor::stream_json::{classify, parse};

fuzz_target!(|line: &str| {
    let parsed = parse(line);
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_str(line) {
        let general = classify(serde_json::Value::Object(object));
        assert_eq!(parsed.ok(), Some(general), "{line}");
    }
});
