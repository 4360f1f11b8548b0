//! `tether connect`: sign in to an engine (with a device token or an SSH key), open or resume a
//! session in a project, and chat with it in the terminal: each line typed is a message, the
//! answer streams back, and tool approvals are asked on the terminal.

use std::path::Path;

use anyhow::{anyhow, bail};
use serde_json::{Value, json};
use tether_engine::auth::ssh::authorization;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};

use crate::args::ConnectArgs;
use crate::control::Client;
use crate::ssh_agent::{sign_with_agent, sign_with_file};
use crate::target::Target;

pub async fn run(args: ConnectArgs) -> anyhow::Result<()> {
    let target = Target::parse(&args.url, args.fingerprint.clone())?;
    let credential = sign_in(&target, &args).await?;
    let mut request = target.ws("/ws")?.into_client_request()?;
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
    let challenge = target.post("/api/auth/challenge", None).await?;
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
