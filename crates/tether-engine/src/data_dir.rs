//! The data directory: private to its user, and used by one engine at a time.

use std::fs::{File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The data directory could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("cannot prepare the data directory {path}: {cause}")]
    Io { path: PathBuf, cause: io::Error },
    #[error("another Tether engine is already running with the data directory {0}")]
    InUse(PathBuf),
}

/// A data directory this process holds the lock of, for as long as the value lives.
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

impl DataDir {
    /// Creates the directory (mode 0700) and takes its lock without waiting.
    pub fn claim(path: &Path) -> Result<Self, DataDirError> {
        let io = |cause| DataDirError::Io {
            path: path.to_path_buf(),
            cause,
        };
        std::fs::create_dir_all(path).map_err(io)?;
        std::fs::set_permissions(path, Permissions::from_mode(0o700)).map_err(io)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path.join("engine.lock"))
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => Ok(Self {
                path: path.to_path_buf(),
                _lock: lock,
            }),
            Err(std::fs::TryLockError::WouldBlock) => Err(DataDirError::InUse(path.to_path_buf())),
            Err(std::fs::TryLockError::Error(source)) => Err(io(source)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_claim_at_a_time_and_private_to_its_user() {
        let parent = tempfile::tempdir().unwrap();
        let path = parent.path().join("data");
        let first = DataDir::claim(&path).unwrap();
        assert!(matches!(DataDir::claim(&path), Err(DataDirError::InUse(_))));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        drop(first);
        DataDir::claim(&path).unwrap();
    }
}
