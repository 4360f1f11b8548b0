//! The chat UI's files: `/` is the app, and every other path that names a file of the built
//! UI is that file, all under a strict Content-Security-Policy. The app routes itself after `#`,
//! so no other path falls back to it. A client that accepts gzip gets the `.gz` copy the build
//! made beside a file, when there is one.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::routes::{AppState, not_found};

/// Scripts, styles, images and connections only from the engine itself; no inline script,
/// no eval, no framing, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// Shown at `/` when no built UI is found.
const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Tether</title>\
    <p>The chat UI has not been built: run <code>npm run build</code> in <code>ui/</code>, \
    or set <code>ui_dir</code>.</p>";

/// Where the built UI is: the `ui_dir` setting, else the `ui/dist` of the source tree this
/// engine was built from, when it exists.
pub fn directory(configured: Option<&Path>) -> Option<PathBuf> {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    configured
        .map(Path::to_path_buf)
        .or(Some(built))
        .filter(|dir| dir.join("index.html").is_file())
}

/// `GET /`: the app.
pub(super) async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let app = match directory(state.engine.config().ui_dir.as_deref()) {
        Some(dir) => file(&dir, "index.html", accepts_gzip(&headers)).await,
        None => None,
    };
    app.unwrap_or_else(|| with_headers("text/html; charset=utf-8", NOT_BUILT.into(), false))
}

/// Any other path: a file of the built UI, or the usual 404.
pub(super) async fn asset(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let found = match (method, directory(state.engine.config().ui_dir.as_deref())) {
        (Method::GET, Some(dir)) => match relative(uri.path()) {
            Some(relative) => file(&dir, &relative, accepts_gzip(&headers)).await,
            None => None,
        },
        _ => None,
    };
    match found {
        Some(response) => response,
        None => not_found().await,
    }
}

/// A request path as a relative file path, or `None` when it could leave the directory or
/// names something no build makes.
fn relative(path: &str) -> Option<String> {
    let relative = path.strip_prefix('/')?;
    let safe = relative.split('/').all(|segment| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'))
    });
    (safe && !relative.is_empty()).then(|| relative.to_owned())
}

/// Whether the request's `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts.next() == Some("gzip")
                && parts
                    .all(|parameter| !matches!(parameter, "q=0" | "q=0.0" | "q=0.00" | "q=0.000"))
        })
}

/// The file at `relative` under `dir`, if it is a file there (links out of it are refused);
/// its `.gz` copy when `gzip` and the build made one.
async fn file(dir: &Path, relative: &str, gzip: bool) -> Option<Response> {
    let root = tokio::fs::canonicalize(dir).await.ok()?;
    let inside = |path: PathBuf| path.starts_with(&root).then_some(path);
    let path = inside(tokio::fs::canonicalize(root.join(relative)).await.ok()?)?;
    let compressed = if gzip {
        let copy = tokio::fs::canonicalize(root.join(format!("{relative}.gz"))).await;
        copy.ok().and_then(inside)
    } else {
        None
    };
    let immutable = relative.starts_with("assets/");
    let mut response = match compressed {
        Some(compressed) => {
            let bytes = tokio::fs::read(&compressed).await.ok()?;
            let mut response = with_headers(content_type(&path), bytes, immutable);
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        None => with_headers(
            content_type(&path),
            tokio::fs::read(&path).await.ok()?,
            immutable,
        ),
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Some(response)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A UI response: its type, the security headers, and caching (for ever for the hashed
/// files under `assets/`, revalidated for the rest).
fn with_headers(content_type: &'static str, body: Vec<u8>, immutable: bool) -> Response {
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, cache),
    ];
    let mut response = (StatusCode::OK, body).into_response();
    for (name, value) in headers {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn only_plain_relative_paths_name_files() {
        assert_eq!(
            relative("/assets/index-3f2a.js").as_deref(),
            Some("assets/index-3f2a.js")
        );
        assert_eq!(
            relative("/manifest.webmanifest").as_deref(),
            Some("manifest.webmanifest")
        );
        for bad in [
            "/",
            "/../etc/passwd",
            "/assets/../../x",
            "/.env",
            "//x",
            "/a%2f..",
            "/a b",
            "x",
        ] {
            assert_eq!(relative(bad), None, "{bad}");
        }
    }
}
