//! A real reverse proxy in front of the engine: Caddy (the Debian package) on loopback, with
//! its own internal CA, serving a made-up host name over HTTPS as Tailscale Serve or a tunnel
//! would; and a scratch HOME whose NSS database trusts that CA, for Chromium.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{MAX_FRAMES, WAIT};

/// The host name the proxy serves; browsers resolve it to 127.0.0.1 by a host-resolver rule.
pub const HOST: &str = "tether.test";

/// A running Caddy and its scratch folder (its storage, its CA, a HOME for the browser).
pub struct Caddy {
    _child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Caddy {
    /// Starts Caddy forwarding `https://tether.test:PORT` to the engine at `upstream`, and
    /// waits until it serves its certificate.
    pub async fn start(upstream: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let [port, http_port] = free_ports();
        let storage = dir.path().join("storage");
        let config = format!(
            "{{\n\tadmin off\n\tauto_https disable_redirects\n\tskip_install_trust\n\tlocal_certs\n\
             \thttp_port {http_port}\n\tstorage file_system {storage}\n\tlog {{\n\t\toutput stderr\n\t\tformat json\n\t\tlevel DEBUG\n\t}}\n}}\n\
             https://{HOST}:{port} {{\n\tbind 127.0.0.1\n\ttls internal\n\treverse_proxy {upstream}\n}}\n",
            storage = storage.display(),
        );
        let file = dir.path().join("Caddyfile");
        std::fs::write(&file, config).unwrap();
        let mut child = Command::new("caddy")
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&file)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("caddy runs (scripts/setup.sh installs it)");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let ready = async {
            for _ in 0..MAX_FRAMES {
                let line = lines
                    .next_line()
                    .await
                    .unwrap()
                    .expect("caddy stopped before it was ready");
                // Served from the cache from then on (a debug line, hence the log level).
                if line.contains("added certificate to cache") {
                    return;
                }
                assert!(!line.contains("\"level\":\"error\""), "caddy: {line}");
            }
        };
        tokio::time::timeout(WAIT, ready)
            .await
            .expect("caddy was not ready in time");
        // Its log goes on being read, so Caddy never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            _child: child,
            dir,
            port,
        }
    }

    /// `https://tether.test:PORT`, the public URL.
    pub fn url(&self) -> String {
        format!("https://{HOST}:{}", self.port)
    }

    /// Caddy's root certificate (PEM), which signs what it serves.
    pub fn root_certificate(&self) -> PathBuf {
        self.dir
            .path()
            .join("storage/pki/authorities/local/root.crt")
    }

    /// A HOME whose NSS database (what Chromium on Linux reads) trusts Caddy's CA.
    pub async fn trusting_home(&self) -> PathBuf {
        let home = self.dir.path().join("browser-home");
        let nss = home.join(".pki/nssdb");
        std::fs::create_dir_all(&nss).unwrap();
        let database = format!("sql:{}", nss.display());
        certutil(&["-N", "--empty-password", "-d", &database]).await;
        let root = self
            .dir
            .path()
            .join("storage/pki/authorities/local/root.crt");
        let root = root.display().to_string();
        certutil(&[
            "-A",
            "-d",
            &database,
            "-n",
            "tether-test-ca",
            "-t",
            "C,,",
            "-i",
            &root,
        ])
        .await;
        home
    }
}

async fn certutil(args: &[&str]) {
    let run = Command::new("certutil").args(args).output();
    let output = tokio::time::timeout(WAIT, run)
        .await
        .unwrap()
        .expect("certutil runs (libnss3-tools)");
    assert!(
        output.status.success(),
        "certutil {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Two ports free on loopback now, and different (Caddy binds its own; it has no way to
/// report port 0).
fn free_ports() -> [u16; 2] {
    let bound = [(); 2].map(|()| std::net::TcpListener::bind("127.0.0.1:0").unwrap());
    bound.map(|listener| listener.local_addr().unwrap().port())
}

/// The browser flag that resolves the proxy's name to loopback.
pub fn resolver_rule() -> String {
    format!("MAP {HOST} 127.0.0.1")
}
