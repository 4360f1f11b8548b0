//! Updating, end to end: `scripts/bundle.sh` builds a 0.1.0 and a 0.2.0 of the app, signed with
//! a throwaway key, and an update server on 127.0.0.1 publishes the newer one. The 0.1.0 .deb
//! is unpacked and its app run in the real window (tauri-driver under Xvfb): the newer signed
//! build is found at start with what is new in it, downloaded and its signature verified; a
//! package signed with another key, and a feed that announces another version than the one
//! signed, are refused with a clear message; a feed with nothing newer says so. The installed
//! app's engine serves the phone UI it carries, with the source tree it was built from out of
//! sight. Installing (which asks the system's package manager for root) is left out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use serde_json::Value;

use common::release_server::ReleaseServer;
use common::webdriver::{Driver, Session, wait_for};
use common::{Log, Running, app_env, get, start_xvfb};

/// A minisign key pair made for this test: the private key's file and the public key.
struct Key {
    file: PathBuf,
    public: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tauri_cli() -> Command {
    Command::new(root().join("ui/node_modules/.bin/tauri"))
}

/// Runs `command`, its output kept out of the test's unless it fails (a build's log would
/// bury the reason a later step fails).
fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{what} failed: {}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn throwaway_key(dir: &Path, name: &str) -> Key {
    let file = dir.join(format!("{name}.key"));
    run(
        tauri_cli()
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(&file),
        "making a signing key",
    );
    let public = std::fs::read_to_string(file.with_extension("key.pub")).unwrap();
    Key {
        file,
        public: public.trim().to_owned(),
    }
}

/// Builds the app at `version` with the project's bundle script into `out`: the packages,
/// their signatures and latest.json, the app accepting updates signed with `key`. A target
/// folder of its own keeps the other tests' app binary untouched (bundling patches the binary
/// it packs).
fn bundle(key: &Key, endpoint: &str, version: &str, out: &Path, notes: Option<&Path>) {
    // At the lowest priority: the other tests run beside this build.
    let mut command = Command::new("nice");
    command
        .args(["-n", "19"])
        .arg(root().join("scripts/bundle.sh"))
        .env("CARGO_TARGET_DIR", root().join("target/update-e2e"))
        .env("TAURI_SIGNING_PRIVATE_KEY", &key.file)
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", "")
        .env("TETHER_UPDATE_PUBKEY", &key.public)
        .env("TETHER_BUNDLE_PROFILE", "debug")
        .env("TETHER_UPDATE_ENDPOINT", endpoint)
        .env("TETHER_BUNDLE_VERSION", version)
        .env("TETHER_BUNDLE_OUT", out);
    if let Some(notes) = notes {
        command.env("TETHER_RELEASE_NOTES", notes);
    }
    run(&mut command, &format!("bundling {version}"));
}

/// The signature `key` makes of `file`, bound to `version`, as a feed carries it.
fn signature(key: &Key, file: &Path, version: &str, dir: &Path) -> String {
    let copy = dir.join(file.file_name().unwrap());
    std::fs::copy(file, &copy).unwrap();
    run(
        tauri_cli()
            .args(["signer", "sign", "-p", "", "--app-version", version, "-f"])
            .arg(&key.file)
            .arg(&copy),
        "signing with another key",
    );
    std::fs::read_to_string(copy.with_extension("deb.sig"))
        .unwrap()
        .trim()
        .to_owned()
}

fn publish(served: &Path, feed: &Value) {
    std::fs::write(served.join("latest.json"), feed.to_string()).unwrap();
}

/// How many times `path` was fetched from `server`.
fn fetches(server: &ReleaseServer, path: &str) -> usize {
    server
        .fetched()
        .iter()
        .filter(|fetched| *fetched == path)
        .count()
}

/// Looks for an update from the About panel, and waits until the feed was fetched for it.
fn check_again(window: &Session, server: &ReleaseServer) {
    let before = fetches(server, "/latest.json");
    window.click_on(".about button", "Check for updates");
    wait_for("the feed to be fetched again", || {
        (fetches(server, "/latest.json") > before).then_some(())
    });
}

/// Starts the installed `app` with the source tree hidden under an empty folder (in a mount
/// namespace of its own, so nothing else loses it) and checks that its engine serves a phone
/// the chat UI built into it: the page, and the script the page loads.
fn serves_its_phone_ui(app: &Path, env: &[(&'static str, String)]) {
    let hide_and_run = r#"mount -t tmpfs tmpfs "$0" && exec "$@""#;
    let mut command = Command::new("unshare");
    command
        .args([
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            hide_and_run,
        ])
        .arg(root())
        .arg(app)
        .envs(env.iter().map(|(key, value)| (key, value)))
        .stderr(std::process::Stdio::piped());
    let mut phone_side = Running::spawn(&mut command);
    let mut log = Log::follow(phone_side.0.stderr.take().unwrap());
    let address = log.engine_address();
    let built = std::fs::read_to_string(root().join("ui/dist/index.html")).unwrap();
    let (status, page) = get(&address, "/");
    assert_eq!(status, 200, "{page}");
    assert!(page.ends_with(&built), "the page is the built UI: {page}");
    let script = built
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page loads a script");
    let (status, response) = get(&address, script);
    assert_eq!(status, 200, "{script}: {response}");
    assert!(response.contains("text/javascript"), "{response}");
}

#[test]
fn a_newer_signed_build_is_found_downloaded_and_verified_and_bad_ones_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let served = work.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    let server = ReleaseServer::start(&served);
    let endpoint = server.url("latest.json");
    let release = throwaway_key(work.path(), "release");
    let stranger = throwaway_key(work.path(), "stranger");

    // The installed 0.1.0 and the published 0.2.0, both from the bundle script.
    let old = work.path().join("old");
    bundle(&release, &endpoint, "0.1.0", &old, None);
    let notes = work.path().join("notes.md");
    std::fs::write(
        &notes,
        "Faster catch-up after a reconnect.\nA tray item to look for updates.",
    )
    .unwrap();
    bundle(&release, &endpoint, "0.2.0", &served, Some(&notes));
    // The package names and the feed's platform names for this processor.
    let (processor, deb_processor) = match std::env::consts::ARCH {
        "x86_64" => ("x86_64", "amd64"),
        "aarch64" => ("aarch64", "arm64"),
        other => panic!("no package names known for {other}"),
    };
    let (deb_platform, rpm_platform) = (
        format!("linux-{processor}-deb"),
        format!("linux-{processor}-rpm"),
    );
    let deb_name = format!("Tether_0.2.0_{deb_processor}.deb");
    let good: Value =
        serde_json::from_str(&std::fs::read_to_string(served.join("latest.json")).unwrap())
            .unwrap();
    assert_eq!(good["version"], "0.2.0");
    let deb = served.join(&deb_name);
    assert_eq!(
        good["platforms"][&deb_platform]["url"],
        server.url(&deb_name)
    );
    assert!(good["platforms"][&rpm_platform]["url"].is_string());
    let signed = base64::engine::general_purpose::STANDARD
        .decode(
            good["platforms"][&deb_platform]["signature"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    assert!(
        String::from_utf8(signed).unwrap().contains("version:0.2.0"),
        "the package's signature is bound to its version"
    );

    let installed = work.path().join("installed");
    run(
        Command::new("dpkg-deb")
            .arg("-x")
            .arg(old.join(format!("Tether_0.1.0_{deb_processor}.deb")))
            .arg(&installed),
        "unpacking the 0.1.0 package",
    );
    // The app starts with a feed whose package is signed with another key.
    let mut forged = good.clone();
    forged["platforms"][&deb_platform]["signature"] =
        signature(&stranger, &deb, "0.2.0", work.path()).into();
    publish(&served, &forged);

    // No settings: where to look and whose signature to trust are built in.
    let settings = work.path().join("tether.toml");
    std::fs::write(&settings, "").unwrap();

    let (_xvfb, display) = start_xvfb();
    let app = installed.join("usr/bin/tether-desktop");
    let phone_side = work.path().join("phone-side");
    serves_its_phone_ui(
        &app,
        &app_env(&display, &settings, &phone_side, "installed-ui"),
    );
    let driver = Driver::start(&app_env(&display, &settings, work.path(), "updates"));
    let window = driver.session(&app);
    let shots = root().join("test-output/screenshots");

    let deb_fetches = || fetches(&server, &format!("/{deb_name}"));

    // Found at start, with what is new; a package signed with another key is refused.
    window.find(".connection", "Connected");
    window.find(".about", "Tether 0.1.0");
    window.find(".update", "Tether 0.2.0 is available (you have 0.1.0");
    window.find(".update .notes", "Faster catch-up after a reconnect.");
    window.screenshot(&shots.join("window-update-available.png"));
    window.click_on(".update button", "Download");
    window.find(
        ".update .error",
        "The downloaded package is not signed with Tether's release key, so it was refused and nothing was installed.",
    );
    assert_eq!(
        deb_fetches(),
        1,
        "the forged package was fetched, then refused"
    );
    window.screenshot(&shots.join("window-update-refused.png"));

    // Signed with the release key: downloaded (the .deb, the kind installed) and verified.
    publish(&served, &good);
    window.click_on(".update button", "Try again");
    window.click_on(".update button", "Download");
    window.find(
        ".update",
        "Tether 0.2.0 is downloaded and its signature checked",
    );
    window.find(".update button", "Install and restart");
    assert_eq!(deb_fetches(), 2, "{:?}", server.fetched());
    window.screenshot(&shots.join("window-update-ready.png"));

    // Looking again while it is downloaded keeps the verified package.
    check_again(&window, &server);
    window.find(".update button", "Install and restart");
    assert_eq!(deb_fetches(), 2, "not downloaded again");

    // A feed that announces 0.3.0 with the package signed as 0.2.0 is refused.
    let mut inflated = good.clone();
    inflated["version"] = "0.3.0".into();
    publish(&served, &inflated);
    check_again(&window, &server);
    window.find(".update", "Tether 0.3.0 is available");
    window.click_on(".update button", "Download");
    window.find(
        ".update .error",
        "The update server announced version 0.3.0, but the package is signed as version 0.2.0",
    );

    // Nothing newer than what runs.
    let mut same = good;
    same["version"] = "0.1.0".into();
    publish(&served, &same);
    window.click_on(".update button", "Try again");
    window.find(".update", "Tether 0.1.0 is the latest version.");
}
