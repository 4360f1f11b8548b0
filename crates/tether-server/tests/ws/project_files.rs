//! A project's files and git state from a paired device: `@` search, a file read, escapes
//! refused (`/etc/passwd`, `..`, a symlink out), and git status and diffs of a real
//! repository, made here with the `git` binary.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use tether_engine::auth::Caller;

use crate::claude::ClaudeBench;

fn git(folder: &Path, args: &[&str]) {
    let done = Command::new("git")
        .args(["-c", "user.name=Tether", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(folder)
        // The machine's own git settings (signing, hooks) stay out of the test's repositories.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(done.status.success(), "git {args:?}: {done:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_searched_and_read_inside_the_project_only() {
    let bench = ClaudeBench::start(Vec::new()).await;
    let root = bench.project_path();
    std::fs::create_dir_all(root.join("src/server")).unwrap();
    std::fs::write(root.join("src/server/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
    std::fs::create_dir_all(root.join("build")).unwrap();
    std::fs::write(root.join("build/out.bin"), [0u8, 1, 2]).unwrap();
    std::os::unix::fs::symlink("/etc", root.join("etc")).unwrap();
    let mut client = bench.client().await;
    let project = bench.project_id.clone();

    let found = client
        .call(
            1,
            "files.search",
            json!({ "project_id": project, "query": "srvmain" }),
        )
        .await;
    assert_eq!(
        found["result"]["entries"][0],
        json!({ "path": "src/server/main.rs", "kind": "file" }),
        "{found}"
    );
    let all = client
        .call(
            2,
            "files.search",
            json!({ "project_id": project, "query": "", "limit": 200 }),
        )
        .await;
    let paths: Vec<&str> = all["result"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(
        !paths.iter().any(|p| p.starts_with("build")),
        "gitignored: {paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with("etc/")),
        "the link is not followed: {paths:?}"
    );

    let read = client
        .call(
            3,
            "files.read",
            json!({ "project_id": project, "path": "src/server/main.rs" }),
        )
        .await;
    assert_eq!(
        read["result"]["body"],
        json!({ "kind": "text", "text": "fn main() {}\n" }),
        "{read}"
    );
    let refused = [
        ("/etc/passwd", "invalid_params"),
        ("../../../../etc/passwd", "invalid_params"),
        ("etc/passwd", "forbidden"),
        ("src", "invalid_params"),
        ("nothing.txt", "not_found"),
    ];
    for (n, (path, code)) in refused.into_iter().enumerate() {
        let answer = client
            .call(
                10 + n as i64,
                "files.read",
                json!({ "project_id": project, "path": path }),
            )
            .await;
        assert_eq!(answer["error"]["code"], code, "{path}: {answer}");
        assert!(
            !answer.to_string().contains("root:"),
            "nothing of /etc/passwd: {answer}"
        );
    }
    let long = client
        .call(
            20,
            "files.search",
            json!({ "project_id": project, "query": "x".repeat(300) }),
        )
        .await;
    assert_eq!(long["error"]["code"], "invalid_params", "{long}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_status_and_diffs_of_a_scratch_repository() {
    let bench = ClaudeBench::start(Vec::new()).await;
    let root = bench.project_path();
    let mut client = bench.client().await;
    let project = bench.project_id.clone();
    let asked = json!({ "project_id": project });
    let none = client.call(1, "git.status", asked.clone()).await;
    assert_eq!(
        none["result"],
        json!({ "state": "not_repository" }),
        "{none}"
    );

    git(&root, &["init", "-q", "-b", "main"]);
    std::fs::write(root.join("notes.md"), "one\ntwo\n").unwrap();
    std::fs::write(root.join("gone.txt"), "bye\n").unwrap();
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "first"]);
    std::fs::write(root.join("notes.md"), "one\nthree\n").unwrap();
    std::fs::remove_file(root.join("gone.txt")).unwrap();
    std::fs::write(root.join("new.txt"), "fresh\n").unwrap();
    std::fs::write(root.join("staged.txt"), "ready\n").unwrap();
    git(&root, &["add", "staged.txt"]);

    let answer = client.call(2, "git.status", asked).await;
    let repository = &answer["result"];
    assert_eq!(repository["state"], "repository", "{answer}");
    assert_eq!(repository["branch"], "main");
    assert_eq!(repository["head"].as_str().unwrap().len(), 12);
    let changes: Vec<(String, String, String)> = repository["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (text(&c["path"]), text(&c["staged"]), text(&c["unstaged"])))
        .collect();
    for expected in [
        ("notes.md", ".", "M"),
        ("gone.txt", ".", "D"),
        ("staged.txt", "A", "."),
        ("new.txt", "?", "?"),
    ] {
        let expected = (
            expected.0.to_owned(),
            expected.1.to_owned(),
            expected.2.to_owned(),
        );
        assert!(changes.contains(&expected), "{expected:?} in {changes:?}");
    }

    let diff = client
        .call(
            3,
            "git.diff",
            json!({ "project_id": project, "path": "notes.md" }),
        )
        .await;
    let text_of = |v: &Value| v["result"]["diff"].as_str().unwrap_or_default().to_owned();
    assert!(text_of(&diff).contains("-two\n+three"), "{diff}");
    let staged = client
        .call(
            4,
            "git.diff",
            json!({ "project_id": project, "path": "staged.txt", "staged": true }),
        )
        .await;
    assert!(text_of(&staged).contains("+ready"), "{staged}");
    let untracked = client
        .call(
            5,
            "git.diff",
            json!({ "project_id": project, "path": "new.txt" }),
        )
        .await;
    assert!(text_of(&untracked).contains("+fresh"), "{untracked}");
    let outside = client
        .call(
            6,
            "git.diff",
            json!({ "project_id": project, "path": "../../etc/passwd" }),
        )
        .await;
    assert_eq!(outside["error"]["code"], "invalid_params", "{outside}");
    let written = bench.project.path().join("owned");
    let flag = client
        .call(
            7,
            "git.diff",
            json!({ "project_id": project, "path": format!("--output={}", written.display()) }),
        )
        .await;
    assert_eq!(text(&flag["result"]["diff"]), "", "{flag}");
    assert!(!written.exists(), "a path is never read as an option");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_inside_a_repository_sees_only_its_own_folder() {
    let bench = ClaudeBench::start(Vec::new()).await;
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("app")).unwrap();
    std::fs::write(root.join("secret.txt"), "old secret\n").unwrap();
    std::fs::write(root.join("app/main.rs"), "fn main() {}\n").unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "first"]);
    std::fs::write(root.join("secret.txt"), "new secret\n").unwrap();
    std::fs::write(root.join("app/main.rs"), "fn main() { }\n").unwrap();
    let added = bench
        .server
        .engine
        .dispatch(
            &Caller::Local,
            "projects.add",
            Some(json!({ "path": root.join("app") })),
        )
        .await
        .unwrap();
    let app = added["id"].as_str().unwrap().to_owned();
    let mut client = bench.client().await;

    let status = client
        .call(1, "git.status", json!({ "project_id": app }))
        .await;
    let paths: Vec<String> = (status["result"]["changes"].as_array().unwrap().iter())
        .map(|change| text(&change["path"]))
        .collect();
    assert_eq!(
        paths,
        ["main.rs"],
        "relative to the project, and only its own: {status}"
    );
    for (n, magic) in [":/secret.txt", ":(top)secret.txt", ":(glob)../*", "*"]
        .into_iter()
        .enumerate()
    {
        let diff = client
            .call(
                2 + n as i64,
                "git.diff",
                json!({ "project_id": app, "path": magic }),
            )
            .await;
        assert!(
            !text(&diff["result"]["diff"]).contains("new secret"),
            "{magic}: {diff}"
        );
    }
    let own = client
        .call(
            9,
            "git.diff",
            json!({ "project_id": app, "path": "main.rs" }),
        )
        .await;
    assert!(
        text(&own["result"]["diff"]).contains("+fn main() { }"),
        "{own}"
    );
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}
