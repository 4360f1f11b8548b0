//! The envelope: every frame a client may send and every frame the server sends.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use ts_rs::TS;

use super::{FrameText, RpcError};

/// A client's request id, echoed verbatim in the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum RequestId {
    Number(i64),
    Text(String),
}

/// A point in a channel's stream: the stream identity and the last offset seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub epoch: String,
    #[ts(type = "number")]
    pub offset: u64,
}

/// Frames a client sends, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// An RPC call; answered by exactly one `response` with the same id.
    Request {
        id: RequestId,
        method: String,
        #[serde(default)]
        #[ts(optional, type = "unknown")]
        params: Option<Value>,
    },
    /// Join channels; `since` asks for the events after a known position.
    Subscribe {
        #[serde(default)]
        #[ts(optional)]
        id: Option<RequestId>,
        channels: Vec<String>,
        #[serde(default)]
        #[ts(optional)]
        since: Option<BTreeMap<String, Position>>,
    },
    /// Leave channels.
    Unsubscribe {
        #[serde(default)]
        #[ts(optional)]
        id: Option<RequestId>,
        channels: Vec<String>,
    },
    /// Application-level liveness check; answered by `pong`.
    Ping,
}

/// The server's build, announced in `welcome`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ServerInfo {
    pub version: String,
}

/// Who this connection is, announced in `welcome`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectionInfo {
    #[ts(type = "number")]
    pub id: u64,
    /// The name of the device or token the connection authenticated as.
    pub device: String,
    pub user: String,
}

/// Where a channel stands after a subscribe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SubscriptionState {
    pub channel: String,
    pub epoch: String,
    /// The channel's newest offset; replayed events end here, live ones follow.
    #[ts(type = "number")]
    pub offset: u64,
    /// Present when `since` was given: whether every missed event follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub recovered: Option<bool>,
}

/// Frames the server sends, tagged by `type`.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The first frame on every connection.
    Welcome {
        protocol: u32,
        server: ServerInfo,
        connection: ConnectionInfo,
    },
    /// The answer to a request (or to a frame that could not be read): `result` or `error`.
    Response {
        id: Option<RequestId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional, type = "unknown")]
        result: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        error: Option<RpcError>,
    },
    /// The answer to a subscribe; replayed events follow it, then live ones.
    Subscribed {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        id: Option<RequestId>,
        channels: Vec<SubscriptionState>,
    },
    /// The answer to an unsubscribe.
    Unsubscribed {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        id: Option<RequestId>,
        channels: Vec<String>,
    },
    /// Something happened on a channel; `offset` rises by one per channel.
    Event {
        channel: String,
        event: String,
        #[ts(type = "number")]
        offset: u64,
        #[ts(type = "unknown")]
        data: Box<RawValue>,
    },
    /// The answer to a client `ping`.
    Pong,
}

impl ServerFrame {
    pub fn result(id: RequestId, result: Value) -> Self {
        Self::Response {
            id: Some(id),
            result: Some(result),
            error: None,
        }
    }

    pub fn error(id: Option<RequestId>, error: RpcError) -> Self {
        Self::Response {
            id,
            result: None,
            error: Some(error),
        }
    }
}

/// An `event` frame's fields, borrowed: the hub encodes every event it publishes this way,
/// without first copying its names and data into a [`ServerFrame::Event`].
#[derive(Serialize)]
#[serde(tag = "type", rename = "event")]
struct EventFrame<'a> {
    channel: &'a str,
    event: &'a str,
    offset: u64,
    data: &'a RawValue,
}

/// Encodes the `event` frame of `event` at `offset` on `channel`, with `data`: the same text
/// as encoding the [`ServerFrame::Event`], written into a buffer of its exact size (names that
/// need escaping only make it grow).
pub fn encode_event(channel: &str, event: &str, offset: u64, data: &RawValue) -> FrameText {
    let mut text = Vec::with_capacity(event_frame_len(channel, event, offset, data));
    let frame = EventFrame {
        channel,
        event,
        offset,
        data,
    };
    let encoded = serde_json::to_writer(&mut text, &frame)
        .map_err(|error| error.to_string())
        .and_then(|()| String::from_utf8(text).map_err(|error| error.to_string()));
    finish(encoded)
}

/// The length of an `event` frame whose names need no escaping.
fn event_frame_len(channel: &str, event: &str, offset: u64, data: &RawValue) -> usize {
    const PUNCTUATION: &str = r#"{"type":"event","channel":"","event":"","offset":,"data":}"#;
    let digits = offset.checked_ilog10().map_or(1, |log| log as usize + 1);
    PUNCTUATION.len() + channel.len() + event.len() + digits + data.get().len()
}

/// The frame's text, or (logged) an internal error in its place.
fn finish(encoded: Result<String, String>) -> FrameText {
    encoded
        .unwrap_or_else(|error| {
            tracing::error!(%error, "a server frame failed to serialize");
            r#"{"type":"response","id":null,"error":{"code":"internal","message":"frame encoding failed"}}"#.to_owned()
        })
        .into()
}

/// Serializes a server frame once, ready to be sent to any number of sockets.
pub fn encode(frame: &ServerFrame) -> FrameText {
    // Serializing these types cannot fail: every key is a string and every value is plain data.
    finish(serde_json::to_string(frame).map_err(|error| error.to_string()))
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use super::{ServerFrame, encode, encode_event, event_frame_len};

    #[test]
    fn an_event_encoded_from_borrowed_parts_is_the_same_frame() {
        let data = RawValue::from_string(r#"{"text":"caf\u00e9 \"x\"","n":[1,2]}"#.into()).unwrap();
        let whole = encode(&ServerFrame::Event {
            channel: "session:a-1".into(),
            event: "part.delta".into(),
            offset: u64::MAX,
            data: data.clone(),
        });
        let borrowed = encode_event("session:a-1", "part.delta", u64::MAX, &data);
        assert_eq!(borrowed.as_str(), whole.as_str());
        for offset in [0, 9, 10, 999_999, 1_000_000, u64::MAX] {
            let frame = encode_event("session:a-1", "part.delta", offset, &data);
            let expected = event_frame_len("session:a-1", "part.delta", offset, &data);
            assert_eq!(frame.len(), expected, "offset {offset}");
        }
    }
}
