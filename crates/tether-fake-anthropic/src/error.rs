//! The crate's typed errors.

use std::path::PathBuf;
use std::time::Duration;

/// A script file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read script {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("script {path} is not a JSON array of replies: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// [`crate::FakeAnthropic::wait_for_requests`] gave up.
#[derive(Debug, thiserror::Error)]
#[error("expected {wanted} recorded request(s) within {within:?}, got {got}")]
pub struct WaitError {
    pub wanted: usize,
    pub got: usize,
    pub within: Duration,
}
