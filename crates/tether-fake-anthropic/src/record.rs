//! [`RecordedRequest`]: what the fake saw of one HTTP request.

use std::collections::BTreeMap;

use axum::http::request::Parts;
use serde_json::Value;

/// One request as received, in arrival order.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `POST`, `HEAD`, ...
    pub method: String,
    /// The path without the query string, e.g. `/v1/messages`.
    pub path: String,
    /// The raw query string, e.g. `beta=true`.
    pub query: Option<String>,
    /// Every header, names lower-cased; repeated headers are joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON (`None` when empty or not JSON).
    pub body: Option<Value>,
}

impl RecordedRequest {
    pub(crate) fn new(parts: &Parts, body: Option<Value>) -> Self {
        let mut headers = BTreeMap::<String, String>::new();
        for (name, value) in &parts.headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        Self {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers,
            body,
        }
    }

    /// Whether this is a model turn (`POST /v1/messages`, any query string).
    pub fn is_messages(&self) -> bool {
        self.method == "POST" && self.path == "/v1/messages"
    }

    /// A header by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The body's `model`.
    pub fn model(&self) -> Option<&str> {
        self.body.as_ref()?.get("model")?.as_str()
    }

    /// The body's `stream` flag.
    pub fn stream(&self) -> Option<bool> {
        self.body.as_ref()?.get("stream")?.as_bool()
    }

    /// Every image block the conversation carries, decoded, in order (an empty list when the
    /// request holds none or a bad one, which the fake refused).
    pub fn images(&self) -> Vec<crate::ImageBlock> {
        crate::images::blocks(self.messages()).unwrap_or_default()
    }

    /// The body's `messages` (the conversation history sent), empty when absent.
    pub fn messages(&self) -> &[Value] {
        self.body
            .as_ref()
            .and_then(|b| b.get("messages"))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}
