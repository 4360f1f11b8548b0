//! The stream-json parser on any line `claude` could print: it parses or refuses, never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tether_engine::supervisor::stream_json::parse;

fuzz_target!(|line: &str| {
    let _ = parse(line);
});
