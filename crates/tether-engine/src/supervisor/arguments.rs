//! The values that reach `claude`'s command line from outside (a device's model name, the
//! resume id claude reported, a permission mode), each checked against a strict pattern and
//! passed as one `--flag=value` argument, so none can ever read as a flag of its own.

/// The permission modes a session may run in.
pub const PERMISSION_MODES: [&str; 4] = ["default", "acceptEdits", "plan", "bypassPermissions"];

/// The longest model name accepted (provider ids such as Bedrock ARNs are long).
const MODEL_MAX: usize = 200;
/// The longest resume id accepted (claude's are UUIDs).
const RESUME_MAX: usize = 100;

/// A value that may not reach the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgumentError {
    #[error(
        "invalid model name {0:?}: a model name starts with a letter or digit and has at most \
         200 letters, digits and . _ - : @ / [ ]"
    )]
    Model(String),
    #[error("unknown permission mode {0:?}; known: default, acceptEdits, plan, bypassPermissions")]
    PermissionMode(String),
    #[error("invalid resume id {0:?} from claude")]
    Resume(String),
}

/// `name` when it is a plausible model name or alias (`sonnet`, `claude-sonnet-4-5`,
/// `sonnet[1m]`, a Bedrock ARN, a Vertex `model@version`).
pub fn model(name: &str) -> Result<&str, ArgumentError> {
    let extra = |b: u8| matches!(b, b'.' | b'_' | b'-' | b':' | b'@' | b'/' | b'[' | b']');
    plain(name, MODEL_MAX, extra).ok_or_else(|| ArgumentError::Model(name.to_owned()))
}

/// `mode` when it is one of [`PERMISSION_MODES`].
pub fn permission_mode(mode: &str) -> Result<&str, ArgumentError> {
    PERMISSION_MODES
        .contains(&mode)
        .then_some(mode)
        .ok_or_else(|| ArgumentError::PermissionMode(mode.to_owned()))
}

/// `id` when it looks like a session id claude gives (letters, digits, `-` and `_`).
pub fn resume(id: &str) -> Result<&str, ArgumentError> {
    plain(id, RESUME_MAX, |b| matches!(b, b'-' | b'_'))
        .ok_or_else(|| ArgumentError::Resume(id.to_owned()))
}

/// `value` when it is 1 to `max` bytes, starts with an ASCII letter or digit, and has only
/// ASCII letters, digits and the bytes `extra` allows.
fn plain(value: &str, max: usize, extra: impl Fn(u8) -> bool) -> Option<&str> {
    let bytes = value.as_bytes();
    let first = bytes.first()?;
    (bytes.len() <= max
        && first.is_ascii_alphanumeric()
        && bytes.iter().all(|&b| b.is_ascii_alphanumeric() || extra(b)))
    .then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_people_use_are_accepted() {
        for name in [
            "sonnet",
            "opus",
            "claude-sonnet-4-5",
            "claude-3-5-sonnet-20241022",
            "sonnet[1m]",
            "claude-3-5-sonnet-v2@20241022",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-v2",
        ] {
            assert_eq!(model(name), Ok(name));
        }
    }

    #[test]
    fn flags_and_odd_bytes_are_not_model_names() {
        for name in [
            "--dangerously-skip-permissions",
            "-m",
            "",
            "a b",
            "sonnet\n--x",
            "sonnet;rm",
            "$(id)",
            "ünïcode",
            &"a".repeat(MODEL_MAX + 1),
        ] {
            assert_eq!(model(name), Err(ArgumentError::Model(name.to_owned())));
        }
    }

    #[test]
    fn only_known_modes_and_plain_ids_pass() {
        assert_eq!(permission_mode("plan"), Ok("plan"));
        assert!(permission_mode("--plan").is_err());
        assert!(permission_mode("bypass").is_err());
        assert_eq!(
            resume("0f3b9c1e-6a1d-4bde-9d4e-2f1c1a2b3c4d"),
            Ok("0f3b9c1e-6a1d-4bde-9d4e-2f1c1a2b3c4d")
        );
        assert!(resume("--dangerously-skip-permissions").is_err());
        assert!(resume("a/../b").is_err());
    }
}
