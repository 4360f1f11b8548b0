//! A scripted fake of the Anthropic Messages API (`POST /v1/messages`, SSE) for running the real `claude` CLI in tests.
//!
//! Start it with [`FakeAnthropic::start`], point the CLI at [`FakeAnthropic::base_url`] through
//! `ANTHROPIC_BASE_URL`, and every model turn pops the next scripted [`Reply`]. Every request is
//! recorded ([`FakeAnthropic::requests`]) so tests can assert what the CLI sent.

mod error;
mod event;
mod handler;
mod images;
mod record;
mod reply;
mod script;
mod server;
mod sse;
mod state;
mod stream;

pub use error::{ScriptError, WaitError};
pub use images::ImageBlock;
pub use record::RecordedRequest;
pub use reply::Reply;
pub use script::Script;
pub use server::FakeAnthropic;
