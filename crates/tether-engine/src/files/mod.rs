//! A project's files for devices: paths kept inside the project, the index `@` mentions
//! search, and one file read to show.

/// A device's path, kept inside its project.
pub mod confine;
/// The project's file names, walked once and searched in memory.
pub mod index;
/// One file, to show.
pub mod read;

pub use confine::PathError;
pub use index::{FileIndex, FileIndexes};
