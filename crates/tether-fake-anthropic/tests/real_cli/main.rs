//! The real `claude` CLI (path in `TETHER_CLAUDE`, set by `make test`) against the fake Messages API.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod api_error;
mod harness;
mod text;
mod tool_permission;
