//! Process handling on real child processes: staged stops, groups, escaped children, lossy lines.

use super::*;

#[tokio::test]
async fn stop_ends_the_whole_group_even_when_it_ignores_eof_and_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    // A child that ignores SIGTERM and leaves a grandchild behind in its group.
    let mut process = spawn_sh(
        "trap '' TERM; sleep 300 & echo started; while :; do sleep 1; done",
        dir.path(),
    );
    assert_eq!(
        process.stdout.next_line().await.unwrap().as_deref(),
        Some("started")
    );
    let group = process.group();
    assert!(live_group_members(group) >= 2, "the shell and its sleep");
    process.stop(Duration::from_millis(200)).await;
    assert_eq!(
        live_group_members(group),
        0,
        "no process of the group survives"
    );
}

#[tokio::test]
async fn lines_go_in_and_stderr_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut process = spawn_sh("read line; echo \"got $line\"; echo oops >&2", dir.path());
    process
        .write("hello\n", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(
        process.stdout.next_line().await.unwrap().as_deref(),
        Some("got hello")
    );
    let line = process.stderr.next_line().await.unwrap().unwrap();
    process.note_stderr(line);
    assert_eq!(process.stderr_tail(), "oops");
    assert!(
        process.stop(Duration::from_secs(5)).await.is_some(),
        "the child was reaped"
    );
    assert!(check_cwd(&dir.path().join("missing")).is_err());
}

#[tokio::test]
async fn a_quick_exit_still_sweeps_children_that_ignore_signals() {
    let dir = tempfile::tempdir().unwrap();
    let script = "(trap '' INT TERM HUP; sleep 300) & echo started; read line; exit 0";
    let mut process = spawn_sh(script, dir.path());
    assert_eq!(
        process.stdout.next_line().await.unwrap().as_deref(),
        Some("started")
    );
    let group = process.group();
    process.stop(Duration::from_secs(5)).await;
    assert_eq!(
        live_group_members(group),
        0,
        "the stubborn child is gone too"
    );
}

#[tokio::test]
async fn lines_that_are_not_utf8_are_read_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let mut process = spawn_sh(r"printf 'a\377b\nnext\n'", dir.path());
    assert_eq!(
        process.stdout.next_line().await.unwrap().as_deref(),
        Some("a\u{fffd}b")
    );
    assert_eq!(
        process.stdout.next_line().await.unwrap().as_deref(),
        Some("next")
    );
    assert_eq!(process.stdout.next_line().await.unwrap(), None);
}

#[tokio::test]
async fn stop_finds_processes_that_left_the_group() {
    let dir = tempfile::tempdir().unwrap();
    // setsid puts the sleep in a session and group of its own, as claude's tools do.
    let script =
        "setsid sh -c 'trap \"\" INT TERM HUP; exec sleep 300' > /dev/null 2>&1 & echo started";
    let mut process = spawn_sh(script, dir.path());
    assert_eq!(
        process.stdout.next_line().await.unwrap().as_deref(),
        Some("started")
    );
    let path = dir.path().canonicalize().unwrap();
    let escaped = async {
        while processes_in(&path).is_empty() {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), escaped)
        .await
        .expect("the escaped process starts");
    process.stop(Duration::from_millis(200)).await;
    assert_eq!(
        processes_in(&path),
        Vec::<u32>::new(),
        "stop returns once the escaped process is gone"
    );
}
