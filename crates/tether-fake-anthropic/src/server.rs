//! [`FakeAnthropic`]: the running server, its handle for tests, and its shutdown on drop.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::handler::handle;
use crate::state::Shared;
use crate::{RecordedRequest, Reply, Script, WaitError};

/// How long [`FakeAnthropic::shutdown`] waits for open connections to close.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running fake Messages API on loopback. Dropping it stops the server: new connections are
/// refused, idle ones close, stalled or paused streams are cut.
pub struct FakeAnthropic {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl FakeAnthropic {
    /// Serve `script` on `127.0.0.1:0` (a free port).
    pub async fn start(script: Script) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), script).await
    }

    /// Serve `script` on `addr` (the binary's `--port`).
    pub async fn start_on(addr: SocketAddr, script: Script) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(script));
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let stop = shared.shutdown.clone().cancelled_owned();
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::warn!(%err, "fake anthropic: server stopped with an error");
            }
        });
        Ok(Self {
            addr,
            shared,
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The environment the real `claude` CLI needs to use this fake offline (facts §1), its own
    /// settings and state kept in `config_dir`.
    pub fn claude_env(&self, config_dir: &std::path::Path) -> Vec<(&'static str, String)> {
        vec![
            ("ANTHROPIC_BASE_URL", self.base_url()),
            ("ANTHROPIC_API_KEY", "sk-test".to_owned()),
            ("CLAUDE_CONFIG_DIR", config_dir.display().to_string()),
            ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1".to_owned()),
            ("DISABLE_TELEMETRY", "1".to_owned()),
            ("CLAUDE_CODE_MAX_RETRIES", "0".to_owned()),
        ]
    }

    /// Every request so far (any method and path), in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// Only the model turns (`POST /v1/messages`), in arrival order.
    pub fn message_requests(&self) -> Vec<RecordedRequest> {
        let mut all = self.requests();
        all.retain(RecordedRequest::is_messages);
        all
    }

    /// Wait until at least `n` requests are recorded, then return them all.
    pub async fn wait_for_requests(
        &self,
        n: usize,
        within: Duration,
    ) -> Result<Vec<RecordedRequest>, WaitError> {
        let mut recorded = self.shared.watch_recorded();
        let reached = tokio::time::timeout(within, recorded.wait_for(|count| *count >= n))
            .await
            .is_ok_and(|seen| seen.is_ok());
        if !reached {
            let got = *recorded.borrow();
            return Err(WaitError {
                wanted: n,
                got,
                within,
            });
        }
        Ok(self.requests())
    }

    /// Append a reply to the script (served after the ones already queued).
    pub fn push(&self, reply: Reply) {
        self.shared.push(reply);
    }

    /// How many scripted replies are still queued.
    pub fn pending_replies(&self) -> usize {
        self.shared.pending()
    }

    /// Let every stream that is stalled now (or whose request already arrived) finish normally.
    pub fn release_stalls(&self) {
        self.shared.release_stalls();
    }

    /// Stop and wait (bounded) until the server task and its connections are done.
    pub async fn shutdown(mut self) {
        self.shared.shutdown.cancel();
        if let Some(task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err()
        {
            tracing::warn!("fake anthropic: connections still open after {SHUTDOWN_GRACE:?}");
        }
    }
}

impl Drop for FakeAnthropic {
    fn drop(&mut self) {
        // Graceful shutdown: the accept loop ends, every connection task is told to close, and
        // stalled/paused bodies fail at once, so nothing keeps running after the handle is gone.
        self.shared.shutdown.cancel();
    }
}

impl std::fmt::Debug for FakeAnthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeAnthropic")
            .field("addr", &self.addr)
            .field("pending_replies", &self.pending_replies())
            .finish_non_exhaustive()
    }
}
