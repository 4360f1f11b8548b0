//! The server over real sockets on 127.0.0.1:0, with the real OS keyring.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod catch_up;
mod chaos;
mod chat_limits;
mod claude;
mod common;
mod device_roots;
mod fanout;
mod frames;
mod handshake;
mod hostile;
mod http_api;
mod idle_crowd;
mod lan;
mod local_link;
mod metrics;
mod no_delay;
mod pairing;
mod project_files;
mod push;
mod push_delivery;
mod remote;
mod replay;
mod session_commands;
mod session_faults;
mod session_images;
mod session_names;
mod session_pages;
mod session_search;
mod session_tools;
mod session_turns;
mod session_view;
mod shutdown;
mod slow_request;
mod ssh;
mod tailscale;
mod ui;
