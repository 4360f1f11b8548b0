//! The agent's side of one link, driven by a hub played over an in-memory socket.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tether_engine::auth::KeyringVault;
use tether_engine::machines::Agent;
use tether_engine::{Config, Engine};
use tether_protocol::machine::{AgentFrame, HubFrame};
use tether_protocol::{ErrorCode, Project, RpcError};
use tether_store::Store;
use tokio::io::{AsyncReadExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_util::sync::CancellationToken;

use super::serve;
use crate::target::Transport;

/// The longest the played hub waits for a frame.
const WAIT: Duration = Duration::from_secs(20);
/// The most frames it reads while waiting for one.
const MAX_FRAMES: usize = 10_000;

/// An agent offering the folder `project` in `data`, with a data directory and keyring
/// service of its own and a fast heartbeat.
async fn agent(data: &tempfile::TempDir, project: &str) -> Arc<Agent> {
    let mut config = Config {
        port: 0,
        keyring_service: format!("tether-test-{:016x}", rand::random::<u64>()),
        data_dir: data.path().join("data"),
        ..Config::default()
    };
    config.claude.path = Some(data.path().join("no-claude-here"));
    config.limits.heartbeat_interval = Duration::from_millis(20);
    let vault = Arc::new(KeyringVault::new(&config.keyring_service));
    let store = Store::open(&config.data_dir, config.store.clone());
    let engine = Engine::open(config, vault, store)
        .await
        .expect("the OS keyring must be reachable: run the tests through scripts/with-keyring.sh");
    let agent = Arc::new(Agent::new(engine));
    add_project(&agent, data, project);
    agent
}

/// Adds the folder `name` in `data` as a project of `agent`'s.
fn add_project(agent: &Agent, data: &tempfile::TempDir, name: &str) {
    let folder = data.path().join(name);
    std::fs::create_dir(&folder).unwrap();
    agent.engine().projects().add(&folder).unwrap();
}

/// Serves a link of `agent` over an in-memory socket holding `capacity` bytes; returns the
/// hub's raw end of it, and the link's task, which ends with why once `stop` is cancelled.
fn link(
    agent: &Arc<Agent>,
    capacity: usize,
    stop: &CancellationToken,
) -> (DuplexStream, JoinHandle<String>) {
    let (near, far) = tokio::io::duplex(capacity);
    let (agent, stop) = (Arc::clone(agent), stop.clone());
    let task = tokio::spawn(async move {
        let near: Box<dyn Transport> = Box::new(near);
        let socket = WebSocketStream::from_raw_socket(near, Role::Client, None).await;
        serve(socket, &agent, &stop).await
    });
    (far, task)
}

/// The next frame the agent sends.
async fn next_frame(hub: &mut WebSocketStream<DuplexStream>) -> AgentFrame {
    let text = async {
        for _ in 0..MAX_FRAMES {
            if let Message::Text(text) = hub.next().await.unwrap().unwrap() {
                return serde_json::from_str(&text).unwrap();
            }
        }
        panic!("more than {MAX_FRAMES} frames without a text frame");
    };
    tokio::time::timeout(WAIT, text)
        .await
        .expect("a frame from the agent in time")
}

/// The projects in the next `projects` frame the agent sends.
async fn next_projects(hub: &mut WebSocketStream<DuplexStream>) -> Vec<Project> {
    let offered = async {
        for _ in 0..MAX_FRAMES {
            if let AgentFrame::Projects { projects } = next_frame(hub).await {
                return projects;
            }
        }
        panic!("more than {MAX_FRAMES} frames without the projects");
    };
    tokio::time::timeout(WAIT, offered)
        .await
        .expect("the projects offered in time")
}

/// The projects the agent's `hello` offers.
async fn hello_projects(hub: &mut WebSocketStream<DuplexStream>) -> Vec<Project> {
    match next_frame(hub).await {
        AgentFrame::Hello { projects, .. } => projects,
        other => panic!("the first frame is the hello, not {other:?}"),
    }
}

/// Stops the link and checks that it ended for that reason.
async fn stopped(stop: &CancellationToken, task: JoinHandle<String>) {
    stop.cancel();
    let why = tokio::time::timeout(WAIT, task).await.unwrap().unwrap();
    assert_eq!(why, "the agent is stopping");
}

#[tokio::test]
async fn a_project_added_while_the_hello_is_sent_goes_with_the_next_heartbeat() {
    let data = tempfile::tempdir().unwrap();
    let agent = agent(&data, "first").await;
    let stop = CancellationToken::new();
    // Room for a few bytes only: the hello's write waits for the hub to read it.
    let (mut far, task) = link(&agent, 16, &stop);
    let mut start = vec![0; 16];
    let read = tokio::time::timeout(WAIT, far.read(&mut start))
        .await
        .expect("the hello being written")
        .unwrap();
    start.truncate(read);
    // The hello is built and on its way; a project is added before the rest of it is read.
    add_project(&agent, &data, "second");
    let mut hub = WebSocketStream::from_partially_read(far, start, Role::Server, None).await;

    assert_eq!(
        hello_projects(&mut hub).await.len(),
        1,
        "the hello as built"
    );
    assert_eq!(next_projects(&mut hub).await, agent.projects());
    assert_eq!(agent.projects().len(), 2);
    stopped(&stop, task).await;
}

#[tokio::test]
async fn projects_a_busy_hub_refused_are_offered_again() {
    let data = tempfile::tempdir().unwrap();
    let agent = agent(&data, "only").await;
    let stop = CancellationToken::new();
    let (far, task) = link(&agent, 1 << 16, &stop);
    let mut hub = WebSocketStream::from_raw_socket(far, Role::Server, None).await;

    let projects = hello_projects(&mut hub).await;
    assert_eq!(projects.len(), 1, "the hello offers the project");
    let refused = HubFrame::Refused {
        error: RpcError::new(
            ErrorCode::RateLimited,
            "too many frames; this one was dropped",
        ),
    };
    let refused = serde_json::to_string(&refused).unwrap();
    hub.send(Message::text(refused)).await.unwrap();
    assert_eq!(next_projects(&mut hub).await, projects, "offered again");
    stopped(&stop, task).await;
}
