//! One file of a project, to show: text up to a limit; larger or binary files are said to be
//! so, not sent.

use std::io::Read;
use std::path::Path;

use tether_protocol::files::{FileBody, FileContent};

use super::confine::{PathError, display, resolve};

/// The largest file shown, in bytes.
pub const MAX_READ_BYTES: u64 = 1 << 20;

/// Reads `path` in the project at `root` (canonical): blocking, call it off the async threads.
pub fn read(root: &Path, path: &str) -> Result<FileContent, PathError> {
    let real = resolve(root, path)?;
    let metadata = real.metadata().map_err(|_| PathError::Missing)?;
    // Only a regular file: opening a pipe would wait for a writer forever.
    if !metadata.is_file() {
        return Err(PathError::NotAFile);
    }
    let shown = display(root, &real).ok_or(PathError::Outside)?;
    let size = metadata.len();
    if size > MAX_READ_BYTES {
        let body = FileBody::TooLarge {
            limit: MAX_READ_BYTES,
        };
        return Ok(FileContent {
            path: shown,
            size,
            body,
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&real)
        .and_then(|file| file.take(MAX_READ_BYTES).read_to_end(&mut bytes))
        .map_err(|_| PathError::Missing)?;
    let body = match String::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => FileBody::Text { text },
        _ => FileBody::Binary,
    };
    Ok(FileContent {
        path: shown,
        size,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_binary_large_folders_and_escapes() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "pub fn answer() -> u8 { 42 }\n").unwrap();
        std::fs::write(root.join("logo.png"), [0x89, b'P', b'N', b'G', 0, 1, 2]).unwrap();
        std::fs::write(
            root.join("big.log"),
            vec![b'a'; MAX_READ_BYTES as usize + 1],
        )
        .unwrap();
        let text = read(&root, "./src/lib.rs").unwrap();
        assert_eq!(text.path, "src/lib.rs");
        assert!(matches!(text.body, FileBody::Text { ref text } if text.contains("42")));
        assert_eq!(read(&root, "logo.png").unwrap().body, FileBody::Binary);
        let big = read(&root, "big.log").unwrap();
        assert_eq!(
            big.body,
            FileBody::TooLarge {
                limit: MAX_READ_BYTES
            }
        );
        assert_eq!(big.size, MAX_READ_BYTES + 1);
        assert_eq!(read(&root, "src"), Err(PathError::NotAFile));
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("pipe"))
            .status();
        assert!(made.unwrap().success(), "mkfifo made a pipe");
        assert_eq!(
            read(&root, "pipe"),
            Err(PathError::NotAFile),
            "never waits on a pipe"
        );
        assert_eq!(read(&root, "/etc/passwd"), Err(PathError::Malformed));
        assert_eq!(read(&root, "../../etc/passwd"), Err(PathError::Malformed));
        std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).unwrap();
        assert_eq!(read(&root, "passwd"), Err(PathError::Outside));
    }
}
