//! The browser scripts in `ui/e2e/`, run with node from the ui folder against a running
//! engine (they drive Debian's chromium); screenshots land in `test-output/screenshots/`.

use std::path::PathBuf;
use std::process::{Output, Stdio};

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
    passed(&output)
}

/// Like [`passes`], writing the line `line` comes to on the script's standard input.
pub async fn passes_fed(mut script: Command, line: impl Future<Output = String>) -> String {
    use tokio::io::AsyncWriteExt as _;
    let mut child = script
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (make test installs it)");
    let mut stdin = child.stdin.take().expect("a piped stdin");
    let output = child.wait_with_output();
    tokio::pin!(output);
    let run = async {
        tokio::select! {
            // The script ended before it was fed: it failed.
            ended = &mut output => ended,
            line = line => {
                // A script that already failed has closed its end.
                let _ = stdin.write_all(format!("{line}\n").as_bytes()).await;
                drop(stdin);
                output.await
            }
        }
    };
    let output = tokio::time::timeout(WAIT * 2, run)
        .await
        .expect("the browser run hung")
        .expect("node runs");
    passed(&output)
}

/// What a finished script printed, once it is known to have passed.
fn passed(output: &Output) -> String {
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    printed
}
