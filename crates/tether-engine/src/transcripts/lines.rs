//! Reading a transcript line by line from a byte offset, with a bound on a line's length. A
//! longer line is skipped and reported without ever being held whole, and a last line with no
//! newline yet (the CLI is still writing it) is left for the next read.

use std::io::{self, BufRead};

/// One line read.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A complete line (without its newline) that starts at `offset`.
    Whole { offset: u64, bytes: &'a [u8] },
    /// A line longer than the bound, skipped.
    TooLong { offset: u64, len: u64 },
}

/// Lines from a reader positioned at `start`.
pub struct Lines<R> {
    reader: R,
    /// Where the next unread line starts: after the last complete line.
    offset: u64,
    max: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`, which is at byte `start` of its file; a line may have `max` bytes.
    pub fn new(reader: R, start: u64, max: usize) -> Self {
        Self {
            reader,
            offset: start,
            max,
            buf: Vec::new(),
        }
    }

    /// Where the next complete line will start: everything before it has been read.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next complete line, or `None` at the end (an unfinished last line is not returned).
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let start = self.offset;
        let mut len: u64 = 0;
        let mut too_long = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(None);
            }
            let (piece, complete) = match memchr::memchr(b'\n', available) {
                Some(end) => (&available[..end], true),
                None => (available, false),
            };
            let taken = piece.len();
            len += taken as u64;
            if !too_long {
                if self.buf.len() + taken > self.max {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(piece);
                }
            }
            self.reader.consume(taken + usize::from(complete));
            if complete {
                self.offset = start + len + 1;
                if too_long {
                    return Ok(Some(Line::TooLong { offset: start, len }));
                }
                if self.buf.last() == Some(&b'\r') {
                    self.buf.pop();
                }
                return Ok(Some(Line::Whole {
                    offset: start,
                    bytes: &self.buf,
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8], max: usize) -> (Vec<String>, u64) {
        let mut lines = Lines::new(text, 0, max);
        let mut seen = Vec::new();
        for _ in 0..100 {
            match lines.next_line().unwrap() {
                Some(Line::Whole { offset, bytes }) => {
                    seen.push(format!("{offset}:{}", String::from_utf8_lossy(bytes)))
                }
                Some(Line::TooLong { offset, len }) => seen.push(format!("{offset}:long {len}")),
                None => break,
            }
        }
        (seen, lines.offset())
    }

    #[test]
    fn whole_lines_with_their_offsets_and_the_unfinished_one_left() {
        let (seen, offset) = all(b"ab\r\n\ncd\nhalf", 10);
        assert_eq!(seen, ["0:ab", "4:", "5:cd"]);
        assert_eq!(offset, 8, "the next read starts at the unfinished line");
    }

    #[test]
    fn a_line_past_the_bound_is_skipped_without_being_kept() {
        let long = format!("{}\nok\n", "x".repeat(50));
        let (seen, offset) = all(long.as_bytes(), 8);
        assert_eq!(seen, ["0:long 50", "51:ok"]);
        assert_eq!(offset, 54);
    }

    #[test]
    fn reading_goes_on_from_an_offset() {
        let text = b"one\ntwo\n";
        let mut lines = Lines::new(&text[4..], 4, 10);
        assert_eq!(
            lines.next_line().unwrap(),
            Some(Line::Whole {
                offset: 4,
                bytes: b"two"
            })
        );
        assert_eq!(lines.next_line().unwrap(), None);
    }
}
