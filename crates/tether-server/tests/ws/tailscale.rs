//! Tailscale Serve through the user's `tailscale` command, answered here by a stand-in that
//! replays outputs recorded from the real one (`tailscale/`): Tailscale itself cannot run in
//! CI. Turning it on forwards the machine's tailnet name to the engine's port and makes it the
//! public URL; every way it can fail is an error that says how to fix it.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::TestServer;
use tether_engine::auth::Caller;
use tether_engine::remote::tailscale::{Machine, Tailscale, TailscaleError};

/// The stand-in: it logs its arguments and answers each command it knows with the recorded
/// `<command>.out` (stdout), `.err` (stderr) and `.code` (exit code) in its folder.
const STAND_IN: &str = r#"#!/bin/sh
dir=$(dirname "$0")
printf '%s\n' "$*" >> "$dir/calls"
case "$*" in
  "status --json") k=status ;;
  "serve status --json") k=serve-status ;;
  "serve --bg --yes --https=443 "*) k=serve ;;
  "serve --yes --https=443 --set-path=/ off") k=off ;;
  *) echo "the stand-in does not know: $*" >&2; exit 64 ;;
esac
[ -f "$dir/$k.out" ] && cat "$dir/$k.out"
[ -f "$dir/$k.err" ] && cat "$dir/$k.err" >&2
exit "$(cat "$dir/$k.code" 2>/dev/null || echo 0)"
"#;

struct StandIn {
    dir: tempfile::TempDir,
}

impl StandIn {
    /// A stand-in that is signed in, may serve HTTPS, and serves nothing yet.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("tailscale");
        std::fs::write(&program, STAND_IN).unwrap();
        let executable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(&program, executable).unwrap();
        let stand_in = Self { dir };
        stand_in.answers("status", "status-running.json", "", 0);
        stand_in.answers("serve-status", "serve-status-empty.json", "", 0);
        stand_in.answers("serve", "serve-started.txt", "", 0);
        stand_in.answers("off", "", "", 0);
        stand_in
    }

    fn program(&self) -> PathBuf {
        self.dir.path().join("tailscale")
    }

    /// `command` prints the recorded `stdout` and `stderr` files and exits with `code`.
    fn answers(&self, command: &str, stdout: &str, stderr: &str, code: i32) {
        let recorded = |name: &str| match name {
            "" => String::new(),
            name => std::fs::read_to_string(recordings().join(name)).unwrap(),
        };
        let at = |suffix: &str| self.dir.path().join(format!("{command}.{suffix}"));
        std::fs::write(at("out"), recorded(stdout)).unwrap();
        std::fs::write(at("err"), recorded(stderr)).unwrap();
        std::fs::write(at("code"), code.to_string()).unwrap();
    }

    fn calls(&self) -> Vec<String> {
        let calls = std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default();
        calls.lines().map(str::to_owned).collect()
    }

    fn tailscale(&self) -> Tailscale {
        Tailscale::new(Some(&self.program()))
    }
}

fn recordings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ws/tailscale")
}

/// The engine's loopback address, as Serve forwards to it.
fn engine() -> std::net::SocketAddr {
    "127.0.0.1:7410".parse().unwrap()
}

fn devbox() -> Machine {
    Machine {
        dns_name: "devbox.tail1234.ts.net".to_owned(),
    }
}

#[tokio::test]
async fn serve_forwards_the_tailnet_name_to_our_port_and_off_stops_it() {
    let stand_in = StandIn::new();
    let tailscale = stand_in.tailscale();
    assert_eq!(tailscale.machine().await.unwrap(), devbox());
    tailscale.serve(&devbox(), engine()).await.unwrap();
    tailscale.unserve().await.unwrap();
    assert_eq!(
        stand_in.calls(),
        [
            "status --json",
            "serve status --json",
            "serve --bg --yes --https=443 http://127.0.0.1:7410",
            "serve --yes --https=443 --set-path=/ off",
        ]
    );
    stand_in.answers("off", "", "off-nothing-served.txt", 1);
    tailscale.unserve().await.unwrap();
}

#[tokio::test]
async fn every_way_it_fails_says_how_to_fix_it() {
    let stand_in = StandIn::new();
    let tailscale = stand_in.tailscale();
    let machine = |status: &str, code: i32| {
        stand_in.answers("status", status, "", code);
        tailscale.machine()
    };
    assert_eq!(
        machine("status-logged-out.json", 0).await,
        Err(TailscaleError::LoggedOut)
    );
    assert_eq!(
        machine("status-stopped.json", 0).await,
        Err(TailscaleError::Stopped)
    );
    assert_eq!(
        machine("status-no-https.json", 0).await,
        Err(TailscaleError::HttpsDisabled)
    );
    stand_in.answers("status", "", "not-running.txt", 1);
    assert_eq!(tailscale.machine().await, Err(TailscaleError::NotRunning));

    stand_in.answers("serve", "serve-not-enabled.txt", "", 0);
    let disabled = tailscale.serve(&devbox(), engine()).await.unwrap_err();
    assert_eq!(
        disabled,
        TailscaleError::ServeDisabled("https://login.tailscale.com/f/serve?node=nXXXXCNTRL".into())
    );
    assert!(
        disabled
            .to_string()
            .contains("enable it at https://login.tailscale.com/f/serve")
    );
    stand_in.answers("serve", "", "serve-access-denied.txt", 1);
    let denied = tailscale.serve(&devbox(), engine()).await.unwrap_err();
    assert_eq!(denied, TailscaleError::AccessDenied);
    assert!(
        denied
            .to_string()
            .contains("sudo tailscale set --operator=$USER")
    );

    stand_in.answers("serve-status", "serve-status-other.json", "", 0);
    let taken = tailscale.serve(&devbox(), engine()).await.unwrap_err();
    assert!(
        matches!(&taken, TailscaleError::Taken { target, .. } if target == "http://127.0.0.1:3000"),
        "{taken}"
    );
    assert!(
        !stand_in.calls().iter().any(|call| call.ends_with(":3000")),
        "what serves there is left alone"
    );

    let missing = Tailscale::new(Some(Path::new("/nonexistent/tailscale")));
    let error = missing.machine().await.unwrap_err();
    assert!(matches!(error, TailscaleError::Missing(_)));
    assert!(error.to_string().contains("https://tailscale.com/download"));
}

async fn tailscale_switch(server: &TestServer, enabled: bool) -> Result<Value, String> {
    let params = json!({ "enabled": enabled });
    let answer = server
        .engine
        .dispatch(&Caller::Local, "remote.tailscale", Some(params))
        .await;
    answer.map_err(|error| error.message)
}

#[tokio::test]
async fn the_desktop_turns_tailscale_on_and_its_name_becomes_the_public_url() {
    let stand_in = StandIn::new();
    let program = stand_in.program();
    let server =
        TestServer::start_with(move |config| config.remote.tailscale = Some(program)).await;
    let status = tailscale_switch(&server, true).await.unwrap();
    assert_eq!(
        status,
        json!({ "public_url": "https://devbox.tail1234.ts.net/", "source": "tailscale" })
    );
    let port = server.addr.port();
    let forwarded = format!("serve --bg --yes --https=443 http://127.0.0.1:{port}");
    assert!(
        stand_in.calls().contains(&forwarded),
        "{:?}",
        stand_in.calls()
    );

    let off = tailscale_switch(&server, false).await.unwrap();
    assert_eq!(off, json!({ "public_url": null, "source": null }));
    assert_eq!(
        stand_in.calls().last().unwrap(),
        "serve --yes --https=443 --set-path=/ off"
    );

    stand_in.answers("status", "status-logged-out.json", "", 0);
    let refused = tailscale_switch(&server, true).await.unwrap_err();
    assert!(refused.contains("tailscale up"), "{refused}");
    let status = server
        .engine
        .dispatch(&Caller::Local, "remote.status", Some(json!({})))
        .await
        .unwrap();
    assert_eq!(status["public_url"], Value::Null, "a failure leaves it off");
}
