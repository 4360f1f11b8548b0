//! Who may approve what, and which of claude's suggested "always allow" rules an approval may
//! apply: the desktop any; a device none that would widen what it may do (a switch to a
//! permission mode it may not choose, a folder outside the project, a rule in the user's own
//! settings, which hold for every project, or a Bash rule where Bash approvals are the
//! desktop's).

use std::path::{Component, Path};

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

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

/// A suggested rule left out of an "always allow", and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RefusedRule {
    #[ts(type = "unknown")]
    pub rule: Value,
    pub why: String,
}

impl Approver {
    /// Whether it may approve a call of `tool`.
    pub fn may_approve(&self, tool: &str) -> bool {
        tool != "Bash" || self.may_approve_bash
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

    /// Why this approver may not apply `rule`, if it may not.
    fn why_not(&self, rule: &Value, project: &Path) -> Option<String> {
        if self.desktop {
            return None;
        }
        if rule["destination"] == "userSettings" {
            return Some(
                "a device may not change the user's settings, which hold for every project".into(),
            );
        }
        match rule["type"].as_str() {
            Some("setMode") => {
                let mode = rule["mode"].as_str().unwrap_or_default();
                let known = crate::supervisor::arguments::permission_mode(mode).is_ok();
                if !known || (mode == "bypassPermissions" && !self.may_bypass) {
                    return Some(format!("a device may not switch the session to {mode:?}"));
                }
                None
            }
            Some("addDirectories") => {
                let directories = rule["directories"].as_array()?;
                let outside = directories.iter().find(|directory| {
                    directory
                        .as_str()
                        .is_none_or(|directory| !inside(Path::new(directory), project))
                });
                outside.map(|directory| format!("{directory} is outside the project"))
            }
            Some("addRules" | "replaceRules") => {
                let rules = rule["rules"].as_array()?;
                let bash = rules.iter().any(|rule| rule["toolName"] == "Bash");
                (bash && !self.may_approve_bash && rule["behavior"] != "deny")
                    .then(|| "only the desktop may allow Bash commands".to_owned())
            }
            Some("removeRules" | "removeDirectories") => None,
            _ => Some("a kind of rule Tether does not know".into()),
        }
    }
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
            json!({"type":"setMode","mode":"bypassPermissions","destination":"session"}),
            json!({"type":"addDirectories","directories":["/home/u/proj/../other"],"destination":"session"}),
            json!({"type":"addDirectories","directories":["/etc"],"destination":"session"}),
            json!({"type":"addRules","rules":[{"toolName":"Read"}],"behavior":"allow","destination":"userSettings"}),
            json!({"type":"somethingNew"}),
        ];
        let (applied, refused) = device().sort(&suggestions, project);
        assert_eq!(applied, suggestions[..3]);
        assert_eq!(
            refused
                .iter()
                .map(|refused| &refused.rule)
                .collect::<Vec<_>>(),
            suggestions[3..].iter().collect::<Vec<_>>()
        );
        assert!(refused[0].why.contains("bypassPermissions"));

        let desktop = Approver {
            desktop: true,
            ..device()
        };
        assert_eq!(desktop.sort(&suggestions, project).0, suggestions);
    }

    #[test]
    fn where_bash_approvals_are_the_desktops_a_device_neither_approves_nor_allows_bash() {
        let phone = Approver {
            may_approve_bash: false,
            ..device()
        };
        assert!(!phone.may_approve("Bash") && phone.may_approve("Edit"));
        let rule = json!({"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"ls"}],"behavior":"allow","destination":"session"});
        assert_eq!(phone.sort(&[rule], Path::new("/p")).1.len(), 1);
    }
}
