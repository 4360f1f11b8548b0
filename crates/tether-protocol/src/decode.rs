//! Strict decoding of client frames, with errors that still name the request.

use serde::Deserialize;

use super::{ClientFrame, ErrorCode, RequestId, RpcError};

/// A frame that could not be decoded, with the id to answer to when one was readable.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub id: Option<RequestId>,
    pub error: RpcError,
}

/// The frame types this protocol version knows.
const KNOWN_TYPES: [&str; 4] = ["request", "subscribe", "unsubscribe", "ping"];

/// What can still be read from a frame that failed strict decoding.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<RequestId>,
}

/// Decodes one text frame strictly: unknown fields and unknown types are errors.
pub fn decode(text: &str) -> Result<ClientFrame, DecodeError> {
    serde_json::from_str(text).map_err(|strict| {
        let probe = serde_json::from_str::<Probe>(text).ok();
        let id = probe.as_ref().and_then(|probe| probe.id.clone());
        let kind = probe.and_then(|probe| probe.kind);
        let error = match kind {
            Some(kind) if !KNOWN_TYPES.contains(&kind.as_str()) => RpcError::new(
                ErrorCode::UnknownFrameType,
                format!(
                    "unknown frame type {kind:?}; known types: {}",
                    KNOWN_TYPES.join(", ")
                ),
            ),
            _ => RpcError::new(ErrorCode::InvalidFrame, format!("invalid frame: {strict}")),
        };
        DecodeError { id, error }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;

    #[test]
    fn decodes_each_frame_type() {
        let request = decode(r#"{"type":"request","id":7,"method":"system.info"}"#).unwrap();
        assert_eq!(
            request,
            ClientFrame::Request {
                id: RequestId::Number(7),
                method: "system.info".into(),
                params: None
            }
        );
        let subscribe = decode(
            r#"{"type":"subscribe","id":"s1","channels":["user:owner"],"since":{"user:owner":{"epoch":"e","offset":3}}}"#,
        )
        .unwrap();
        let ClientFrame::Subscribe {
            id,
            channels,
            since,
        } = subscribe
        else {
            panic!("not a subscribe")
        };
        assert_eq!(id, Some(RequestId::Text("s1".into())));
        assert_eq!(channels, ["user:owner"]);
        assert_eq!(
            since.unwrap()["user:owner"],
            Position {
                epoch: "e".into(),
                offset: 3
            }
        );
        assert_eq!(decode(r#"{"type":"ping"}"#).unwrap(), ClientFrame::Ping);
        assert!(matches!(
            decode(r#"{"type":"unsubscribe","channels":["session:a"]}"#).unwrap(),
            ClientFrame::Unsubscribe { id: None, .. }
        ));
    }

    #[test]
    fn unknown_type_is_named_and_keeps_the_id() {
        let err = decode(r#"{"type":"launch","id":9}"#).unwrap_err();
        assert_eq!(err.id, Some(RequestId::Number(9)));
        assert_eq!(err.error.code, ErrorCode::UnknownFrameType);
        assert!(err.error.message.contains("launch"));
    }

    #[test]
    fn malformed_frames_are_invalid_not_fatal() {
        for (text, id) in [
            ("not json", None),
            ("[]", None),
            (r#"{"id":1}"#, Some(RequestId::Number(1))),
            (r#"{"type":"request","id":2}"#, Some(RequestId::Number(2))),
            (
                r#"{"type":"request","id":3,"method":"x","extra":true}"#,
                Some(RequestId::Number(3)),
            ),
            (r#"{"type":"subscribe","channels":"user:owner"}"#, None),
            (
                r#"{"type":"subscribe","channels":[],"since":{"a":{"epoch":"e","offset":-1}}}"#,
                None,
            ),
        ] {
            let err = decode(text).unwrap_err();
            assert_eq!(err.error.code, ErrorCode::InvalidFrame, "{text}");
            assert_eq!(err.id, id, "{text}");
        }
    }

    #[test]
    fn ids_round_trip_as_sent() {
        for id in [r#"0"#, r#"-5"#, r#""abc""#] {
            let frame = decode(&format!(r#"{{"type":"request","id":{id},"method":"m"}}"#)).unwrap();
            let ClientFrame::Request { id: parsed, .. } = frame else {
                panic!()
            };
            assert_eq!(serde_json::to_string(&parsed).unwrap(), id);
        }
    }
}
