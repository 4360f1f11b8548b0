//! Logging for both shells: tracing to stderr, filtered by `TETHER_LOG`, as text (colour only
//! on a terminal) or JSON lines (`TETHER_LOG_FORMAT=json`); the desktop app also keeps daily
//! log files in the platform's log directory.

use std::io::IsTerminal;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

/// Libraries whose frame-level logs would print frame payloads, tokens among them.
const QUIET: [&str; 2] = ["tungstenite=info", "tokio_tungstenite=info"];
/// How many daily log files are kept.
const KEEP_LOG_FILES: usize = 7;

fn filter() -> EnvFilter {
    let filter = EnvFilter::try_from_env("TETHER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    QUIET
        .iter()
        .filter_map(|directive| directive.parse().ok())
        .fold(filter, EnvFilter::add_directive)
}

/// Whether `TETHER_LOG_FORMAT=json` asks for one JSON object per line instead of text.
fn json_lines() -> bool {
    std::env::var("TETHER_LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json"))
}

/// A formatting layer writing to `writer`: JSON lines, or text (coloured when `ansi`).
fn lines_to<S, W>(writer: W, ansi: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = fmt::layer().with_writer(writer);
    if json_lines() {
        layer.json().boxed()
    } else {
        layer.with_ansi(ansi).boxed()
    }
}

fn to_stderr<S>() -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    lines_to(std::io::stderr, std::io::stderr().is_terminal())
}

/// Installs the global subscriber (`TETHER_LOG` takes `info`, `debug`, `tether_engine=trace`, …).
pub fn init() {
    tracing_subscriber::registry()
        .with(filter())
        .with(to_stderr())
        .init();
}

/// Like [`init`], and also writes the log to `dir` (made private to the user), one file a day
/// (`tether.YYYY-MM-DD.log`), the last [`KEEP_LOG_FILES`] kept. When `dir` cannot be used, logs to stderr only and says so.
pub fn init_with_files(dir: &Path) {
    let private = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)));
    let appender = private.map_err(|error| error.to_string()).and_then(|()| {
        RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("tether")
            .filename_suffix("log")
            .max_log_files(KEEP_LOG_FILES)
            .build(dir)
            .map_err(|error| error.to_string())
    });
    match appender {
        Ok(appender) => {
            let to_file = lines_to(appender, false);
            tracing_subscriber::registry()
                .with(filter())
                .with(to_stderr())
                .with(to_file)
                .init();
        }
        Err(error) => {
            init();
            tracing::warn!(dir = %dir.display(), %error, "cannot keep log files there; logging to stderr only");
        }
    }
}

/// The platform's log directory for Tether (`~/.local/state/tether/logs` on Linux).
pub fn default_log_dir() -> PathBuf {
    let dirs = directories::ProjectDirs::from("", "", "tether");
    match dirs {
        Some(dirs) => dirs
            .state_dir()
            .unwrap_or(dirs.data_local_dir())
            .join("logs"),
        None => PathBuf::from(".tether").join("logs"),
    }
}
