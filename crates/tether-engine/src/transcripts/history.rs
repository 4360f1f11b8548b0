//! Pages of a transcript's history, read lazily: a page is a run of whole turns that ends where
//! the next page begins, found through the turn offsets the index keeps, and never more than
//! [`PAGE_BYTES`] of the file. Its lines go through the session reducer, so a page holds the
//! same messages and parts as Tether's own sessions.

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

use super::digest::Digest;
use super::file;
use super::index::MAX_LINE;
use super::line::{self, Entry};
use super::lines::{Line, Lines};
use crate::supervisor::session_reducer::SessionReducer;
use tether_protocol::model::SessionInfo;

/// The most of a file one page reads.
pub const PAGE_BYTES: u64 = 8 << 20;
/// Turns per page unless asked otherwise.
pub const DEFAULT_TURNS: usize = 20;
/// The most turns one page may hold.
pub const MAX_TURNS: usize = 200;

/// Why a page cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{0} is not where a page starts; pass the `before` an earlier page gave")]
    NotABoundary(u64),
    #[error("the transcript cannot be read: {0}")]
    Io(#[from] std::io::Error),
}

/// Where a page starts and ends in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u64,
    pub end: u64,
    /// Where the page before this one ends; none when this one starts the file.
    pub before: Option<u64>,
    /// `start` falls inside a line (a turn longer than a page): that line is skipped.
    pub cut: bool,
}

/// The span of at most `turns` turns that ends at `end` (a turn's start, or how far the file
/// has been read). The first turn takes in whatever comes before it in the file.
pub fn span(digest: &Digest, end: u64, turns: usize) -> Result<Span, PageError> {
    let last = match digest.turns.binary_search(&end) {
        Ok(index) => index,
        Err(_) if end == digest.read_to => digest.turns.len(),
        Err(_) => return Err(PageError::NotABoundary(end)),
    };
    let turn_start = |index: usize| if index == 0 { 0 } else { digest.turns[index] };
    let first = last.saturating_sub(turns.clamp(1, MAX_TURNS));
    // The earliest turn that keeps the page within its bound; at least the last one.
    let boundary = (first..last)
        .find(|&index| end - turn_start(index) <= PAGE_BYTES)
        .or(last.checked_sub(1))
        .map_or(0, turn_start);
    // A turn longer than a page is shown from its last PAGE_BYTES.
    let start = boundary.max(end.saturating_sub(PAGE_BYTES));
    Ok(Span {
        start,
        end,
        before: (boundary > 0).then_some(boundary),
        cut: start != boundary,
    })
}

/// The session `info` as the lines of `span` of the transcript at `path` make it, and how many
/// of those lines could not be read.
pub fn load(
    path: &Path,
    span: Span,
    info: SessionInfo,
) -> Result<(SessionReducer, u64), PageError> {
    let mut reducer = SessionReducer::new(info);
    let mut skipped = 0;
    read(file::open(path)?, span, &mut reducer, &mut skipped)?;
    Ok((reducer, skipped))
}

/// Feeds the lines of `span` to `reducer`, counting the lines that cannot be read.
fn read(
    mut file: File,
    span: Span,
    reducer: &mut SessionReducer,
    skipped: &mut u64,
) -> Result<(), PageError> {
    // A cut page starts after the first newline at or past its start: reading from the byte
    // before it, the first "line" read ends there (empty when `start` begins a line).
    let from = if span.cut { span.start - 1 } else { span.start };
    file.seek(SeekFrom::Start(from))?;
    let mut lines = Lines::new(BufReader::new(file), from, MAX_LINE);
    if span.cut {
        lines.next_line()?;
    }
    while lines.offset() < span.end {
        match lines.next_line()? {
            Some(Line::Whole { offset, bytes }) => {
                feed(reducer, offset, bytes, skipped);
            }
            Some(Line::TooLong { .. }) => *skipped += 1,
            None => break,
        }
    }
    Ok(())
}

/// Applies one transcript line to `reducer`; returns its events.
pub fn feed(
    reducer: &mut SessionReducer,
    offset: u64,
    bytes: &[u8],
    skipped: &mut u64,
) -> Vec<tether_protocol::events::SessionEvent> {
    if bytes.is_empty() {
        return Vec::new();
    }
    match line::read(bytes) {
        Ok(Entry::Prompt { id, text, images }) => {
            let id = if id.is_empty() {
                format!("prompt-{offset}")
            } else {
                id
            };
            reducer.prompt(id, &text, images)
        }
        Ok(Entry::Conversation(line)) => reducer.apply(&line),
        Ok(Entry::Other) => Vec::new(),
        Err(_) => {
            *skipped += 1;
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(turns: &[u64], read_to: u64) -> Digest {
        let mut digest = Digest::default();
        digest.turns = turns.to_vec();
        digest.read_to = read_to;
        digest
    }

    #[test]
    fn pages_are_whole_turns_back_to_the_start() {
        let digest = digest(&[10, 100, 200, 300], 400);
        let last = span(&digest, 400, 2).unwrap();
        assert_eq!(
            last,
            Span {
                start: 200,
                end: 400,
                before: Some(200),
                cut: false
            }
        );
        let first = span(&digest, 200, 2).unwrap();
        assert_eq!(
            first,
            Span {
                start: 0,
                end: 200,
                before: None,
                cut: false
            },
            "the first page takes what comes before the first prompt"
        );
        assert!(matches!(
            span(&digest, 150, 2),
            Err(PageError::NotABoundary(150))
        ));
    }

    #[test]
    fn a_page_never_reads_more_than_its_bound() {
        let big = PAGE_BYTES * 3;
        let digest = digest(&[0, 10, big], big + PAGE_BYTES * 2);
        let page = span(&digest, digest.read_to, 20).unwrap();
        assert_eq!(page.end - page.start, PAGE_BYTES, "{page:?}");
        assert_eq!(
            page.before,
            Some(big),
            "the page before ends at the long turn"
        );
        assert!(page.cut);
    }
}
