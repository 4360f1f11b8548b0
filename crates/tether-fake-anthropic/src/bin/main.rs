//! `tether-fake-anthropic [--port N] [--script FILE.json]`: serve the fake Messages API on 127.0.0.1
//! until SIGINT or SIGTERM, after printing `listening on http://127.0.0.1:PORT` on stdout.

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tether_fake_anthropic::{FakeAnthropic, Script, ScriptError};
use tokio::signal::unix::{SignalKind, signal};

/// A scripted fake of the Anthropic Messages API, for running the real `claude` CLI offline.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// JSON array of replies, e.g. `[{"type":"text","chunks":["hi"]}]`; once used up, every turn gets "ok".
    #[arg(long, value_name = "FILE.json")]
    script: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
enum RunError {
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot write to stdout: {0}")]
    Stdout(std::io::Error),
    #[error("cannot watch for signals: {0}")]
    Signal(std::io::Error),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tether-fake-anthropic: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), RunError> {
    let script = match &args.script {
        Some(path) => Script::from_json_file(path)?,
        None => Script::default(),
    };
    let mut terminate = signal(SignalKind::terminate()).map_err(RunError::Signal)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(RunError::Signal)?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let fake = FakeAnthropic::start_on(addr, script)
        .await
        .map_err(|source| RunError::Bind {
            port: args.port,
            source,
        })?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}", fake.base_url())
        .and_then(|()| stdout.flush())
        .map_err(RunError::Stdout)?;
    drop(stdout);
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    fake.shutdown().await;
    Ok(())
}
