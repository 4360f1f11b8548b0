//! Starting a whole engine for a shell: claim the data directory, load devices, bind, serve until stopped.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, UnixListener};
use tokio_util::sync::CancellationToken;

use tether_engine::auth::KeyringVault;
use tether_engine::config::Config;
use tether_engine::data_dir::{DataDir, DataDirError};
use tether_engine::engine::{Engine, EngineError};
use tether_engine::lan_switch::LanFailure;
use tether_engine::supervisor;
use tether_store::Store;

/// The engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error("cannot open the control socket: {0}")]
    Control(io::Error),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot serve the LAN: {0}")]
    Lan(LanFailure),
    #[error("cannot listen on {address}: {cause}")]
    Listen {
        address: SocketAddr,
        cause: io::Error,
    },
}

/// An engine with its listeners bound, ready to serve.
pub struct Launched {
    engine: Engine,
    address: SocketAddr,
    network: TcpListener,
    control: UnixListener,
    data_dir: DataDir,
}

/// Claims the data directory (one engine per directory), stops any `claude` a crashed engine
/// left behind, opens the control socket and the store, loads the paired devices from the OS
/// keyring, then binds the loopback listener, and the LAN listener when the settings ask.
pub async fn launch(config: Config) -> Result<Launched, LaunchError> {
    let requested = SocketAddr::new(config.bind, config.port);
    let Local {
        engine,
        control,
        data_dir,
    } = launch_local(config).await?;
    let listen_error = |cause| LaunchError::Listen {
        address: requested,
        cause,
    };
    let network = TcpListener::bind(requested).await.map_err(listen_error)?;
    let address = network.local_addr().map_err(listen_error)?;
    let lan = engine.config().lan.clone();
    crate::lan::install(&engine);
    if lan.enabled {
        (engine.lan().enable(&engine, lan.address, lan.port).await).map_err(LaunchError::Lan)?;
    }
    Ok(Launched {
        engine,
        address,
        network,
        control,
        data_dir,
    })
}

/// An engine serving only its control socket: `tether agent`, which dials out to its hub
/// and listens on no network port.
pub struct Local {
    engine: Engine,
    control: UnixListener,
    data_dir: DataDir,
}

/// Claims the data directory, stops any `claude` a crashed engine left behind, opens the
/// control socket and the store, and loads the paired devices from the OS keyring.
pub async fn launch_local(config: Config) -> Result<Local, LaunchError> {
    let data_dir = DataDir::claim(&config.data_dir)?;
    supervisor::orphans::reap(data_dir.path());
    let control = crate::bind_local(&data_dir).map_err(LaunchError::Control)?;
    let vault = Arc::new(KeyringVault::new(&config.keyring_service));
    let store = Store::open(data_dir.path(), config.store.clone());
    let engine = Engine::open(config, vault, store).await?;
    Ok(Local {
        engine,
        control,
        data_dir,
    })
}

impl Local {
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Serves the control socket until `stop` is cancelled, then stops the engine as
    /// [`Launched::serve`] does.
    pub async fn serve(self, stop: CancellationToken) {
        let Self {
            engine,
            control,
            data_dir,
        } = self;
        crate::serve_local(control, engine.clone(), stop.cancelled()).await;
        engine.shutdown().await;
        let _ = std::fs::remove_file(crate::control_socket_path(data_dir.path()));
    }
}

impl Launched {
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The address the network listener is bound to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves both listeners until `stop` is cancelled, closes every connection with 1001,
    /// stops every session's `claude`, waits for every task, then removes the control socket
    /// and releases the data directory.
    pub async fn serve(self, stop: CancellationToken) -> io::Result<()> {
        let Self {
            engine,
            network,
            control,
            data_dir,
            ..
        } = self;
        let network = async {
            let served = crate::serve(network, engine.clone(), stop.cancelled()).await;
            stop.cancel();
            served
        };
        let local = crate::serve_local(control, engine.clone(), stop.cancelled());
        let (served, ()) = tokio::join!(network, local);
        engine.shutdown().await;
        let _ = std::fs::remove_file(crate::control_socket_path(data_dir.path()));
        served
    }
}
