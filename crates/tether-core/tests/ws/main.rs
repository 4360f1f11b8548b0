//! The server over real sockets on 127.0.0.1:0, with the real OS keyring.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;
mod fanout;
mod frames;
mod handshake;
mod replay;
mod shutdown;
