//! The chat UI's files: `/` is the app, and every other path that names a file of the built
//! UI is that file, all under a strict Content-Security-Policy. The app routes itself after `#`,
//! so no other path falls back to it. The files are the UI built into the engine (the `ui/dist`
//! the build found), or those of the `ui_dir` setting when it is set. A client that accepts
//! gzip gets the `.gz` copy the UI's build made beside a file, when there is one.

use std::borrow::Cow;
use std::path::Path;

use axum::body::Bytes;
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

/// Shown at `/` when there is no built UI.
const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Tether</title>\
    <p>This engine has no chat UI: run <code>npm run build</code> in <code>ui/</code> \
    before building it, or set <code>ui_dir</code>.</p>";

/// The chat UI built into the engine: `ui/dist` (with its `.gz` copies) as the build found
/// it, in every profile; nothing when the UI had not been built.
#[derive(rust_embed::Embed)]
#[folder = "../../ui/dist/"]
#[allow_missing = true]
struct BuiltIn;

/// Where the UI's files come from.
enum Files<'a> {
    BuiltIn,
    Folder(&'a Path),
}

impl<'a> Files<'a> {
    /// The `ui_dir` setting's folder when it is set, else the UI built in.
    fn of(configured: Option<&'a Path>) -> Self {
        configured.map_or(Self::BuiltIn, Self::Folder)
    }

    /// The file at `relative`, if there is one (in a folder, links out of it are refused).
    async fn read(&self, relative: &str) -> Option<Cow<'static, [u8]>> {
        match self {
            Self::BuiltIn => BuiltIn::get(relative).map(|file| file.data),
            Self::Folder(dir) => {
                let root = tokio::fs::canonicalize(dir).await.ok()?;
                let path = tokio::fs::canonicalize(root.join(relative)).await.ok()?;
                let inside = path.starts_with(&root) && path.is_file();
                let bytes = if inside {
                    tokio::fs::read(&path).await.ok()
                } else {
                    None
                };
                bytes.map(Cow::Owned)
            }
        }
    }
}

/// `GET /`: the app.
pub(super) async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let files = Files::of(state.engine.config().ui_dir.as_deref());
    let app = file(&files, "index.html", accepts_gzip(&headers)).await;
    app.unwrap_or_else(|| {
        with_headers(
            "text/html; charset=utf-8",
            NOT_BUILT.as_bytes().into(),
            false,
        )
    })
}

/// Any other path: a file of the built UI, or the usual 404.
pub(super) async fn asset(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let files = Files::of(state.engine.config().ui_dir.as_deref());
    let found = match (method, relative(uri.path())) {
        (Method::GET, Some(relative)) => file(&files, &relative, accepts_gzip(&headers)).await,
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

/// The file at `relative` of `files`, if there is one; its `.gz` copy when `gzip` and the
/// build made one.
async fn file(files: &Files<'_>, relative: &str, gzip: bool) -> Option<Response> {
    let kind = content_type(Path::new(relative));
    let immutable = relative.starts_with("assets/");
    let compressed = match gzip {
        true => files.read(&format!("{relative}.gz")).await,
        false => None,
    };
    let mut response = match compressed {
        Some(bytes) => {
            let mut response = with_headers(kind, bytes, immutable);
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        None => with_headers(kind, files.read(relative).await?, immutable),
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
fn with_headers(content_type: &'static str, body: Cow<'static, [u8]>, immutable: bool) -> Response {
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
    let body = match body {
        Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        Cow::Owned(bytes) => Bytes::from(bytes),
    };
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
