//! LAN access, opt-in: a second listener serving HTTPS and WSS on one interface with the app's
//! own certificate, which the desktop can turn on and off while the engine runs.

pub mod identity;
pub mod pinning;

use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::{Arc, PoisonError, RwLock};

use futures_util::future::BoxFuture;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use self::identity::{Identity, IdentityError, Renewal};
use tether_engine::engine::Engine;
use tether_engine::lan_switch::{LanFailure, LanSwitch};
use tether_protocol::LanStatus;

/// Why LAN access could not be turned on.
#[derive(Debug, thiserror::Error)]
pub enum LanError {
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("no network address found to serve on; set lan.address")]
    NoAddress,
    #[error("{0} is every interface, not one: name the address phones reach this computer at")]
    Unspecified(IpAddr),
    #[error("cannot listen on {address}: {cause}")]
    Listen {
        address: SocketAddr,
        cause: io::Error,
    },
}

struct Running {
    /// The address and port served.
    local: SocketAddr,
    stop: CancellationToken,
    served: JoinHandle<()>,
}

/// The LAN listener's switch.
#[derive(Default)]
pub struct Lan {
    running: tokio::sync::Mutex<Option<Running>>,
    status: RwLock<LanStatus>,
}

/// Gives `engine` its handle to LAN access, served from here (unless it has one already).
pub fn install(engine: &Engine) {
    engine.install_lan(|| Arc::new(Lan::default()));
}

impl LanSwitch for Lan {
    fn status(&self) -> LanStatus {
        self.status
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn enable<'a>(
        &'a self,
        engine: &'a Engine,
        address: Option<IpAddr>,
        port: u16,
    ) -> BoxFuture<'a, Result<LanStatus, LanFailure>> {
        Box::pin(async move { Ok(self.switch_on(engine, address, port).await?) })
    }

    fn rotate<'a>(
        &'a self,
        engine: &'a Engine,
        address: Option<IpAddr>,
    ) -> BoxFuture<'a, Result<LanStatus, LanFailure>> {
        Box::pin(async move { Ok(self.renew(engine, address).await?) })
    }

    fn disable(&self) -> BoxFuture<'_, LanStatus> {
        Box::pin(self.switch_off())
    }
}

impl Lan {
    /// Starts serving on `address` (or the address that routes to the network) and `port`,
    /// replacing a listener already running.
    async fn switch_on(
        &self,
        engine: &Engine,
        address: Option<IpAddr>,
        port: u16,
    ) -> Result<LanStatus, LanError> {
        let ip = address
            .or_else(network_address)
            .ok_or(LanError::NoAddress)?;
        if ip.is_unspecified() {
            return Err(LanError::Unspecified(ip));
        }
        // Held throughout, so a rotation or a switch meanwhile waits for this one.
        let mut running = self.running.lock().await;
        let vault = engine.vault();
        let (identity, renewal) = blocking(move || Identity::for_address(&*vault, ip)).await?;
        if let Some(renewal) = renewal {
            tracing::info!(?renewal, %ip, "made a new certificate for the LAN");
        }
        self.start(&mut running, engine, SocketAddr::new(ip, port), &identity)
            .await
    }

    /// Makes a new certificate (a new key, so a new fingerprint) and, while LAN access is on,
    /// serves with it at once: connections made with the old one close (1001), and clients
    /// that pinned it must pin the new fingerprint.
    async fn renew(&self, engine: &Engine, address: Option<IpAddr>) -> Result<LanStatus, LanError> {
        let mut running = self.running.lock().await;
        let serving = running.as_ref().map(|running| running.local);
        let ip = serving
            .map(|local| local.ip())
            .or(address)
            .or_else(network_address)
            .ok_or(LanError::NoAddress)?;
        let vault = engine.vault();
        let identity = blocking(move || Identity::make(&*vault, ip)).await?;
        tracing::info!(renewal = ?Renewal::Rotated, %ip, "made a new certificate for the LAN");
        match serving {
            // The same address and port, so the links phones hold still work.
            Some(local) => self.start(&mut running, engine, local, &identity).await,
            None => Ok(self.status()),
        }
    }

    /// Serves `requested` with `identity`, replacing the listener in `running`; if it cannot,
    /// LAN access is off.
    async fn start(
        &self,
        running: &mut Option<Running>,
        engine: &Engine,
        requested: SocketAddr,
        identity: &Identity,
    ) -> Result<LanStatus, LanError> {
        stop(running.take()).await;
        self.set_status(LanStatus::default());
        let listen_error = |cause| LanError::Listen {
            address: requested,
            cause,
        };
        let listener = TcpListener::bind(requested).await.map_err(listen_error)?;
        let local = listener.local_addr().map_err(listen_error)?;
        let acceptor = TlsAcceptor::from(identity.server_config()?);
        let stop = CancellationToken::new();
        let served = tokio::spawn(crate::serve_lan(
            listener,
            engine.clone(),
            acceptor,
            stop.clone().cancelled_owned(),
        ));
        *running = Some(Running {
            local,
            stop,
            served,
        });
        let status = LanStatus {
            enabled: true,
            url: Some(format!("https://{local}/")),
            fingerprint: Some(identity.fingerprint()),
            expires_at: Some(identity.expires_at()),
        };
        tracing::info!(%local, "serving the LAN over TLS");
        self.set_status(status.clone());
        Ok(status)
    }

    /// Stops serving the LAN: its listener closes and its connections end with 1001.
    async fn switch_off(&self) -> LanStatus {
        let mut running = self.running.lock().await;
        stop(running.take()).await;
        self.set_status(LanStatus::default());
        LanStatus::default()
    }

    fn set_status(&self, status: LanStatus) {
        *self.status.write().unwrap_or_else(PoisonError::into_inner) = status;
    }
}

/// Runs keyring work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IdentityError> + Send + 'static,
) -> Result<T, IdentityError> {
    tokio::task::spawn_blocking(work).await.map_err(|join| {
        IdentityError::Vault(tether_engine::auth::VaultError::Unreachable(
            join.to_string(),
        ))
    })?
}

async fn stop(running: Option<Running>) {
    if let Some(Running { stop, served, .. }) = running {
        stop.cancel();
        if let Err(error) = served.await {
            tracing::error!(%error, "the LAN listener failed");
        }
        tracing::info!("stopped serving the LAN");
    }
}

/// The address this machine uses to reach the network: the source address of a route to a
/// documentation address (connecting a UDP socket sends nothing).
fn network_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}
