//! The composer and the project: full-text search over 100,000 saved messages (next to
//! `grep -c` reading the same text, the floor of scanning it), and `@` file search in a
//! 100,000-file tree, cold (a walk and a search; the tree's folders in the page cache) and warm
//! (the walk kept), next to `find` listing the same tree.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use tether_engine::files::FileIndex;
use tether_protocol::model::{Message, Part, Role};
use tether_store::{RetentionLimits, Row, Store};

use crate::stats::{median, ms, percentile};

const MESSAGES: usize = 100_000;
const SEARCHES: usize = 300;
const FILES: usize = 100_000;
const COLD_RUNS: usize = 5;

/// Words the messages are made of: common ones, and rarer names a search looks for.
const WORDS: [&str; 24] = [
    "the",
    "parser",
    "reads",
    "tokens",
    "and",
    "returns",
    "an",
    "error",
    "when",
    "input",
    "ends",
    "early",
    "fix",
    "build",
    "test",
    "server",
    "client",
    "socket",
    "retry",
    "budget",
    "session",
    "approval",
    "thumbnail",
    "migration",
];

#[derive(Debug, Serialize)]
pub struct ProjectBench {
    pub messages: usize,
    pub search_p50_ms: f64,
    pub search_p99_ms: f64,
    /// `grep -c` over the same text, once.
    pub grep_ms: f64,
    pub files: usize,
    pub file_cold_ms: f64,
    pub file_warm_p99_ms: f64,
    /// `find -type f` over the same tree.
    pub find_ms: f64,
}

impl ProjectBench {
    /// Its section of the report, in markdown.
    pub fn table(&self) -> String {
        format!(
            "## Search and the project's files\n\n\
             | measure | Tether | floor, same data |\n|---|---:|---:|\n\
             | search {} messages, p50 / p99 | {:.2} / {:.2} ms | `grep -c` of their text: {:.1} ms |\n\
             | `@` search in {} files, cold (walk + search) | {:.0} ms | `find -type f`: {:.0} ms |\n\
             | `@` search, warm, p99 | {:.2} ms | |\n\n",
            self.messages,
            self.search_p50_ms,
            self.search_p99_ms,
            self.grep_ms,
            self.files,
            self.file_cold_ms,
            self.find_ms,
            self.file_warm_p99_ms,
        )
    }
}

pub async fn run() -> Result<ProjectBench> {
    let dir = tempfile::tempdir()?;
    let (search_p50_ms, search_p99_ms, grep_ms) = search(dir.path()).await?;
    let tree = dir.path().join("tree");
    make_tree(&tree)?;
    let (file_cold_ms, file_warm_p99_ms) = files(&tree);
    let find_ms = timed_command(Command::new("find").arg(&tree).args(["-type", "f"]))?;
    Ok(ProjectBench {
        messages: MESSAGES,
        search_p50_ms,
        search_p99_ms,
        grep_ms,
        files: FILES,
        file_cold_ms,
        file_warm_p99_ms,
        find_ms,
    })
}

/// A message of about twenty words, different for each `n`.
fn text(n: usize) -> String {
    (0..20)
        .map(|k| WORDS[((n.wrapping_mul(2_654_435_761) >> (k % 16)) ^ (k * 7)) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

async fn search(dir: &Path) -> Result<(f64, f64, f64)> {
    let data = dir.join("store");
    std::fs::create_dir_all(&data)?;
    let store = Store::open(&data, RetentionLimits::default());
    let mut dump = String::new();
    for n in 0..MESSAGES {
        let body = text(n);
        dump.push_str(&body);
        dump.push('\n');
        let message = Message {
            id: format!("m{n}"),
            role: if n % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            },
            parts: vec![Part::Text {
                id: format!("m{n}:0"),
                text: body,
            }],
        };
        let session_id = format!("s{}", n / 100);
        store.save(Row::Message {
            session_id,
            seq: (n % 100) as u64,
            message,
        });
    }
    store.flush().await.map_err(anyhow::Error::msg)?;
    let queries = [
        "parser error",
        "thumbn",
        "retry budget",
        "migration",
        "socket ret",
        "\"approval\"",
    ];
    let mut samples = Vec::with_capacity(SEARCHES);
    for n in 0..SEARCHES {
        let started = Instant::now();
        let hits = store.search(queries[n % queries.len()], 30)?;
        samples.push(started.elapsed().as_nanos() as u64);
        anyhow::ensure!(!hits.is_empty(), "the search found nothing");
    }
    samples.sort_unstable();
    store.close().await;
    let text_file = dir.join("messages.txt");
    std::fs::write(&text_file, dump)?;
    let grep = timed_command(
        Command::new("grep")
            .args(["-c", "-i", "retry budget"])
            .arg(&text_file),
    )?;
    Ok((
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        grep,
    ))
}

/// 100,000 files in 1,000 folders of 100, ten folders to a parent.
fn make_tree(tree: &Path) -> Result<()> {
    for folder in 0..FILES / 100 {
        let path = tree.join(format!("pkg{}/mod{folder}", folder / 10));
        std::fs::create_dir_all(&path)?;
        for file in 0..100 {
            std::fs::File::create(path.join(format!("file{file}.rs")))?;
        }
    }
    Ok(())
}

/// The median of cold walks with a search, and the p99 of searches on one kept walk.
fn files(tree: &Path) -> (f64, f64) {
    let root = tree.canonicalize().unwrap_or_else(|_| tree.to_path_buf());
    let mut cold = Vec::new();
    let mut index = None;
    for _ in 0..COLD_RUNS {
        let started = Instant::now();
        let walked = FileIndex::walk(&root);
        let _ = walked.search("mod12file3", 20);
        cold.push(started.elapsed().as_nanos() as u64);
        index = Some(walked);
    }
    let mut warm = Vec::new();
    if let Some(index) = index {
        for n in 0..SEARCHES {
            let started = Instant::now();
            let _ = index.search(&format!("mod{}file", n % 1000), 20);
            warm.push(started.elapsed().as_nanos() as u64);
        }
    }
    warm.sort_unstable();
    (ms(median(cold)), ms(percentile(&warm, 0.99)))
}

fn timed_command(command: &mut Command) -> Result<f64> {
    let started = Instant::now();
    let output = command.output().context("running the floor's command")?;
    anyhow::ensure!(
        output.status.code().is_some(),
        "the floor's command was killed"
    );
    Ok(started.elapsed().as_secs_f64() * 1e3)
}
