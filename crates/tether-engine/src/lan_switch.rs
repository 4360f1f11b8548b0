//! The engine's handle to LAN access. The listener belongs to whoever serves (the server
//! installs its handle); the `lan.*` methods and the pairing link reach it through this.
//! Without one installed, LAN access is off and cannot be turned on.

use std::net::IpAddr;

use futures_util::future::BoxFuture;

use crate::engine::Engine;
use tether_protocol::LanStatus;

/// Why LAN access could not be switched, in words for the desktop.
pub type LanFailure = Box<dyn std::error::Error + Send + Sync>;

/// Turns LAN access on and off, and says how it stands.
pub trait LanSwitch: Send + Sync {
    fn status(&self) -> LanStatus;

    /// Serves the LAN on `address` (or the one that routes out) and `port`, replacing any
    /// listener running.
    fn enable<'a>(
        &'a self,
        engine: &'a Engine,
        address: Option<IpAddr>,
        port: u16,
    ) -> BoxFuture<'a, Result<LanStatus, LanFailure>>;

    /// Makes a new certificate, served at once where the LAN is served.
    fn rotate<'a>(
        &'a self,
        engine: &'a Engine,
        address: Option<IpAddr>,
    ) -> BoxFuture<'a, Result<LanStatus, LanFailure>>;

    /// Stops serving the LAN.
    fn disable(&self) -> BoxFuture<'_, LanStatus>;
}

/// LAN access where nothing serves it.
pub(crate) struct NoLan;

impl LanSwitch for NoLan {
    fn status(&self) -> LanStatus {
        LanStatus::default()
    }

    fn enable<'a>(
        &'a self,
        _: &'a Engine,
        _: Option<IpAddr>,
        _: u16,
    ) -> BoxFuture<'a, Result<LanStatus, LanFailure>> {
        Box::pin(async { Err("this process serves no network, so not the LAN either".into()) })
    }

    fn rotate<'a>(
        &'a self,
        _: &'a Engine,
        _: Option<IpAddr>,
    ) -> BoxFuture<'a, Result<LanStatus, LanFailure>> {
        Box::pin(async { Err("this process serves no network, so not the LAN either".into()) })
    }

    fn disable(&self) -> BoxFuture<'_, LanStatus> {
        Box::pin(async { LanStatus::default() })
    }
}
