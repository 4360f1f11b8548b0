//! Who may approve what, and which of claude's suggested "always allow" rules an approval may
//! apply: the desktop any; a device none that would widen what it may do (a switch to a
//! permission mode it may not choose, a folder or file rule reaching outside the project, a
//! rule in the user's own settings, which hold for every project, removing deny or ask rules,
//! or a Bash rule where Bash approvals are the desktop's). Anything it cannot read is refused.

use std::path::{Component, Path};

use serde_json::Value;
use tether_protocol::results::RefusedRule;

/// What the one answering an approval may do.
#[derive(Debug, Clone)]
pub struct Approver {
    /// Its name, as the decision reports it.
    pub name: String,
    /// The desktop (the trusted local client), rather than a paired device.
    pub desktop: bool,
    /// Whether it may switch a session to `bypassPermissions`.
    pub may_bypass: bool,
    /// Whether it may approve Bash commands.
    pub may_approve_bash: bool,
}

/// The tools whose rules name files, and whose calls write them.
const FILE_TOOLS: [&str; 7] = [
    "Read",
    "Edit",
    "Write",
    "MultiEdit",
    "NotebookEdit",
    "Glob",
    "Grep",
];
const WRITING_TOOLS: [&str; 4] = ["Edit", "Write", "MultiEdit", "NotebookEdit"];

impl Approver {
    /// Whether it may approve a call of `tool` with `input`. Where Bash approvals are the
    /// desktop's, so are edits of what would let commands run unasked: claude's own settings
    /// (`.claude/`, `.mcp.json`) and git hooks.
    pub fn may_approve(&self, tool: &str, input: &Value) -> bool {
        if self.may_approve_bash {
            return true;
        }
        if tool == "Bash" {
            return false;
        }
        let path = input["file_path"]
            .as_str()
            .or(input["notebook_path"].as_str());
        !(WRITING_TOOLS.contains(&tool) && path.is_some_and(|path| runs_commands(Path::new(path))))
    }

    /// The suggestions it may apply for a session in `project`, and those it may not.
    pub fn sort(&self, suggestions: &[Value], project: &Path) -> (Vec<Value>, Vec<RefusedRule>) {
        let mut applied = Vec::new();
        let mut refused = Vec::new();
        for rule in suggestions {
            match self.why_not(rule, project) {
                None => applied.push(rule.clone()),
                Some(why) => refused.push(RefusedRule {
                    rule: rule.clone(),
                    why,
                }),
            }
        }
        (applied, refused)
    }

    /// Why this approver may not apply `update` (one of claude's permission updates).
    fn why_not(&self, update: &Value, project: &Path) -> Option<String> {
        if self.desktop {
            return None;
        }
        if update["destination"] == "userSettings" {
            return Some(
                "a device may not change the user's settings, which hold for every project".into(),
            );
        }
        let malformed = || Some("a rule Tether cannot read".to_owned());
        let kind = update["type"].as_str();
        let behavior = update["behavior"].as_str();
        match kind {
            Some("setMode") => {
                let mode = update["mode"].as_str().unwrap_or_default();
                let known = crate::supervisor::arguments::permission_mode(mode).is_ok();
                if !known || (mode == "bypassPermissions" && !self.may_bypass) {
                    return Some(format!("a device may not switch the session to {mode:?}"));
                }
                None
            }
            Some("addDirectories") => {
                let Some(directories) = update["directories"].as_array() else {
                    return malformed();
                };
                directories
                    .iter()
                    .find(|directory| {
                        directory
                            .as_str()
                            .is_none_or(|directory| !inside(Path::new(directory), project))
                    })
                    .map(|directory| format!("{directory} is outside the project"))
            }
            Some("addRules" | "replaceRules") => {
                let Some(rules) = update["rules"].as_array() else {
                    return malformed();
                };
                match behavior {
                    // Adding deny or ask rules only narrows what claude may do.
                    Some("deny" | "ask") if kind == Some("addRules") => None,
                    Some("allow") => rules.iter().find_map(|rule| self.why_not_allow(rule)),
                    _ => Some("a device may not replace deny or ask rules".into()),
                }
            }
            Some("removeRules") if behavior == Some("allow") => None,
            Some("removeRules") => Some("a device may not remove deny or ask rules".into()),
            Some("removeDirectories") => None,
            _ => Some("a kind of rule Tether does not know".into()),
        }
    }

    /// Why this approver may not add the allow rule `rule` (`{toolName, ruleContent?}`).
    fn why_not_allow(&self, rule: &Value) -> Option<String> {
        let Some(tool) = rule["toolName"].as_str() else {
            return Some("a rule Tether cannot read".into());
        };
        if tool == "Bash" && !self.may_approve_bash {
            return Some("only the desktop may allow Bash commands".into());
        }
        if !FILE_TOOLS.contains(&tool) {
            return None;
        }
        // A file rule reads as a path: `//abs`, `~/home` and `..` reach outside the project,
        // and no path at all means every file.
        match rule["ruleContent"].as_str() {
            None => Some(format!("{tool} of every file reaches outside the project")),
            Some(content)
                if content.starts_with("//")
                    || content.starts_with('~')
                    || content.split('/').any(|segment| segment == "..") =>
            {
                Some(format!("{tool}({content}) reaches outside the project"))
            }
            Some(_) => None,
        }
    }
}

/// Whether writing `path` could make commands run without asking: claude's own settings, its
/// MCP servers, or a git hook.
fn runs_commands(path: &Path) -> bool {
    let names: Vec<&str> = path
        .components()
        .filter_map(|component| component.as_os_str().to_str())
        .collect();
    names.contains(&".claude")
        || names.last() == Some(&".mcp.json")
        || names.windows(2).any(|pair| pair == [".git", "hooks"])
}

/// Whether `path` is `project` or inside it, judged by its components (`..` never climbs out).
fn inside(path: &Path, project: &Path) -> bool {
    let climbs = path
        .components()
        .any(|component| matches!(component, Component::ParentDir));
    path.is_absolute() && !climbs && path.starts_with(project)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn device() -> Approver {
        Approver {
            name: "phone".into(),
            desktop: false,
            may_bypass: false,
            may_approve_bash: true,
        }
    }

    #[test]
    fn a_device_applies_only_what_stays_within_its_rights() {
        let project = Path::new("/home/u/proj");
        let suggestions = [
            json!({"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"echo hi *"}],"behavior":"allow","destination":"localSettings"}),
            json!({"type":"addDirectories","directories":["/home/u/proj/sub"],"destination":"session"}),
            json!({"type":"setMode","mode":"acceptEdits","destination":"session"}),
            json!({"type":"addRules","rules":[{"toolName":"Edit","ruleContent":"src/**"}],"behavior":"allow","destination":"session"}),
            json!({"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"rm *"}],"behavior":"deny","destination":"session"}),
            json!({"type":"removeRules","rules":[{"toolName":"Bash","ruleContent":"ls"}],"behavior":"allow","destination":"session"}),
            // Refused from here on.
            json!({"type":"setMode","mode":"bypassPermissions","destination":"session"}),
            json!({"type":"addDirectories","directories":["/home/u/proj/../other"],"destination":"session"}),
            json!({"type":"addDirectories","directories":["/etc"],"destination":"session"}),
            json!({"type":"addDirectories","destination":"session"}),
            json!({"type":"addRules","rules":[{"toolName":"Read"}],"behavior":"allow","destination":"userSettings"}),
            json!({"type":"addRules","rules":[{"toolName":"Read","ruleContent":"//etc/**"}],"behavior":"allow","destination":"session"}),
            json!({"type":"addRules","rules":[{"toolName":"Edit","ruleContent":"~/.bashrc"}],"behavior":"allow","destination":"session"}),
            json!({"type":"addRules","rules":[{"toolName":"Write","ruleContent":"../x"}],"behavior":"allow","destination":"session"}),
            json!({"type":"addRules","rules":[{"toolName":"Read"}],"behavior":"allow","destination":"session"}),
            json!({"type":"addRules","behavior":"allow","destination":"session"}),
            json!({"type":"removeRules","rules":[{"toolName":"Bash","ruleContent":"rm *"}],"behavior":"deny","destination":"session"}),
            json!({"type":"replaceRules","rules":[],"behavior":"deny","destination":"session"}),
            json!({"type":"somethingNew"}),
        ];
        let (applied, refused) = device().sort(&suggestions, project);
        assert_eq!(applied, suggestions[..6]);
        assert_eq!(
            refused
                .iter()
                .map(|refused| &refused.rule)
                .collect::<Vec<_>>(),
            suggestions[6..].iter().collect::<Vec<_>>()
        );
        assert!(refused[0].why.contains("bypassPermissions"));

        let desktop = Approver {
            desktop: true,
            ..device()
        };
        assert_eq!(desktop.sort(&suggestions, project).0, suggestions);
    }

    #[test]
    fn where_bash_approvals_are_the_desktops_so_are_edits_that_would_run_commands() {
        let phone = Approver {
            may_approve_bash: false,
            ..device()
        };
        let edit = |path: &str| json!({ "file_path": path, "old_string": "a", "new_string": "b" });
        assert!(!phone.may_approve("Bash", &json!({ "command": "ls" })));
        assert!(phone.may_approve("Edit", &edit("/p/src/main.rs")));
        for path in [
            "/p/.claude/settings.local.json",
            "/p/.git/hooks/pre-commit",
            "/p/.mcp.json",
        ] {
            assert!(!phone.may_approve("Write", &edit(path)), "{path}");
        }
        assert!(device().may_approve("Write", &edit("/p/.git/hooks/pre-commit")));
        let rule = json!({"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"ls"}],"behavior":"allow","destination":"session"});
        assert_eq!(phone.sort(&[rule], Path::new("/p")).1.len(), 1);
    }
}
