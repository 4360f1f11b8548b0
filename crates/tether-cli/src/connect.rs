//! `tether connect`: sign in to an engine (with a device token or an SSH key), open or resume a
//! session in a project, and chat with it in the terminal: each line typed is a message, the
//! answer streams back, and tool approvals are asked on the terminal.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use tether_engine::auth::ssh::authorization;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Uri, header};

use crate::agent::{sign_with_agent, sign_with_file};
use crate::args::ConnectArgs;
use crate::control::Client;

/// Any byte stream to the engine: plain TCP, or TLS over it.
trait Transport: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Transport for T {}

/// Where the engine is, and how to reach it.
struct Target {
    uri: Uri,
    authority: String,
    host: String,
    fingerprint: Option<String>,
}

impl Target {
    fn parse(url: &str, fingerprint: Option<String>) -> anyhow::Result<Self> {
        let uri: Uri = url
            .parse()
            .with_context(|| format!("{url:?} is not a URL"))?;
        let secure = match uri.scheme_str() {
            Some("ws") => false,
            Some("wss") => true,
            _ => bail!("the URL must start with ws:// or wss://"),
        };
        if secure && fingerprint.is_none() {
            bail!("wss:// needs --fingerprint: the certificate fingerprint the desktop shows");
        }
        let host = uri.host().ok_or_else(|| anyhow!("the URL has no host"))?;
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if !secure && !is_loopback(&host) {
            bail!(
                "ws:// would send the token or signature in the clear, so it is only for this \
                 machine (127.0.0.1, ::1, localhost); use wss:// with --fingerprint for {host}"
            );
        }
        let authority = match host.contains(':') {
            true => format!("[{host}]:{port}"),
            false => format!("{host}:{port}"),
        };
        Ok(Self {
            uri: format!("{}://{authority}/ws", if secure { "wss" } else { "ws" }).parse()?,
            authority,
            host,
            fingerprint: secure.then_some(fingerprint).flatten(),
        })
    }

    /// A fresh connection, over TLS pinned to the fingerprint for wss://.
    async fn open(&self) -> anyhow::Result<Box<dyn Transport>> {
        let tcp = TcpStream::connect(&self.authority)
            .await
            .with_context(|| format!("cannot reach {}", self.authority))?;
        // Each typed line and each answer is a small write: send it at once.
        tcp.set_nodelay(true)?;
        let Some(fingerprint) = &self.fingerprint else {
            return Ok(Box::new(tcp));
        };
        let config = tether_server::lan::pinning::client_config(fingerprint);
        let name = ServerName::try_from(self.host.clone())?;
        let tls = TlsConnector::from(std::sync::Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|error| anyhow!("TLS failed: {error}"))?;
        Ok(Box::new(tls))
    }

    /// POSTs an empty body to `path` and returns the JSON answer.
    async fn post(&self, path: &str) -> anyhow::Result<Value> {
        let mut stream = self.open().await?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.authority
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.take(1 << 20).read_to_end(&mut response).await?;
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| anyhow!("the engine sent a malformed answer"))?;
        let body: Value = serde_json::from_str(body).context("the engine's answer is not JSON")?;
        if !head.starts_with("HTTP/1.1 200") {
            bail!("{}", body["message"].as_str().unwrap_or(head));
        }
        Ok(body)
    }
}

/// Whether `host` (brackets removed) names this machine's loopback interface.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

pub async fn run(args: ConnectArgs) -> anyhow::Result<()> {
    let target = Target::parse(&args.url, args.fingerprint.clone())?;
    let credential = sign_in(&target, &args).await?;
    let mut request = target.uri.clone().into_client_request()?;
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, HeaderValue::from_str(&credential)?);
    request.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static("tether.v1"),
    );
    let stream = target.open().await?;
    let (socket, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .map_err(|error| match error {
            tokio_tungstenite::tungstenite::Error::Http(response) => anyhow!(
                "the engine refused the sign-in: {}",
                response
                    .body()
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default()
            ),
            other => other.into(),
        })?;
    let mut engine = Client::new(socket);
    let session = open_session(&mut engine, &args).await?;
    eprintln!("Session {session}. Type a message and press Enter; Ctrl-D ends.");
    chat(&mut engine, &session).await?;
    engine.close().await;
    Ok(())
}

/// The `Authorization` value: a signed challenge for an SSH key, else the device token.
async fn sign_in(target: &Target, args: &ConnectArgs) -> anyhow::Result<String> {
    if args.key.is_none() && args.agent.is_none() {
        // From the environment only: a flag would show the token in `ps` and shell history.
        let token = std::env::var("TETHER_TOKEN").map_err(|_| {
            anyhow!("sign in with --key FILE, --agent, or a device token in TETHER_TOKEN")
        })?;
        return Ok(format!("Bearer {token}"));
    }
    let challenge = target.post("/api/auth/challenge").await?;
    let challenge = challenge["challenge"]
        .as_str()
        .ok_or_else(|| anyhow!("the engine sent no challenge"))?;
    let signature = match (&args.key, &args.agent) {
        // Bound to the engine as the handshake names it (its Host header).
        (Some(file), _) => sign_with_file(file, &target.authority, challenge)?,
        (None, Some(public)) => {
            sign_with_agent(public.as_deref(), &target.authority, challenge).await?
        }
        (None, None) => unreachable!("checked above"),
    };
    Ok(authorization(challenge, &signature)?)
}

/// The session to chat in: the one named, or a new one in the project (by id or folder).
async fn open_session<S: AsyncRead + AsyncWrite + Unpin>(
    engine: &mut Client<S>,
    args: &ConnectArgs,
) -> anyhow::Result<String> {
    let session = match &args.session {
        Some(session) => session.clone(),
        None => {
            let projects = rpc(engine, "projects.list", json!({})).await?;
            let folder = std::fs::canonicalize(Path::new(&args.project)).ok();
            let project = projects
                .as_array()
                .into_iter()
                .flatten()
                .find(|project| {
                    project["id"] == args.project.as_str()
                        || folder.as_deref().is_some_and(|folder| {
                            project["path"] == folder.to_string_lossy().as_ref()
                        })
                })
                .ok_or_else(|| {
                    anyhow!(
                        "no project {:?}; list them with `tether project list`",
                        args.project
                    )
                })?;
            let created = rpc(
                engine,
                "sessions.create",
                json!({ "project_id": project["id"] }),
            )
            .await?;
            created["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    engine.subscribe(&[&format!("session:{session}")]).await?;
    Ok(session)
}

/// Lines in, answers out, until standard input ends and the last answer is complete.
async fn chat<S: AsyncRead + AsyncWrite + Unpin>(
    engine: &mut Client<S>,
    session: &str,
) -> anyhow::Result<()> {
    let (lines_tx, mut lines) = tokio::sync::mpsc::channel::<String>(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if lines_tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    let mut approval: Option<Value> = None;
    let mut typing = true;
    let mut answering = false;
    loop {
        tokio::select! {
            line = lines.recv(), if typing => {
                let Some(line) = line else {
                    typing = false;
                    if answering { continue } else { return Ok(()) }
                };
                if let Some(request) = approval.take() {
                    let allow = matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes");
                    let method = if allow { "tools.approve" } else { "tools.reject" };
                    let params = json!({ "session_id": session, "request_id": request["request_id"] });
                    rpc(engine, method, params).await?;
                } else if !line.trim().is_empty() {
                    rpc(engine, "messages.send", json!({ "session_id": session, "text": line })).await?;
                    answering = true;
                }
            }
            event = engine.next_event() => {
                let Some(event) = event? else { bail!("the engine closed the connection") };
                if let Some(request) = show(&event) {
                    approval = Some(request);
                }
                if turn_ended(&event) {
                    answering = false;
                    if !typing {
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// Whether `event` says the session stopped working on a turn.
fn turn_ended(event: &Value) -> bool {
    event["event"] == "session.updated"
        && matches!(
            event["data"]["session"]["status"].as_str(),
            Some("idle" | "errored" | "interrupted" | "ended")
        )
}

/// Prints an event as the terminal shows it; returns an approval to ask about.
fn show(event: &Value) -> Option<Value> {
    let data = &event["data"];
    match event["event"].as_str()? {
        "part.delta" => {
            print!("{}", data["text"].as_str().unwrap_or_default());
            let _ = std::io::Write::flush(&mut std::io::stdout());
        }
        "part.created" if data["part"]["type"] == "tool_use" => {
            println!("\n[{}]", data["part"]["name"].as_str().unwrap_or("tool"));
        }
        "tool.approval_required" => {
            let approval = &data["approval"];
            println!(
                "\nClaude wants to use {}: {}\nAllow? [y/N] ",
                approval["tool_name"].as_str().unwrap_or("a tool"),
                approval["input"]
            );
            return Some(approval.clone());
        }
        "session.updated" if data["session"]["status"] == "idle" => println!(),
        "session.updated" if data["session"]["status"] == "errored" => {
            println!(
                "\n[error: {}]",
                data["session"]["last_error"].as_str().unwrap_or("unknown")
            );
        }
        _ => {}
    }
    None
}

/// Calls a method, turning an error answer into an error.
async fn rpc<S: AsyncRead + AsyncWrite + Unpin>(
    engine: &mut Client<S>,
    method: &str,
    params: Value,
) -> anyhow::Result<Value> {
    engine
        .call(method, params)
        .await?
        .map_err(|error| anyhow!("{method}: {}", error.message))
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn plain_ws_reaches_only_this_machine() {
        for url in [
            "ws://127.0.0.1:7410",
            "ws://127.8.9.10:7410",
            "ws://[::1]:7410",
            "ws://localhost:7410",
        ] {
            assert!(Target::parse(url, None).is_ok(), "{url}");
        }
        for url in [
            "ws://192.168.1.20:7410",
            "ws://0.0.0.0:7410",
            "ws://tether.example:7410",
            "ws://[fe80::1]:7410",
            "ws://localhost.example.org:7410",
        ] {
            let refused = Target::parse(url, None)
                .err()
                .map(|error| error.to_string());
            assert!(
                refused
                    .as_deref()
                    .is_some_and(|why| why.contains("only for this machine")),
                "{url}: {refused:?}"
            );
        }
        assert!(Target::parse("wss://192.168.1.20:7411", Some("ab".repeat(32))).is_ok());
    }
}
