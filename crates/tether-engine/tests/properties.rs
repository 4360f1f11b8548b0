//! Properties of the two parsers that read untrusted text: the protocol decoder (what clients
//! send) and the stream-json line parser (what `claude` prints). Whatever comes in, they never
//! panic, answer with bounded messages, and read valid input exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};
use tether_engine::supervisor::stream_json::{CliLine, parse};
use tether_protocol::{ClientFrame, Position, RequestId, decode};

/// The longest error message, in characters (300 and the ellipsis).
const MAX_MESSAGE_CHARS: usize = 301;

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |number| number.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn request_id() -> impl Strategy<Value = RequestId> {
    prop_oneof![
        any::<i64>().prop_map(RequestId::Number),
        ".{0,30}".prop_map(RequestId::Text),
    ]
}

fn id_json(id: &RequestId) -> Value {
    match id {
        RequestId::Number(number) => json!(number),
        RequestId::Text(text) => json!(text),
    }
}

/// A valid client frame, and the JSON a client would send for it.
fn client_frame() -> impl Strategy<Value = (ClientFrame, Value)> {
    let channels = prop::collection::vec("[a-z]{1,8}:[A-Za-z0-9_-]{1,16}", 0..5);
    prop_oneof![
        (
            request_id(),
            "[a-z]{1,10}\\.[a-z_]{1,12}",
            prop::option::of(json_value())
        )
            .prop_map(|(id, method, params)| {
                let mut sent = json!({ "type": "request", "id": id_json(&id), "method": method });
                if let Some(params) = &params {
                    sent["params"] = params.clone();
                }
                // `"params": null` and no params read the same.
                let params = params.filter(|params| !params.is_null());
                (ClientFrame::Request { id, method, params }, sent)
            }),
        (
            prop::option::of(request_id()),
            channels.clone(),
            prop::option::of(prop::collection::btree_map(
                "[a-z]{1,8}:[a-z0-9]{1,8}",
                ("[a-z0-9]{1,12}", any::<u64>()),
                0..3
            )),
        )
            .prop_map(|(id, channels, since)| {
                let mut sent = json!({ "type": "subscribe", "channels": channels });
                if let Some(id) = &id {
                    sent["id"] = id_json(id);
                }
                let since: Option<BTreeMap<String, Position>> = since.map(|since| {
                    since
                        .into_iter()
                        .map(|(channel, (epoch, offset))| (channel, Position { epoch, offset }))
                        .collect()
                });
                if let Some(since) = &since {
                    let positions: serde_json::Map<String, Value> = since
                        .iter()
                        .map(|(channel, at)| {
                            (
                                channel.clone(),
                                json!({ "epoch": at.epoch, "offset": at.offset }),
                            )
                        })
                        .collect();
                    sent["since"] = Value::Object(positions);
                }
                (
                    ClientFrame::Subscribe {
                        id,
                        channels,
                        since,
                    },
                    sent,
                )
            }),
        (prop::option::of(request_id()), channels).prop_map(|(id, channels)| {
            let mut sent = json!({ "type": "unsubscribe", "channels": channels });
            if let Some(id) = &id {
                sent["id"] = id_json(id);
            }
            (ClientFrame::Unsubscribe { id, channels }, sent)
        }),
        Just((ClientFrame::Ping, json!({ "type": "ping" }))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_decodes_or_gets_a_bounded_error(text in ".{0,2000}") {
        if let Err(refused) = decode(&text) {
            prop_assert!(refused.error.message.chars().count() <= MAX_MESSAGE_CHARS);
        }
    }

    #[test]
    fn any_json_decodes_or_gets_a_bounded_error_that_keeps_a_readable_id(
        value in json_value(),
        kind in prop_oneof![Just(None), ".{0,600}".prop_map(Some)],
        id in prop::option::of(request_id()),
    ) {
        let mut frame = match value {
            Value::Object(map) => Value::Object(map),
            other => json!({ "extra": other }),
        };
        if let Some(kind) = kind {
            frame["type"] = json!(kind);
        }
        if let Some(id) = &id {
            frame["id"] = id_json(id);
        }
        if let Err(refused) = decode(&frame.to_string()) {
            prop_assert!(refused.error.message.chars().count() <= MAX_MESSAGE_CHARS);
            if id.is_some() {
                prop_assert_eq!(refused.id, id, "the error answers the request it can name");
            }
        }
    }

    #[test]
    fn every_valid_frame_reads_exactly((frame, sent) in client_frame()) {
        prop_assert_eq!(decode(&sent.to_string()).unwrap(), frame);
    }

    #[test]
    fn any_line_from_claude_parses_or_is_refused_without_panicking(line in ".{0,2000}") {
        let _ = parse(&line);
    }

    #[test]
    fn any_json_object_from_claude_is_read_leniently(
        value in json_value(),
        kind in prop_oneof![
            Just("system"), Just("assistant"), Just("user"), Just("result"),
            Just("stream_event"), Just("control_request"), Just("control_response"),
            Just("something_new"),
        ],
        subtype in prop::option::of(prop_oneof![
            Just("init"), Just("status"), Just("api_retry"), Just("success"),
            Just("error_during_execution"), Just("can_use_tool"), Just("a_new_one"),
        ]),
    ) {
        let mut line = match value {
            Value::Object(map) => Value::Object(map),
            other => json!({ "payload": other }),
        };
        line["type"] = json!(kind);
        if let Some(subtype) = subtype {
            line["subtype"] = json!(subtype);
        }
        // Unknown kinds are kept, not refused: the CLI grows new ones often.
        let parsed = parse(&line.to_string());
        if kind == "something_new" {
            prop_assert!(matches!(parsed, Ok(CliLine::Other { .. })), "{:?}", parsed);
        }
    }
}
