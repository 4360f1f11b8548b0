//! The chat UI's files at `/`, under a strict Content-Security-Policy, and nothing else.

use std::net::SocketAddr;

use crate::common::{TestServer, raw_http_with_head};
use tether_server::ui::CONTENT_SECURITY_POLICY;

/// A GET's status, head (lower-cased) and body.
async fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    get_with(addr, path, "").await
}

/// A GET with extra header lines (each ending in CRLF).
async fn get_with(addr: SocketAddr, path: &str, headers: &str) -> (u16, String, String) {
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n");
    let (status, head, body) = raw_http_with_head(addr, &request).await;
    (status, head.to_ascii_lowercase(), body)
}

#[tokio::test]
async fn the_built_ui_is_served_at_the_root_with_a_strict_policy() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::create_dir(ui.path().join("assets")).unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><div id=root></div>",
    )
    .unwrap();
    std::fs::write(ui.path().join("assets/app-3f2a.js"), "console.log(1)").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "not for you").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        ui.path().join("leak.txt"),
    )
    .unwrap();
    let dir = ui.path().to_path_buf();
    let server = TestServer::start_with(move |config| config.ui_dir = Some(dir)).await;

    let (status, head, body) = get(server.addr, "/").await;
    assert_eq!(status, 200);
    assert!(body.contains("id=root"), "{body}");
    let policy = format!(
        "content-security-policy: {}",
        CONTENT_SECURITY_POLICY.to_ascii_lowercase()
    );
    assert!(head.contains(&policy), "{head}");
    assert!(
        !CONTENT_SECURITY_POLICY.contains("unsafe"),
        "no unsafe-inline or unsafe-eval"
    );
    assert!(
        head.contains("x-content-type-options: nosniff")
            && head.contains("cache-control: no-cache")
    );

    let (status, head, body) = get(server.addr, "/assets/app-3f2a.js").await;
    assert_eq!((status, body.as_str()), (200, "console.log(1)"));
    assert!(
        head.contains("content-type: text/javascript") && head.contains("immutable"),
        "{head}"
    );

    for path in [
        "/assets/missing.js",
        "/leak.txt",
        "/assets/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/.env",
        "/sessions/abc",
    ] {
        let (status, _, body) = get(server.addr, path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body.contains("not_found"), "{path}: {body}");
    }
}

#[tokio::test]
async fn without_a_built_ui_the_root_says_how_to_build_it() {
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().to_path_buf();
    let server = TestServer::start_with(move |config| config.ui_dir = Some(dir)).await;
    let (status, head, body) = get(server.addr, "/").await;
    assert_eq!(status, 200);
    assert!(body.contains("npm run build"), "{body}");
    assert!(head.contains("content-security-policy"));
}

#[tokio::test]
async fn a_browser_that_takes_gzip_gets_the_compressed_copy_beside_a_file() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::create_dir(ui.path().join("assets")).unwrap();
    std::fs::write(ui.path().join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(ui.path().join("assets/app.js"), "plain").unwrap();
    // Not real gzip: the test only tells which copy was sent.
    std::fs::write(ui.path().join("assets/app.js.gz"), "squeezed").unwrap();
    std::fs::write(ui.path().join("assets/alone.css"), "only plain").unwrap();
    let dir = ui.path().to_path_buf();
    let server = TestServer::start_with(move |config| config.ui_dir = Some(dir)).await;

    let (status, head, body) = get_with(
        server.addr,
        "/assets/app.js",
        "Accept-Encoding: br, gzip;q=0.8\r\n",
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "squeezed"));
    assert!(
        head.contains("content-encoding: gzip")
            && head.contains("content-type: text/javascript")
            && head.contains("vary: accept-encoding"),
        "{head}"
    );

    for refusing in [
        "",
        "Accept-Encoding: br\r\n",
        "Accept-Encoding: gzip;q=0\r\n",
    ] {
        let (status, head, body) = get_with(server.addr, "/assets/app.js", refusing).await;
        assert_eq!((status, body.as_str()), (200, "plain"), "{refusing}");
        assert!(!head.contains("content-encoding"), "{refusing}: {head}");
    }
    let (status, head, body) = get_with(
        server.addr,
        "/assets/alone.css",
        "Accept-Encoding: gzip\r\n",
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "only plain"));
    assert!(!head.contains("content-encoding"), "{head}");
}
