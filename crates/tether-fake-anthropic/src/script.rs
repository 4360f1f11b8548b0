//! An ordered list of replies ([`Script`]) and loading it from a JSON file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Reply, ScriptError};

/// The replies the fake hands out, first to last (one per `POST /v1/messages`).
/// As JSON it is a plain array of [`Reply`] objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Script {
    pub replies: Vec<Reply>,
}

impl Script {
    /// A script from replies in order.
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Self {
            replies: replies.into_iter().collect(),
        }
    }

    /// Read a JSON array of replies from a file.
    pub fn from_json_file(path: &Path) -> Result<Self, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ScriptError::Parse {
            path: path.to_owned(),
            source,
        })
    }
}

impl From<Vec<Reply>> for Script {
    fn from(replies: Vec<Reply>) -> Self {
        Self { replies }
    }
}

impl FromIterator<Reply> for Script {
    fn from_iter<I: IntoIterator<Item = Reply>>(iter: I) -> Self {
        Self::new(iter)
    }
}
