//! The browser scripts in `ui/e2e/`, run with node from the ui folder against a running
//! engine (they drive Debian's chromium); screenshots land in `test-output/screenshots/`.

use std::path::PathBuf;

use tokio::process::Command;

use super::WAIT;

/// The repository's top folder.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the scripts save their screenshots.
pub fn screenshots() -> PathBuf {
    repository().join("test-output/screenshots")
}

/// `node ui/e2e/<script>` for the engine at `address`, with the screenshots folder set; the
/// caller adds the script's own variables.
pub fn script(name: &str, address: &str) -> Command {
    let mut command = Command::new("node");
    command
        .arg(repository().join("ui/e2e").join(name))
        .current_dir(repository().join("ui"))
        .env("TETHER_URL", format!("http://{address}"))
        .env("SCREENSHOTS", screenshots())
        .kill_on_drop(true);
    command
}

/// Runs a script to its end and checks that every step passed; returns what it printed.
pub async fn passes(mut script: Command) -> String {
    let output = tokio::time::timeout(WAIT * 2, script.output())
        .await
        .expect("the browser run hung")
        .expect("node runs (make test installs it)");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    printed
}
