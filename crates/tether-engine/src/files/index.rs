//! A project's file names for `@` mentions: one walk that honours `.gitignore` and never
//! follows a symlink, kept a short while and searched in memory. A walk older than
//! [`FRESH_FOR`] is still answered from, while a new one is made behind it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use ignore::{WalkBuilder, WalkState};
use tether_protocol::files::{FileEntry, FileKind};

use super::confine::display;

/// The most entries one project's index holds.
pub const MAX_ENTRIES: usize = 200_000;

/// How long a walk is used before another is made.
const FRESH_FOR: Duration = Duration::from_secs(10);

/// One walk of a project.
pub struct FileIndex {
    /// Shallowest first, then by path.
    entries: Vec<Indexed>,
    pub truncated: bool,
    made: Instant,
}

struct Indexed {
    path: String,
    lower: String,
    folder: bool,
}

impl FileIndex {
    /// Walks `root` (canonical): blocking, call it off the async threads.
    pub fn walk(root: &Path) -> Self {
        let (found, receive) = mpsc::channel();
        let count = std::sync::atomic::AtomicUsize::new(0);
        WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .threads(2)
            .build_parallel()
            .run(|| {
                let found = found.clone();
                let count = &count;
                Box::new(move |entry| {
                    let Ok(entry) = entry else {
                        return WalkState::Continue;
                    };
                    if entry.depth() == 0 {
                        return WalkState::Continue;
                    }
                    if count.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= MAX_ENTRIES {
                        return WalkState::Quit;
                    }
                    let folder = entry.file_type().is_some_and(|kind| kind.is_dir());
                    if let Some(path) = display(root, entry.path()) {
                        let _ = found.send((path, folder));
                    }
                    WalkState::Continue
                })
            });
        drop(found);
        let mut entries: Vec<Indexed> = receive
            .into_iter()
            .take(MAX_ENTRIES)
            .map(|(path, folder)| Indexed {
                lower: path.to_lowercase(),
                path,
                folder,
            })
            .collect();
        entries.sort_by(|a, b| {
            let depth = |entry: &Indexed| entry.path.matches('/').count();
            depth(a).cmp(&depth(b)).then_with(|| a.path.cmp(&b.path))
        });
        Self {
            truncated: count.into_inner() > MAX_ENTRIES,
            entries,
            made: Instant::now(),
        }
    }

    /// The best `limit` entries for `query`: its letters in order anywhere in the path,
    /// ranked by where they are found (the name's start, the name, the path, spread out),
    /// then shallowest and by path. A blank query gives the shallowest entries.
    pub fn search(&self, query: &str, limit: usize) -> Vec<FileEntry> {
        let query = query.trim().to_lowercase();
        let mut ranked: Vec<(u32, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| rank(&entry.lower, &query).map(|rank| (rank, index)))
            .collect();
        if ranked.len() > limit {
            ranked.select_nth_unstable(limit);
            ranked.truncate(limit);
        }
        ranked.sort_unstable();
        ranked
            .into_iter()
            .map(|(_, index)| {
                let entry = &self.entries[index];
                FileEntry {
                    path: entry.path.clone(),
                    kind: if entry.folder {
                        FileKind::Folder
                    } else {
                        FileKind::File
                    },
                }
            })
            .collect()
    }
}

/// Lower is better; `None` when the letters are not all there in order.
fn rank(path: &str, query: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(0);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.starts_with(query) {
        Some(0)
    } else if name.contains(query) {
        Some(1 << 16)
    } else if path.contains(query) {
        Some(2 << 16)
    } else {
        spread(path, query).map(|score| (3 << 16) + u32::from(u16::MAX - score))
    }
}

/// How well `query`'s letters, taken in order from the left, fall in `path`: a letter at the
/// start of a part (after `/`, `.`, `-`, `_` or a space) counts two, one right after the last
/// counts one. `None` when they are not all there.
fn spread(path: &str, query: &str) -> Option<u16> {
    let mut score: u16 = 0;
    let mut previous: Option<char> = None;
    let mut last_matched = false;
    let mut wanted = query.chars().peekable();
    for letter in path.chars() {
        let Some(&next) = wanted.peek() else { break };
        let boundary = previous.is_none_or(|before| matches!(before, '/' | '.' | '-' | '_' | ' '));
        if letter == next {
            wanted.next();
            score = score.saturating_add(if boundary { 2 } else { 0 } + u16::from(last_matched));
            last_matched = true;
        } else {
            last_matched = false;
        }
        previous = Some(letter);
    }
    wanted.peek().is_none().then_some(score)
}

/// Each project's latest walk, and one walk at a time per project (askers during a first walk
/// wait for it rather than start their own).
#[derive(Default)]
pub struct FileIndexes {
    walks: Mutex<HashMap<String, Walked>>,
    walking: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

struct Walked {
    index: Arc<FileIndex>,
    refreshing: bool,
}

impl FileIndexes {
    /// The project's index: the one kept when there is one (making a new one behind it when
    /// it is stale), else a new walk.
    pub async fn get(self: &Arc<Self>, project_id: &str, root: &Path) -> Arc<FileIndex> {
        let kept = {
            let mut walks = self.lock();
            walks.get_mut(project_id).map(|walked| {
                let stale = walked.index.made.elapsed() > FRESH_FOR && !walked.refreshing;
                walked.refreshing |= stale;
                (walked.index.clone(), stale)
            })
        };
        match kept {
            Some((index, false)) => index,
            Some((index, true)) => {
                let indexes = self.clone();
                let (project_id, root) = (project_id.to_owned(), root.to_path_buf());
                tokio::spawn(async move { indexes.walk(&project_id, &root).await });
                index
            }
            None => self.walk(project_id, root).await,
        }
    }

    async fn walk(&self, project_id: &str, root: &Path) -> Arc<FileIndex> {
        let turn = self
            .lock_walking()
            .entry(project_id.to_owned())
            .or_default()
            .clone();
        let _walking = turn.lock().await;
        // A walk that ended while this one waited is fresh enough.
        if let Some(walked) = self.lock().get(project_id)
            && walked.index.made.elapsed() <= FRESH_FOR
        {
            return walked.index.clone();
        }
        let folder = root.to_path_buf();
        let index = tokio::task::spawn_blocking(move || FileIndex::walk(&folder))
            .await
            .map(Arc::new)
            .unwrap_or_else(|_| {
                Arc::new(FileIndex {
                    entries: Vec::new(),
                    truncated: false,
                    made: Instant::now(),
                })
            });
        self.lock().insert(
            project_id.to_owned(),
            Walked {
                index: index.clone(),
                refreshing: false,
            },
        );
        index
    }

    /// Forgets a removed project's walk.
    pub fn forget(&self, project_id: &str) {
        self.lock().remove(project_id);
        self.lock_walking().remove(project_id);
    }

    fn lock_walking(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Arc<tokio::sync::Mutex<()>>>> {
        self.walking
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Walked>> {
        self.walks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[&str]) -> tempfile::TempDir {
        let folder = tempfile::tempdir().unwrap();
        for file in files {
            let path = folder.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        folder
    }

    #[test]
    fn gitignored_files_dot_git_and_symlinks_out_are_not_listed() {
        let folder = project(&[
            ".gitignore",
            "src/server/main.rs",
            "src/lib.rs",
            "target/debug/app",
            ".git/config",
            ".github/workflows/ci.yml",
            "README.md",
        ]);
        std::fs::write(folder.path().join(".gitignore"), "target/\n").unwrap();
        let outside = project(&["secret.txt"]);
        std::os::unix::fs::symlink(outside.path(), folder.path().join("elsewhere")).unwrap();
        let root = folder.path().canonicalize().unwrap();
        let index = FileIndex::walk(&root);
        let all: Vec<String> = index.search("", 100).into_iter().map(|e| e.path).collect();
        assert!(all.contains(&"src/server/main.rs".to_owned()), "{all:?}");
        assert!(
            all.contains(&".github/workflows/ci.yml".to_owned()),
            "{all:?}"
        );
        assert!(!all.iter().any(|p| p.starts_with("target")), "{all:?}");
        assert!(!all.iter().any(|p| p.starts_with(".git/")), "{all:?}");
        assert!(
            !all.iter().any(|p| p.contains("secret")),
            "the link is not followed: {all:?}"
        );
        assert_eq!(all[0], ".github", "shallowest first: {all:?}");
    }

    #[test]
    fn the_best_match_comes_first_and_the_answer_is_bounded() {
        let folder = project(&[
            "src/server/main.rs",
            "docs/main-ideas.md",
            "main.rs",
            "tests/mainly.rs",
        ]);
        let index = FileIndex::walk(&folder.path().canonicalize().unwrap());
        let found: Vec<String> = index
            .search("main", 10)
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(found[0], "main.rs", "{found:?}");
        assert_eq!(index.search("srvmain", 10)[0].path, "src/server/main.rs");
        let commands = project(&[".claude/commands/review.md", "src/server/main.rs"]);
        let index_two = FileIndex::walk(&commands.path().canonicalize().unwrap());
        assert_eq!(
            index_two.search("srvm", 10)[0].path,
            "src/server/main.rs",
            "letters at the start of parts count most"
        );
        assert_eq!(index.search("main", 2).len(), 2);
        assert!(index.search("zzz", 10).is_empty());
        assert_eq!(index.search("MAIN.RS", 1)[0].path, "main.rs", "any case");
    }
}
