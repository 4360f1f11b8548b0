//! The slash commands a `claude` offers, from its `initialize` answer: typed, with where each
//! comes from, leaving out the built-ins that do nothing when driven over stream-json (each
//! checked with the real CLI; see docs/protocol.md).

use serde_json::Value;
use tether_protocol::model::{CommandKind, SlashCommand};

/// Built-ins that answer "not available here" or act only on a terminal when driven over
/// stream-json, or that only a server-launched session may run.
const NO_EFFECT_HERE: [&str; 7] = [
    "focus",
    "fast",
    "agents",
    "color",
    "heapdump",
    "__remote-workflow",
    "workflow-launch-exec",
];

/// The most commands kept (a project may define many; the menu filters as the user types).
const MOST: usize = 500;

/// The commands in an `initialize` answer, in the CLI's order (the project's and the
/// user's own first).
pub fn from_initialize(response: &Value) -> Vec<SlashCommand> {
    let Some(listed) = response["commands"].as_array() else {
        return Vec::new();
    };
    listed
        .iter()
        .filter_map(command)
        .filter(|command| {
            !(command.kind == CommandKind::Builtin
                && NO_EFFECT_HERE.contains(&command.name.as_str()))
        })
        .take(MOST)
        .collect()
}

fn command(listed: &Value) -> Option<SlashCommand> {
    let name = listed["name"].as_str().filter(|name| !name.is_empty())?;
    let said = listed["description"].as_str().unwrap_or_default();
    let (kind, description) = if listed["builtin"] == true {
        (CommandKind::Builtin, said)
    } else if let Some(said) = said.strip_suffix(" (project)") {
        (CommandKind::Project, said)
    } else if let Some(said) = said.strip_suffix(" (user)") {
        (CommandKind::User, said)
    } else {
        (CommandKind::Skill, said)
    };
    let aliases = listed["aliases"]
        .as_array()
        .map_or_else(Vec::new, |aliases| {
            aliases
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        });
    Some(SlashCommand {
        name: name.to_owned(),
        description: description.to_owned(),
        argument_hint: listed["argumentHint"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        aliases,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_come_from_the_listing_and_no_ops_are_left_out() {
        let answer = json!({"commands": [
            {"name": "bonjour", "description": "Say hello in French. (user)", "argumentHint": ""},
            {"name": "review", "description": "Review the staged changes (project)", "argumentHint": "focus"},
            {"name": "simplify", "description": "Review the changed code"},
            {"name": "usage", "description": "Show session cost", "argumentHint": "", "aliases": ["cost", "stats"], "builtin": true},
            {"name": "focus", "description": "Toggle focus view", "builtin": true},
            {"name": "", "description": "nameless"},
            "not an object",
        ]});
        let commands = from_initialize(&answer);
        let names: Vec<_> = commands.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        assert_eq!(
            names,
            [
                ("bonjour", CommandKind::User),
                ("review", CommandKind::Project),
                ("simplify", CommandKind::Skill),
                ("usage", CommandKind::Builtin),
            ]
        );
        assert_eq!(commands[1].description, "Review the staged changes");
        assert_eq!(commands[1].argument_hint, "focus");
        assert_eq!(commands[3].aliases, ["cost", "stats"]);
        assert!(from_initialize(&json!({})).is_empty());
    }
}
