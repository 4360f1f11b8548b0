//! Claude Code's transcripts: indexing 2,000 files (1 GiB, made of lines the real CLI 2.1.330
//! wrote) from nothing and again after one file grew, with the indexing process's peak memory,
//! and the last page of a 100 MB transcript. Each runs in a fresh `tether-bench` process, next
//! to `wc -l` reading the same bytes (the I/O floor). The files are in the page cache: this
//! measures Tether's work, not the disk.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use tether_engine::transcripts::{Index, history};
use tether_protocol::model::SessionInfo;

use crate::stats::median;

/// Lines the real CLI wrote: a prompt, tool calls with results, an edit and two turns.
const RECORDED: &[u8] =
    include_bytes!("../../tether-engine/tests/fixtures/transcripts/cli-2.1.330-tools.jsonl");
const FILES: usize = 2_000;
const FOLDERS: usize = 40;
const TOTAL: u64 = 1 << 30;
const BIG: u64 = 100 << 20;
const PAGE_RUNS: usize = 5;

#[derive(Debug, Serialize)]
pub struct TranscriptBench {
    pub files: usize,
    pub bytes: u64,
    pub cold_ms: f64,
    pub reindex_ms: f64,
    pub peak_rss_mib: f64,
    /// `wc -l` over the same files.
    pub read_floor_ms: f64,
    pub big_bytes: u64,
    pub last_page_ms: f64,
    pub last_page_messages: usize,
}

/// What `tether-bench index` reports.
#[derive(Debug, Serialize, Deserialize)]
pub struct IndexRun {
    pub cold_ms: f64,
    pub reindex_ms: f64,
    pub peak_rss_kib: u64,
    pub sessions: usize,
}

/// What `tether-bench page` reports.
#[derive(Debug, Serialize, Deserialize)]
pub struct PageRun {
    pub median_ms: f64,
    pub messages: usize,
}

pub async fn run(bench: &Path) -> Result<TranscriptBench> {
    let dir = tempfile::tempdir()?;
    let projects = dir.path().join("projects");
    let files = generate(&projects)?;
    let bytes = files
        .iter()
        .map(|file| file.metadata().map_or(0, |meta| meta.len()))
        .sum();
    let floor = time_wc(&files).await?;
    let grown = files.first().context("no file made")?;
    let index: IndexRun = child(bench, &["index", path(&projects)?, path(grown)?]).await?;
    if index.sessions != FILES {
        bail!("indexed {} of {FILES} transcripts", index.sessions);
    }
    let big_dir = tempfile::tempdir()?;
    let big_projects = big_dir.path().join("projects");
    let big = write_transcript(&big_projects.join("-big"), "big-1", BIG)?;
    let page: PageRun = child(bench, &["page", path(&big_projects)?, "big-1"]).await?;
    Ok(TranscriptBench {
        files: files.len(),
        bytes,
        cold_ms: index.cold_ms,
        reindex_ms: index.reindex_ms,
        peak_rss_mib: index.peak_rss_kib as f64 / 1024.0,
        read_floor_ms: floor,
        big_bytes: big.metadata()?.len(),
        last_page_ms: page.median_ms,
        last_page_messages: page.messages,
    })
}

fn path(path: &Path) -> Result<&str> {
    path.to_str().context("a temporary path that is not UTF-8")
}

/// `FILES` transcripts in `FOLDERS` folders, `TOTAL` bytes in all.
fn generate(projects: &Path) -> Result<Vec<PathBuf>> {
    (0..FILES)
        .map(|n| {
            let folder = projects.join(format!("-home-u-project-{}", n % FOLDERS));
            write_transcript(
                &folder,
                &format!("{n:08x}-0000-4000-8000-000000000000"),
                TOTAL / FILES as u64,
            )
        })
        .collect()
}

/// A transcript of `size` bytes (to the line): the recorded lines again and again, each
/// copy's line and message ids made its own.
fn write_transcript(folder: &Path, id: &str, size: u64) -> Result<PathBuf> {
    std::fs::create_dir_all(folder)?;
    let path = folder.join(format!("{id}.jsonl"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut written = 0;
    let mut copy = RECORDED.to_vec();
    for n in 0.. {
        if written >= size {
            break;
        }
        let tag = format!("{n:08x}");
        for marker in [&b"\"uuid\":\""[..], b"\"msg_"] {
            let starts: Vec<usize> = memchr::memmem::find_iter(&copy, marker)
                .map(|at| at + marker.len())
                .collect();
            for start in starts {
                if let Some(id) = copy.get_mut(start..start + tag.len()) {
                    id.copy_from_slice(tag.as_bytes());
                }
            }
        }
        for line in copy.split_inclusive(|&byte| byte == b'\n') {
            if written >= size {
                break;
            }
            file.write_all(line)?;
            written += line.len() as u64;
        }
    }
    file.flush()?;
    Ok(path)
}

/// Runs `tether-bench ARGS` and reads the JSON it prints.
async fn child<T: for<'de> Deserialize<'de>>(bench: &Path, args: &[&str]) -> Result<T> {
    let output = tokio::process::Command::new(bench)
        .args(args)
        .output()
        .await?;
    if !output.status.success() {
        bail!(
            "tether-bench {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

async fn time_wc(files: &[PathBuf]) -> Result<f64> {
    let start = Instant::now();
    let status = tokio::process::Command::new("wc")
        .arg("-l")
        .args(files)
        .stdout(std::process::Stdio::null())
        .status()
        .await?;
    if !status.success() {
        bail!("wc -l failed");
    }
    Ok(start.elapsed().as_secs_f64() * 1e3)
}

/// `tether-bench index PROJECTS GROW`: indexes from nothing, appends to `GROW`, indexes again.
pub fn index(projects: &Path, grow: &Path) -> Result<IndexRun> {
    let index = Index::default();
    let start = Instant::now();
    index.refresh(projects);
    let cold_ms = start.elapsed().as_secs_f64() * 1e3;
    let mut file = std::fs::OpenOptions::new().append(true).open(grow)?;
    file.write_all(&RECORDED[..RECORDED.len().min(4096)])?;
    file.write_all(b"\n")?;
    let start = Instant::now();
    if !index.refresh(projects) {
        bail!("the grown file was not noticed");
    }
    let reindex_ms = start.elapsed().as_secs_f64() * 1e3;
    Ok(IndexRun {
        cold_ms,
        reindex_ms,
        peak_rss_kib: peak_rss_kib()?,
        sessions: index.progress().indexed as usize,
    })
}

/// `tether-bench page PROJECTS ID`: the last page of transcript `ID`, as `terminal.open` reads it.
pub fn page(projects: &Path, id: &str) -> Result<PageRun> {
    let index = Index::default();
    index.refresh(projects);
    let indexed = index
        .get(id)
        .context("the big transcript was not indexed")?;
    let mut timings = Vec::new();
    let mut messages = 0;
    for _ in 0..PAGE_RUNS {
        let start = Instant::now();
        let digest = &indexed.digest;
        let span = history::span(digest, digest.read_to, history::DEFAULT_TURNS)?;
        let info = SessionInfo::new(id.to_owned(), String::new(), None, "default".to_owned(), 0);
        let (reducer, _) = history::load(&indexed.path, span, info)?;
        messages = reducer.view().messages.len();
        timings.push(start.elapsed().as_nanos() as u64);
    }
    Ok(PageRun {
        median_ms: median(timings) as f64 / 1e6,
        messages,
    })
}

/// This process's peak resident memory (`VmHWM`).
fn peak_rss_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .context("no VmHWM in /proc/self/status")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_copy_of_the_recorded_lines_is_a_conversation_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let projects = dir.path().join("projects");
        write_transcript(&projects.join("-p"), "t-1", 3 * RECORDED.len() as u64).unwrap();
        let index = Index::default();
        index.refresh(&projects);
        let digest = index.get("t-1").unwrap().digest;
        assert_eq!((digest.skipped, digest.turns.len()), (0, 6));
        assert_eq!(
            digest.messages,
            3 * 7,
            "two prompts and five answers a copy"
        );
        assert_eq!(page(&projects, "t-1").unwrap().messages, 3 * 7);
    }
}
