//! The events of a streamed API message, read with serde into borrowed fields. A streaming
//! answer is almost all `stream_event` lines, so [`fast_line`] reads those without building a
//! `Value` tree; every other line goes to the general parser. The whole line is still checked
//! as strictly as parsing it into a `Value` (string escapes, number range, nesting depth), and
//! fields are read as leniently as the general parser reads them: a field of an unexpected
//! type counts as absent, and a repeated key's last value counts.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{BlockKind, CliLine, StreamEvent};

/// How a `stream_event` line begins when the CLI writes it (its `type` comes first).
const PREFIX: &str = r#"{"type":"stream_event""#;

/// The line as a `stream_event`, when it is one; `None` sends it to the general parser.
pub(super) fn fast_line(line: &str) -> Option<CliLine> {
    if !line.starts_with(PREFIX) {
        return None;
    }
    let outer: Outer<'_> = serde_json::from_str(line).ok()?;
    if outer.kind.as_deref() != Some("stream_event") {
        return None;
    }
    Some(CliLine::Stream(outer.event.into_stream_event()))
}

/// The `event` of a `stream_event` line already parsed as a whole.
pub(super) fn from_value(event: &Value) -> StreamEvent {
    Event::deserialize(event).map_or(StreamEvent::Other, Event::into_stream_event)
}

/// An object whose fields of interest are read as they come; every other value is checked and
/// dropped. Anything but an object reads as the default (no fields).
trait Object<'de>: Default {
    /// Reads the value of `key` if it is a field of interest; false leaves it unread.
    fn field<M: MapAccess<'de>>(&mut self, key: &str, map: &mut M) -> Result<bool, M::Error>;
}

#[derive(Default)]
struct Outer<'a> {
    kind: Option<Cow<'a, str>>,
    event: Event<'a>,
}

#[derive(Default)]
struct Event<'a> {
    kind: Option<Cow<'a, str>>,
    index: Option<u64>,
    message: Fields<'a>,
    content_block: Fields<'a>,
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

impl<'de> Object<'de> for Outer<'de> {
    fn field<M: MapAccess<'de>>(&mut self, key: &str, map: &mut M) -> Result<bool, M::Error> {
        match key {
            "type" => self.kind = map.next_value::<Lenient<'de>>()?.text,
            "event" => self.event = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'de> Object<'de> for Event<'de> {
    fn field<M: MapAccess<'de>>(&mut self, key: &str, map: &mut M) -> Result<bool, M::Error> {
        match key {
            "type" => self.kind = map.next_value::<Lenient<'de>>()?.text,
            "index" => self.index = map.next_value::<Lenient<'de>>()?.number,
            "message" => self.message = map.next_value()?,
            "content_block" => self.content_block = map.next_value()?,
            "delta" => self.delta = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<'de> Object<'de> for Fields<'de> {
    fn field<M: MapAccess<'de>>(&mut self, key: &str, map: &mut M) -> Result<bool, M::Error> {
        let slot = match key {
            "type" => &mut self.kind,
            "id" => &mut self.id,
            "name" => &mut self.name,
            "text" => &mut self.text,
            "stop_reason" => &mut self.stop_reason,
            _ => return Ok(false),
        };
        *slot = map.next_value::<Lenient<'de>>()?.text;
        Ok(true)
    }
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

/// Reads any JSON value as `T`: an object field by field, anything else checked and dropped.
struct ObjectVisitor<T>(PhantomData<T>);

macro_rules! object_from_any {
    ($($name:ident),*) => {$(
        impl<'de> Deserialize<'de> for $name<'de> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(ObjectVisitor(PhantomData))
            }
        }
    )*};
}
object_from_any!(Outer, Event, Fields);

impl<'de, T: Object<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut object = T::default();
        while let Some(key) = map.next_key::<Lenient<'de>>()? {
            let key = key.text.unwrap_or_default();
            if !object.field(&key, &mut map)? {
                map.next_value::<Checked>()?;
            }
        }
        Ok(object)
    }
    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<T, S::Error> {
        Checked::drain(seq).map(|()| T::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

/// Any JSON value, kept when it is a string (borrowed where it has no escapes) or a whole
/// number; anything else checked and dropped.
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
                Checked::drain(seq).map(|()| Lenient::default())
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Lenient<'de>, M::Error> {
                Checked::drain_map(map).map(|()| Lenient::default())
            }
        }
        deserializer.deserialize_any(LenientVisitor)
    }
}

/// Any JSON value, read in full (so checked as a `Value` would be) and dropped.
struct Checked;

impl Checked {
    fn drain<'de, S: SeqAccess<'de>>(mut seq: S) -> Result<(), S::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(())
    }

    fn drain_map<'de, M: MapAccess<'de>>(mut map: M) -> Result<(), M::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CheckedVisitor;
        impl<'de> Visitor<'de> for CheckedVisitor {
            type Value = Checked;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Checked, S::Error> {
                Checked::drain(seq).map(|()| Checked)
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Checked, M::Error> {
                Checked::drain_map(map).map(|()| Checked)
            }
        }
        deserializer.deserialize_any(CheckedVisitor)
    }
}
