//! A serialized server frame: JSON text, encoded once and shared by every socket that sends it.

use bytes::Bytes;

/// The text of one server frame. Made only from a `String`, so it is always UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameText(Bytes);

impl FrameText {
    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Always UTF-8: it was made from a `String`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The shared bytes, for a transport to send without copying.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl From<String> for FrameText {
    fn from(text: String) -> Self {
        Self(Bytes::from(text))
    }
}

impl From<&'static str> for FrameText {
    fn from(text: &'static str) -> Self {
        Self(Bytes::from_static(text.as_bytes()))
    }
}
