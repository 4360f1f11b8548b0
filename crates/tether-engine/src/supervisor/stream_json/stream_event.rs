//! The events of a streamed API message, read with serde into borrowed fields. A streaming
//! answer is almost all `stream_event` lines, so [`fast_line`] reads those without building a
//! `Value` tree; every other line, and any it cannot read exactly, goes to the general parser.
//! Fields are read as leniently as the general parser reads them: a field of an unexpected
//! type counts as absent.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{BlockKind, CliLine, StreamEvent};

/// How a `stream_event` line begins when the CLI writes it (its `type` comes first).
const PREFIX: &str = r#"{"type":"stream_event""#;

/// The line as a `stream_event`, when it is one this path can read exactly; `None` sends it
/// to the general parser.
pub(super) fn fast_line(line: &str) -> Option<CliLine> {
    if !line.starts_with(PREFIX) {
        return None;
    }
    let outer: Outer<'_> = serde_json::from_str(line).ok()?;
    if outer.kind != "stream_event" {
        return None;
    }
    let event = match outer.event {
        // Only an object is read field by field, as the general parser reads it.
        Some(raw) if raw.get().starts_with('{') => serde_json::from_str::<Event<'_>>(raw.get())
            .ok()?
            .into_stream_event(),
        Some(raw) if raw.get().starts_with('[') => return None,
        _ => StreamEvent::Other,
    };
    Some(CliLine::Stream(event))
}

/// The `event` of a `stream_event` line already parsed as a whole.
pub(super) fn from_value(event: &Value) -> StreamEvent {
    if !event.is_object() {
        return StreamEvent::Other;
    }
    Event::deserialize(event).map_or(StreamEvent::Other, Event::into_stream_event)
}

#[derive(Deserialize)]
struct Outer<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow, default, deserialize_with = "text")]
    kind: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "whole_number")]
    index: Option<u64>,
    #[serde(borrow, default)]
    message: Fields<'a>,
    #[serde(borrow, default)]
    content_block: Fields<'a>,
    #[serde(borrow, default)]
    delta: Fields<'a>,
}

/// The few fields read from `message`, `content_block` or `delta`.
#[derive(Default)]
struct Fields<'a> {
    kind: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    text: Option<Cow<'a, str>>,
    stop_reason: Option<Cow<'a, str>>,
}

impl Event<'_> {
    fn into_stream_event(self) -> StreamEvent {
        let index = self.index.unwrap_or_default();
        let owned = |field: Option<Cow<'_, str>>| field.map(Cow::into_owned).unwrap_or_default();
        match self.kind.as_deref().unwrap_or_default() {
            "message_start" => StreamEvent::MessageStart {
                message_id: owned(self.message.id),
            },
            "content_block_start" => {
                let block = self.content_block;
                let kind = match block.kind.as_deref().unwrap_or_default() {
                    "text" => BlockKind::Text,
                    "tool_use" => BlockKind::ToolUse {
                        id: owned(block.id),
                        name: owned(block.name),
                    },
                    other => BlockKind::Other(other.to_owned()),
                };
                StreamEvent::BlockStart { index, block: kind }
            }
            "content_block_delta" if self.delta.kind.as_deref() == Some("text_delta") => {
                StreamEvent::TextDelta {
                    index,
                    text: owned(self.delta.text),
                }
            }
            "content_block_stop" => StreamEvent::BlockStop { index },
            "message_delta" => StreamEvent::MessageDelta {
                stop_reason: self.delta.stop_reason.map(Cow::into_owned),
            },
            _ => StreamEvent::Other,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    /// An object's five fields of interest (others skipped); anything else reads as none.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Fields<'de>, M::Error> {
                let mut fields = Fields::default();
                while let Some(key) = map.next_key::<Lenient<'de>>()? {
                    let slot = match key.text.as_deref().unwrap_or_default() {
                        "type" => &mut fields.kind,
                        "id" => &mut fields.id,
                        "name" => &mut fields.name,
                        "text" => &mut fields.text,
                        "stop_reason" => &mut fields.stop_reason,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    // A repeated key keeps the last value, as a parsed `Value` does.
                    *slot = map.next_value::<Lenient<'de>>()?.text;
                }
                Ok(fields)
            }
            fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Fields<'de>, S::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Fields::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Fields<'de>, E> {
                Ok(Fields::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Fields<'de>, E> {
                Ok(Fields::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Fields<'de>, E> {
                Ok(Fields::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Fields<'de>, E> {
                Ok(Fields::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Fields<'de>, E> {
                Ok(Fields::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Fields<'de>, E> {
                Ok(Fields::default())
            }
        }
        deserializer.deserialize_any(FieldsVisitor)
    }
}

/// Any JSON value, kept when it is a string (borrowed where it has no escapes) or a whole
/// number.
#[derive(Default)]
struct Lenient<'a> {
    text: Option<Cow<'a, str>>,
    number: Option<u64>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LenientVisitor;
        impl<'de> Visitor<'de> for LenientVisitor {
            type Value = Lenient<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Lenient<'de>, E> {
                Ok(Lenient {
                    text: Some(Cow::Borrowed(text)),
                    number: None,
                })
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Lenient<'de>, E> {
                Ok(Lenient {
                    text: Some(Cow::Owned(text.to_owned())),
                    number: None,
                })
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Lenient<'de>, E> {
                Ok(Lenient {
                    text: None,
                    number: Some(number),
                })
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Lenient<'de>, E> {
                Ok(Lenient::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Lenient<'de>, E> {
                Ok(Lenient::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Lenient<'de>, E> {
                Ok(Lenient::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Lenient<'de>, E> {
                Ok(Lenient::default())
            }
            fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Lenient<'de>, S::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Lenient::default())
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Lenient<'de>, M::Error> {
                IgnoredAny.visit_map(map).map(|_| Lenient::default())
            }
        }
        deserializer.deserialize_any(LenientVisitor)
    }
}

fn text<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Lenient::deserialize(deserializer).map(|value| value.text)
}

fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Lenient::deserialize(deserializer).map(|value| value.number)
}
