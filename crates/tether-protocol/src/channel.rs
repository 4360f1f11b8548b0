//! Channel names: `session:{id}`, `project:{id}` and `user:{id}`.

use std::fmt;
use std::sync::Arc;

/// The kinds of channel a client may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Session,
    Project,
    User,
}

impl ChannelKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Project => "project",
            Self::User => "user",
        }
    }
}

/// The longest id a channel name may carry.
const MAX_ID_LEN: usize = 64;

/// A validated channel name; shared, so a copy costs no allocation (every event published
/// looks its channel up by name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelName(Arc<str>);

impl ChannelName {
    /// Builds the name of a channel from its kind and id; `None` when the id is malformed.
    pub fn new(kind: ChannelKind, id: &str) -> Option<Self> {
        valid_id(id).then(|| Self(format!("{}:{id}", kind.prefix()).into()))
    }

    /// Parses a name a client sent; `None` when it is malformed or of an unknown kind.
    pub fn parse(name: &str) -> Option<Self> {
        let (prefix, id) = name.split_once(':')?;
        let kind = [
            ChannelKind::Session,
            ChannelKind::Project,
            ChannelKind::User,
        ]
        .into_iter()
        .find(|kind| kind.prefix() == prefix)?;
        Self::new(kind, id)
    }

    pub fn kind(&self) -> ChannelKind {
        match self.0.split_once(':').map(|(prefix, _)| prefix) {
            Some("session") => ChannelKind::Session,
            Some("project") => ChannelKind::Project,
            _ => ChannelKind::User,
        }
    }

    pub fn id(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, id)| id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_kind_and_keeps_the_id() {
        let name = ChannelName::parse("session:abc-1").unwrap();
        assert_eq!(name.kind(), ChannelKind::Session);
        assert_eq!(name.id(), "abc-1");
        assert_eq!(
            ChannelName::parse("project:p.1").unwrap().kind(),
            ChannelKind::Project
        );
        assert_eq!(
            ChannelName::parse("user:owner").unwrap().kind(),
            ChannelKind::User
        );
    }

    #[test]
    fn rejects_malformed_names() {
        for bad in [
            "",
            "session",
            "session:",
            "nope:1",
            "session:a b",
            "session:a:b",
            "user:é",
        ] {
            assert!(ChannelName::parse(bad).is_none(), "{bad:?} was accepted");
        }
        assert!(ChannelName::parse(&format!("session:{}", "a".repeat(65))).is_none());
        assert!(ChannelName::parse(&format!("session:{}", "a".repeat(64))).is_some());
    }
}
