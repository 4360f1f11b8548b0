//! `git status --porcelain=v2 --branch -z`, read into the project's [`GitStatus`]: paths made
//! relative to the project (which may be a folder inside the repository), at most
//! [`MAX_CHANGES`] of them.

use tether_protocol::files::{GitChange, GitRepository};

/// The most changed files listed.
pub const MAX_CHANGES: usize = 2000;

/// Reads git's output; `prefix` is the project's folder inside the repository (`sub/` or
/// empty), stripped from every path.
pub fn parse(output: &[u8], prefix: &str, cut: bool) -> GitRepository {
    let text = String::from_utf8_lossy(output);
    let mut records = text.split('\0').filter(|record| !record.is_empty());
    let mut repository = GitRepository {
        branch: None,
        head: None,
        upstream: None,
        ahead: 0,
        behind: 0,
        changes: Vec::new(),
        truncated: cut,
    };
    while let Some(record) = records.next() {
        let (kind, rest) = record.split_once(' ').unwrap_or((record, ""));
        let change = match kind {
            "#" => {
                header(&mut repository, rest);
                None
            }
            "1" => changed(rest, 7, prefix),
            "2" => changed(rest, 8, prefix).map(|mut change| {
                change.from = records.next().map(|from| inside(from, prefix));
                change
            }),
            "u" => changed(rest, 9, prefix),
            "?" => Some(GitChange {
                path: inside(rest, prefix),
                from: None,
                staged: "?".into(),
                unstaged: "?".into(),
            }),
            _ => None,
        };
        if let Some(change) = change {
            if repository.changes.len() == MAX_CHANGES {
                repository.truncated = true;
                break;
            }
            repository.changes.push(change);
        }
    }
    repository
}

fn header(repository: &mut GitRepository, line: &str) {
    let (key, value) = line.split_once(' ').unwrap_or((line, ""));
    match key {
        "branch.oid" if value != "(initial)" => {
            repository.head = Some(value.chars().take(12).collect());
        }
        "branch.head" if value != "(detached)" => repository.branch = Some(value.to_owned()),
        "branch.upstream" => repository.upstream = Some(value.to_owned()),
        "branch.ab" => {
            for count in value.split(' ') {
                if let Some(ahead) = count.strip_prefix('+') {
                    repository.ahead = ahead.parse().unwrap_or(0);
                } else if let Some(behind) = count.strip_prefix('-') {
                    repository.behind = behind.parse().unwrap_or(0);
                }
            }
        }
        _ => {}
    }
}

/// A `1`, `2` or `u` record: `XY`, then `fields` more fields, then the path.
fn changed(rest: &str, fields: usize, prefix: &str) -> Option<GitChange> {
    let mut parts = rest.splitn(fields + 1, ' ');
    let codes = parts.next()?;
    let path = parts.nth(fields - 1)?;
    let mut letters = codes.chars();
    Some(GitChange {
        path: inside(path, prefix),
        from: None,
        staged: letters.next()?.to_string(),
        unstaged: letters.next()?.to_string(),
    })
}

fn inside(path: &str, prefix: &str) -> String {
    path.strip_prefix(prefix).unwrap_or(path).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_counts_renames_conflicts_and_untracked() {
        let output = [
            "# branch.oid 511b3a1ed9e6c7ddaba0b9e973484dbd33ca068b",
            "# branch.head main",
            "# branch.upstream origin/main",
            "# branch.ab +2 -3",
            "1 .M N... 100644 100644 100644 aaaa bbbb sub/a file.txt",
            "2 RM N... 100644 100644 100644 aaaa aaaa R100 sub/renamed.txt",
            "sub/a.txt",
            "u UU N... 100644 100644 100644 100644 a b c sub/both.txt",
            "? sub/new.txt",
            "",
        ]
        .join("\0");
        let status = parse(output.as_bytes(), "sub/", false);
        assert_eq!(status.branch.as_deref(), Some("main"));
        assert_eq!(status.head.as_deref(), Some("511b3a1ed9e6"));
        assert_eq!(status.upstream.as_deref(), Some("origin/main"));
        assert_eq!((status.ahead, status.behind), (2, 3));
        let listed: Vec<_> = status
            .changes
            .iter()
            .map(|c| {
                (
                    c.path.as_str(),
                    c.from.as_deref(),
                    c.staged.as_str(),
                    c.unstaged.as_str(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("a file.txt", None, ".", "M"),
                ("renamed.txt", Some("a.txt"), "R", "M"),
                ("both.txt", None, "U", "U"),
                ("new.txt", None, "?", "?"),
            ]
        );
    }

    #[test]
    fn a_detached_head_before_any_commit_and_too_many_changes() {
        let mut output = "# branch.oid (initial)\0# branch.head (detached)\0".to_owned();
        for n in 0..=MAX_CHANGES {
            output.push_str(&format!("? f{n}\0"));
        }
        let status = parse(output.as_bytes(), "", false);
        assert_eq!((status.branch, status.head), (None, None));
        assert_eq!(status.changes.len(), MAX_CHANGES);
        assert!(status.truncated);
    }
}
