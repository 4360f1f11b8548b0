//! The fake on its own, over raw HTTP/1.0 (close-delimited bodies): SSE shapes, script order, errors, stalls, shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod binary;
mod client;
mod errors_and_paths;
mod script_order;
mod stalls;
mod streams;
