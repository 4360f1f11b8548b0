//! The protocol decoder on any text a client could send: it decodes or refuses, never panics,
//! and its refusal's message stays bounded.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tether_protocol::decode;

fuzz_target!(|text: &str| {
    if let Err(refused) = decode(text) {
        assert!(refused.error.message.chars().count() <= 301);
    }
});
