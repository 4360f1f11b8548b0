//! The index of every transcript under the CLI's projects folder, kept in memory. A file whose
//! size and modification time have not changed is not read again; one that grew is read on
//! from where the last read stopped; one that shrank is read again from the start. Files are
//! read on every core, and a file that cannot be read is listed with the reason.

use std::collections::{HashMap, HashSet};
use std::fs::Metadata;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use super::digest::Digest;
use super::file;
use super::line;
use super::lines::{Line, Lines};
use crate::supervisor::arguments;
use tether_protocol::terminal::IndexProgress;

/// The most transcript files indexed; more are left out (and logged).
pub const MAX_FILES: usize = 100_000;
/// The longest line read; a longer one is skipped and counted.
pub const MAX_LINE: usize = 16 << 20;
/// How much of a file is read at a time.
const READ_BUFFER: usize = 256 << 10;

/// One transcript file and what has been read of it.
#[derive(Debug, Clone)]
pub struct Indexed {
    pub path: PathBuf,
    pub len: u64,
    modified: Option<SystemTime>,
    /// The file's device and inode: another file under the same name is read anew.
    pub identity: (u64, u64),
    pub digest: Digest,
}

#[derive(Default)]
struct State {
    files: HashMap<String, Indexed>,
    progress: IndexProgress,
}

/// Every transcript found, by session id.
#[derive(Default)]
pub struct Index {
    state: Mutex<State>,
}

/// A transcript file found on disk.
struct Found {
    id: String,
    path: PathBuf,
    meta: Metadata,
}

impl Index {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Entries are replaced whole: a poisoned map is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn progress(&self) -> IndexProgress {
        self.lock().progress.clone()
    }

    /// The transcript `id`, if indexed.
    pub fn get(&self, id: &str) -> Option<Indexed> {
        self.lock().files.get(id).cloned()
    }

    /// What `describe` makes of every transcript, in no order (nothing is copied meanwhile).
    pub fn describe_all<T>(&self, mut describe: impl FnMut(&str, &Indexed) -> T) -> Vec<T> {
        let state = self.lock();
        state
            .files
            .iter()
            .map(|(id, indexed)| describe(id, indexed))
            .collect()
    }

    /// Brings the index up to date with `projects` on disk; true when anything changed.
    pub fn refresh(&self, projects: &Path) -> bool {
        let found = find(projects);
        let stale: Vec<&Found> = {
            let mut state = self.lock();
            let before = state.files.len();
            let present: HashSet<&str> = found.iter().map(|file| file.id.as_str()).collect();
            state.files.retain(|id, _| present.contains(id.as_str()));
            let removed = state.files.len() != before;
            let stale: Vec<&Found> = found
                .iter()
                .filter(|file| {
                    state.files.get(&file.id).is_none_or(|known| {
                        known.len != file.meta.len()
                            || known.modified != file.meta.modified().ok()
                            || known.identity != file::identity(&file.meta)
                    })
                })
                .collect();
            state.progress = IndexProgress {
                files: found.len() as u64,
                indexed: (found.len() - stale.len()) as u64,
                done: stale.is_empty(),
            };
            if stale.is_empty() {
                return removed;
            }
            stale
        };
        let next = AtomicUsize::new(0);
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        std::thread::scope(|scope| {
            for _ in 0..workers.min(stale.len()) {
                scope.spawn(|| {
                    while let Some(file) = stale.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let earlier = self.get(&file.id);
                        let indexed = read(file, earlier);
                        let mut state = self.lock();
                        state.files.insert(file.id.clone(), indexed);
                        state.progress.indexed += 1;
                    }
                });
            }
        });
        self.lock().progress.done = true;
        true
    }
}

/// Every `<folder>/<session-id>.jsonl` under `projects`, at most [`MAX_FILES`].
fn find(projects: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    let Ok(folders) = std::fs::read_dir(projects) else {
        return found;
    };
    for folder in folders.flatten() {
        // A folder that is a link is not followed: it could lead anywhere.
        if !folder.file_type().is_ok_and(|kind| kind.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(folder.path()) else {
            continue;
        };
        for file in files.flatten() {
            // FIFOs, sockets and devices are never read; a link is listed, not followed.
            if !file
                .file_type()
                .is_ok_and(|kind| kind.is_file() || kind.is_symlink())
            {
                continue;
            }
            let path = file.path();
            let id = match (path.extension(), path.file_stem()) {
                (Some(extension), Some(stem)) if extension == "jsonl" => stem.to_string_lossy(),
                _ => continue,
            };
            if arguments::resume(&id).is_err() {
                continue;
            }
            let Ok(meta) = file.metadata() else {
                continue;
            };
            if found.len() == MAX_FILES {
                tracing::warn!(
                    limit = MAX_FILES,
                    "too many transcripts; the rest are not listed"
                );
                return found;
            }
            found.push(Found {
                id: id.into_owned(),
                path,
                meta,
            });
        }
    }
    found
}

/// Reads `file` on from where `earlier` stopped (from the start when it shrank, is new, or is
/// another file under the same name).
fn read(file: &Found, earlier: Option<Indexed>) -> Indexed {
    let len = file.meta.len();
    let identity = file::identity(&file.meta);
    let mut digest = earlier
        .filter(|earlier| {
            earlier.digest.read_to <= len
                && earlier.path == file.path
                && earlier.identity == identity
        })
        .map(|earlier| earlier.digest)
        .unwrap_or_default();
    if file.meta.file_type().is_symlink() {
        digest = Digest::default();
        digest.problem = Some("a symbolic link, not followed".to_owned());
    } else if let Err(error) = read_on(&file.path, &mut digest) {
        digest.problem = Some(format!("cannot be read: {error}"));
    }
    Indexed {
        path: file.path.clone(),
        len,
        modified: file.meta.modified().ok(),
        identity,
        digest,
    }
}

fn read_on(path: &Path, digest: &mut Digest) -> std::io::Result<()> {
    let mut opened = file::open(path)?;
    opened.seek(SeekFrom::Start(digest.read_to))?;
    read_into(
        digest,
        BufReader::with_capacity(READ_BUFFER, opened),
        MAX_LINE,
    )
}

/// Reads a transcript's lines from `reader`, which is at `digest.read_to`, into `digest`;
/// a line may have `max` bytes.
pub fn read_into(digest: &mut Digest, reader: impl BufRead, max: usize) -> std::io::Result<()> {
    let mut lines = Lines::new(reader, digest.read_to, max);
    loop {
        match lines.next_line()? {
            Some(Line::Whole { offset, bytes }) if !bytes.is_empty() => match line::skim(bytes) {
                Ok((skim, context)) => digest.add(offset, skim, context),
                Err(error) => digest.skip(|| format!("line at byte {offset}: {error}")),
            },
            Some(Line::Whole { .. }) => {}
            Some(Line::TooLong { offset, len }) => {
                digest.skip(|| format!("line at byte {offset} has {len} bytes, past the limit"))
            }
            None => break,
        }
    }
    digest.read_to = lines.offset();
    Ok(())
}
