//! A path a device names, kept inside its project: relative, no `..`, no drive or root, and
//! once every symlink is resolved, still inside the project's folder.

use std::path::{Component, Path, PathBuf};

/// The longest path a device may name, in bytes.
pub const MAX_PATH_BYTES: usize = 4096;

/// Why a path was refused; none of them says what is outside the project.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error(
        "the path must be relative to the project, without `..`, and at most {MAX_PATH_BYTES} bytes"
    )]
    Malformed,
    #[error("the path leads outside the project")]
    Outside,
    #[error("there is no such file in the project")]
    Missing,
    #[error("that is not a regular file (a folder, a pipe or a device)")]
    NotAFile,
}

/// Checks the shape of `path` alone (no file system): relative, normal parts only.
pub fn relative(path: &str) -> Result<PathBuf, PathError> {
    if path.is_empty() || path.len() > MAX_PATH_BYTES || path.contains('\0') {
        return Err(PathError::Malformed);
    }
    let mut clean = PathBuf::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(PathError::Malformed);
            }
        }
    }
    if clean.as_os_str().is_empty() {
        return Err(PathError::Malformed);
    }
    Ok(clean)
}

/// The real location of `path` in the project whose canonical folder is `root`, every
/// symlink resolved; refused when that is outside `root`.
pub fn resolve(root: &Path, path: &str) -> Result<PathBuf, PathError> {
    let joined = root.join(relative(path)?);
    let real = joined.canonicalize().map_err(|_| PathError::Missing)?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err(PathError::Outside)
    }
}

/// `path` as the project names it: relative to `root`, `/` between its parts.
pub fn display(root: &Path, path: &Path) -> Option<String> {
    let inside = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = inside
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect();
    Some(parts?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_are_refused() {
        for bad in [
            "../etc/passwd",
            "/etc/passwd",
            "a/../../b",
            "",
            "a\0b",
            "./",
            "src/..",
        ] {
            assert_eq!(relative(bad), Err(PathError::Malformed), "{bad:?}");
        }
        assert_eq!(
            relative("./src//main.rs").unwrap(),
            Path::new("src/main.rs")
        );
    }

    #[test]
    fn a_symlink_out_of_the_project_is_refused_and_one_inside_is_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "no").unwrap();
        let project = tempfile::tempdir().unwrap();
        let root = project.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/main.rs"), "fn main() {}").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("leak")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink(root.join("src/main.rs"), root.join("alias")).unwrap();
        assert_eq!(resolve(&root, "leak"), Err(PathError::Outside));
        assert_eq!(resolve(&root, "out/secret"), Err(PathError::Outside));
        assert_eq!(resolve(&root, "alias").unwrap(), root.join("src/main.rs"));
        assert_eq!(resolve(&root, "nothing"), Err(PathError::Missing));
        assert_eq!(resolve(&root, "../etc/passwd"), Err(PathError::Malformed));
        assert_eq!(
            display(&root, &root.join("src/main.rs")).unwrap(),
            "src/main.rs"
        );
    }

    proptest! {
        /// Whatever a device sends, what `relative` accepts stays below the folder it is
        /// joined to.
        #[test]
        fn nothing_accepted_climbs_out(parts in prop::collection::vec(
            prop_oneof![Just("..".to_owned()), Just(".".to_owned()), Just("/".to_owned()), Just("".to_owned()), "[a-z.]{1,4}"],
            0..8,
        )) {
            let path = parts.join("/");
            if let Ok(clean) = relative(&path) {
                let root = Path::new("/project");
                let joined = root.join(&clean);
                prop_assert!(joined.starts_with(root));
                prop_assert!(clean.components().all(|c| matches!(c, Component::Normal(_))));
            }
        }
    }
}
