//! The environment a `claude` gets: from the engine's own, only what it and the commands it
//! runs need (the user's identity and locale, the PATH, proxies and certificates, the
//! Anthropic and Claude Code settings, and a cloud provider's credentials only when Claude Code
//! is set to use that provider), never what would reach the rest of the desktop session (its
//! D-Bus, which holds the keyring, or the display) or Tether's own secrets; then the names
//! `claude.pass_env` lets through, and `claude.env` on top.

use std::collections::BTreeMap;

use crate::config::ClaudeSettings;

/// Variables passed on by name.
const NAMES: [&str; 30] = [
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "PATH",
    "LANG",
    "LANGUAGE",
    "TERM",
    "COLORTERM",
    "TZ",
    "TMPDIR",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
];

/// Variables passed on by the start of their name: locale, and Claude Code and Anthropic
/// settings.
const PREFIXES: [&str; 3] = ["LC_", "ANTHROPIC_", "CLAUDE_"];

/// A cloud provider's variables, passed on only when the switch that makes Claude Code use
/// that provider is set (in the engine's environment or `claude.env`).
const PROVIDERS: [(&str, &[&str]); 2] = [
    ("CLAUDE_CODE_USE_BEDROCK", &["AWS_"]),
    (
        "CLAUDE_CODE_USE_VERTEX",
        &["GOOGLE_", "CLOUD_ML_", "VERTEX_REGION_"],
    ),
];

/// Variables of Claude Code's that are never passed on (it sets them for its own children).
const NEVER: [&str; 1] = ["CLAUDECODE"];

/// The whole environment of a `claude` started with `settings`, from the engine's `own`
/// environment and `base` (what Tether sets, under `claude.env`).
pub fn for_claude(
    own: impl IntoIterator<Item = (String, String)>,
    base: &[(&str, &str)],
    settings: &ClaudeSettings,
) -> BTreeMap<String, String> {
    let own: Vec<(String, String)> = own.into_iter().collect();
    let switched_on = |switch: &str| {
        let set = |value: &str| !matches!(value, "" | "0" | "false");
        settings.env.get(switch).map(String::as_str).map_or_else(
            || own.iter().any(|(name, value)| name == switch && set(value)),
            set,
        )
    };
    let providers: Vec<&str> = PROVIDERS
        .iter()
        .filter(|(switch, _)| switched_on(switch))
        .flat_map(|(_, prefixes)| prefixes.iter().copied())
        .collect();
    let needed = |name: &str| {
        !NEVER.contains(&name)
            && (NAMES.contains(&name)
                || PREFIXES
                    .iter()
                    .chain(&providers)
                    .any(|prefix| name.starts_with(prefix))
                || settings.pass_env.iter().any(|passed| passed == name))
    };
    own.into_iter()
        .filter(|(name, _)| needed(name))
        .chain(
            base.iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        )
        .chain(settings.env.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> Vec<(String, String)> {
        [
            ("HOME", "/home/u"),
            ("PATH", "/usr/bin"),
            ("LC_ALL", "C.UTF-8"),
            ("ANTHROPIC_API_KEY", "sk-x"),
            ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus"),
            ("DISPLAY", ":0"),
            ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ("SSH_AUTH_SOCK", "/tmp/agent"),
            ("TETHER_TOKEN", "tether_x_y"),
            ("CLAUDECODE", "1"),
            ("AWS_SECRET_ACCESS_KEY", "aws-secret"),
            ("GOOGLE_APPLICATION_CREDENTIALS", "/home/u/gcp.json"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    }

    #[test]
    fn only_what_claude_needs_then_the_settings() {
        let mut settings = ClaudeSettings::default();
        settings
            .env
            .insert("ANTHROPIC_API_KEY".into(), "sk-mine".into());
        let env = for_claude(own(), &[("CLAUDE_CODE_ENABLE_TODO_TOOLS", "1")], &settings);
        let names: Vec<&str> = env.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "ANTHROPIC_API_KEY",
                "CLAUDE_CODE_ENABLE_TODO_TOOLS",
                "HOME",
                "LC_ALL",
                "PATH"
            ]
        );
        assert_eq!(
            env["ANTHROPIC_API_KEY"], "sk-mine",
            "claude.env has the last word"
        );
    }

    #[test]
    fn a_cloud_providers_credentials_pass_only_when_claude_code_uses_it() {
        let mut settings = ClaudeSettings::default();
        settings
            .env
            .insert("CLAUDE_CODE_USE_BEDROCK".into(), "1".into());
        let env = for_claude(own(), &[], &settings);
        assert!(env.contains_key("AWS_SECRET_ACCESS_KEY"));
        assert!(!env.contains_key("GOOGLE_APPLICATION_CREDENTIALS"));
        let mut own = own();
        own.push(("CLAUDE_CODE_USE_VERTEX".into(), "true".into()));
        let env = for_claude(own.clone(), &[], &ClaudeSettings::default());
        assert!(env.contains_key("GOOGLE_APPLICATION_CREDENTIALS"));
        assert!(!env.contains_key("AWS_SECRET_ACCESS_KEY"));
        settings
            .env
            .insert("CLAUDE_CODE_USE_VERTEX".into(), "0".into());
        let env = for_claude(own, &[], &settings);
        assert!(
            !env.contains_key("GOOGLE_APPLICATION_CREDENTIALS"),
            "claude.env has the last word"
        );
    }

    #[test]
    fn pass_env_lets_more_through_by_name() {
        let settings = ClaudeSettings {
            pass_env: vec!["SSH_AUTH_SOCK".into()],
            ..ClaudeSettings::default()
        };
        let env = for_claude(own(), &[], &settings);
        assert_eq!(
            env.get("SSH_AUTH_SOCK").map(String::as_str),
            Some("/tmp/agent")
        );
        assert!(!env.contains_key("DBUS_SESSION_BUS_ADDRESS"));
    }
}
