//! A phone away from home, in a real browser through a real reverse proxy: Caddy on loopback
//! with its own CA serves `https://tether.test:PORT` (Chromium trusts that CA through an NSS
//! database and resolves the name to loopback), `tether remote set` makes it the public URL,
//! and `ui/e2e/remote.mjs` pairs from the QR link, installs the app, chats, starts offline
//! with a prompt waiting, sends it once when back, and takes a new build whole. A real
//! approval's push goes through the push-service stand-in, which decrypts it; the browser's
//! service worker shows it and Allow once answers the approval, once. The figures land in
//! `test-output/ui-remote.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tether_fake_push::PushService;

use crate::common::caddy::{Caddy, resolver_rule};
use crate::common::e2e::{self, repository};
use crate::common::terminal::sent_texts;
use crate::common::{PairRun, Setup, serve};

mod common;

const ANSWER: &str = "Hello through the proxy";
const QUEUED: &str = "written with no network";
const QUEUED_ANSWER: &str = "Sent once you were back";
const APPROVE_PROMPT: &str = "Write the file, please";
const APPROVED_ANSWER: &str = "Written, as allowed from the notification";
/// What the approved command writes in the project's folder.
const WRITTEN: &str = "from-the-notification.txt";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_pairs_through_the_public_url_installs_and_works_offline() {
    let fake = FakeAnthropic::start(Script::new([
        Reply::text([ANSWER]),
        Reply::tool_use(
            "toolu_notified",
            "Bash",
            serde_json::json!({ "command": format!("echo allowed > {WRITTEN}"), "description": "Write" }),
        ),
        Reply::text([APPROVED_ANSWER]),
        Reply::text([QUEUED_ANSWER]),
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    let mut push = PushService::start().await;
    let mut settings = std::fs::read_to_string(setup.config()).unwrap();
    settings += &format!("[push]\nextra_ca_file = {:?}\n", push.ca_file.path());
    std::fs::write(setup.config(), settings).unwrap();
    let phone = push.browser("ok", "phone");
    // The engine serves a copy of the built UI, so the test can make a new build of it.
    let ui = tempfile::tempdir().unwrap();
    copy_dir(&repository().join("ui/dist"), ui.path());
    let mut tether = setup.tether();
    tether.env("TETHER_UI_DIR", ui.path());
    let (_server, address) = serve(tether).await;
    let (folder, project) = add_project(&setup).await;

    let caddy = Caddy::start(&address).await;
    let set = setup.output(&["remote", "set", &caddy.url()]).await;
    assert!(set.contains(&format!("{}/", caddy.url())), "{set}");
    let status = setup.output(&["remote", "status"]).await;
    assert!(status.contains("set by the desktop"), "{status}");

    let (mut pair, link) = pairing(&setup).await;
    assert!(
        link.starts_with(&format!("{}/#pair=", caddy.url())),
        "{link}"
    );

    let metrics = repository().join("test-output/ui-remote.json");
    let mut browser = e2e::script("remote.mjs", &address);
    browser
        .env("HOME", caddy.trusting_home().await)
        .env("PAIR_LINK", &link)
        .env("HOST_RULE", resolver_rule())
        .env("PROJECT", &project)
        .env("ANSWER", ANSWER)
        .env("QUEUED", QUEUED)
        .env("QUEUED_ANSWER", QUEUED_ANSWER)
        .env(
            "PUSH_SUBSCRIPTION",
            phone.subscription(&["approval"]).to_string(),
        )
        .env("APPROVE_PROMPT", APPROVE_PROMPT)
        .env("APPROVED_ANSWER", APPROVED_ANSWER)
        .env("UI_DIR", ui.path())
        .env("METRICS", &metrics);
    // What the engine pushed for the approval, decrypted by the stand-in, goes to the browser.
    let pushed = async {
        let pushed = push.next().await;
        assert_eq!((pushed.path.as_str(), pushed.status), ("/ok/phone", 201));
        pushed.payload.to_string()
    };
    println!("{}", e2e::passes_fed(browser, pushed).await);
    assert!(pair.child.wait().await.unwrap().success());
    let written = std::fs::read_to_string(folder.path().join(WRITTEN)).unwrap();
    assert_eq!(written.trim(), "allowed", "the approved command ran");

    let requests = fake.message_requests();
    assert_eq!(
        requests.len(),
        4,
        "the greeting, the approval's two steps and the waiting prompt"
    );
    let last = sent_texts(requests.last().unwrap());
    assert_eq!(last.matches(QUEUED).count(), 1, "sent once: {last}");
    let figures: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    println!("{figures:#}");
    assert_eq!(figures["offline_start"]["from_cache"], true, "{figures}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_lan_certificate_the_app_works_and_says_why_it_cannot_install() {
    let fake = FakeAnthropic::start(Script::new([Reply::text([ANSWER])]))
        .await
        .unwrap();
    let setup = Setup::new(&fake);
    let (_server, address) = setup.serve().await;
    let (_folder, project) = add_project(&setup).await;
    setup
        .output(&["lan", "on", "--address", "127.0.0.1", "--port", "0"])
        .await;
    let (mut pair, link) = pairing(&setup).await;
    assert!(link.starts_with("https://127.0.0.1:"), "{link}");
    let mut browser = e2e::script("lan.mjs", &address);
    browser
        .env("PAIR_LINK", &link)
        .env("PROJECT", &project)
        .env("ANSWER", ANSWER);
    println!("{}", e2e::passes(browser).await);
    assert!(pair.child.wait().await.unwrap().success());
}

/// `tether pair --yes`, running until a device pairs, and the link it printed.
async fn pairing(setup: &Setup) -> (PairRun, String) {
    let run = setup.pair_yes().await;
    let link = run
        .shown
        .iter()
        .find_map(|line| line.strip_prefix("Scan the code, or open "));
    let link = link
        .unwrap_or_else(|| panic!("no link in {:?}", run.shown))
        .to_owned();
    (run, link)
}

/// A project in a folder of its own; the folder (kept while the test runs) and its name.
async fn add_project(setup: &Setup) -> (tempfile::TempDir, String) {
    let folder = tempfile::tempdir().unwrap();
    setup
        .output(&["project", "add", folder.path().to_str().unwrap()])
        .await;
    let name = folder
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    (folder, name)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in
        std::fs::read_dir(from).expect("ui/dist exists: build the UI first (make test does)")
    {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
