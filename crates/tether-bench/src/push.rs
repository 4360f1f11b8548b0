//! From a session's move to awaiting approval to each device's push arriving at a push service:
//! an engine in this process with several devices subscribed at a loopback HTTPS receiver
//! under a CA of its own (trusted through `push.extra_ca_file`), told of one approval at a
//! time, each in a session of its own so none is gathered into another.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::json;
use tether_engine::auth::Caller;
use tether_protocol::events::{AccountEvent, SessionSummary};
use tether_protocol::model::{SessionInfo, SessionStatus};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use web_push_native::p256::SecretKey;
use web_push_native::p256::elliptic_curve::rand_core::OsRng;

use crate::clock::now_ns;
use crate::engine;
use crate::stats::{ms, percentile};

/// How long one approval's pushes may take before the run fails.
const DEADLINE: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize)]
pub struct PushLatency {
    pub devices: usize,
    pub approvals: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Measures `approvals` approvals, each pushed to `devices` devices.
pub async fn run(devices: usize, approvals: usize) -> Result<PushLatency> {
    let receiver = Receiver::start().await?;
    let ca = receiver.ca_file.path().to_path_buf();
    let running = engine::start(move |config| config.push.extra_ca_file = Some(ca)).await?;
    let engine = &running.engine;
    for index in 0..devices {
        let created = engine
            .dispatch(
                &Caller::Local,
                "devices.create",
                Some(json!({ "name": format!("phone {index}") })),
            )
            .await
            .map_err(|error| anyhow::anyhow!("devices.create: {}", error.message))?;
        let device = Caller::Device {
            id: serde_json::from_value(created["device"]["id"].clone())?,
            name: format!("phone {index}"),
        };
        let key = SecretKey::random(&mut OsRng).public_key().to_sec1_bytes();
        let subscription = json!({
            "endpoint": format!("https://{}/phone/{index}", receiver.addr),
            "keys": { "p256dh": URL_SAFE_NO_PAD.encode(key), "auth": URL_SAFE_NO_PAD.encode([7u8; 16]) },
            "kinds": ["approval"],
        });
        engine
            .dispatch(&device, "push.subscribe", Some(subscription))
            .await
            .map_err(|error| anyhow::anyhow!("push.subscribe: {}", error.message))?;
    }
    let mut arrivals = receiver.arrivals;
    let mut latencies = Vec::with_capacity(devices * approvals);
    // The first approval is not counted: it reads the key and opens the connections.
    for round in 0..=approvals {
        let session = SessionInfo::new(
            format!("bench-push-{round}"),
            "bench".into(),
            None,
            "default".into(),
            0,
        );
        let moved = |status| {
            let session = SessionInfo {
                status,
                ..session.clone()
            };
            engine.announce(&AccountEvent::SessionUpdated(SessionSummary { session }));
        };
        moved(SessionStatus::Running);
        let asked = now_ns();
        moved(SessionStatus::AwaitingApproval);
        for _ in 0..devices {
            let arrived = tokio::time::timeout(DEADLINE, arrivals.recv())
                .await
                .context("a push did not arrive")?
                .context("the receiver stopped")?;
            if round > 0 {
                latencies.push(arrived.saturating_sub(asked));
            }
        }
    }
    running.stop().await;
    latencies.sort_unstable();
    Ok(PushLatency {
        devices,
        approvals,
        p50_ms: ms(percentile(&latencies, 0.5)),
        p99_ms: ms(percentile(&latencies, 0.99)),
        max_ms: ms(latencies.last().copied().unwrap_or_default()),
    })
}

/// A push service's front door: HTTPS on loopback, answering 201 and telling when each
/// request arrived.
struct Receiver {
    addr: std::net::SocketAddr,
    ca_file: tempfile::NamedTempFile,
    arrivals: mpsc::UnboundedReceiver<u64>,
}

impl Receiver {
    async fn start() -> Result<Self> {
        let ca_key = rcgen::KeyPair::generate()?;
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_certificate = ca.self_signed(&ca_key)?;
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let leaf_key = rcgen::KeyPair::generate()?;
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])?
            .signed_by(&leaf_key, &issuer)?;
        let ca_file = tempfile::NamedTempFile::new()?;
        std::fs::write(ca_file.path(), ca_certificate.pem())?;
        let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der())
            .map_err(anyhow::Error::msg)?;
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)?;
        let acceptor = TlsAcceptor::from(Arc::new(tls));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (sender, arrivals) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |_request| {
                        let _ = sender.send(now_ns());
                        async {
                            let mut answer = hyper::Response::new(String::new());
                            *answer.status_mut() = hyper::StatusCode::CREATED;
                            Ok::<_, std::convert::Infallible>(answer)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            ca_file,
            arrivals,
        })
    }
}
