//! A push-service stand-in on loopback, as the fake Anthropic API stands in for Anthropic: it
//! serves HTTPS under a CA of its own (the engine trusts it through `push.extra_ca_file`), and
//! checks what a real push service checks: the VAPID JWT's ES256 signature against the
//! engine's public key, its audience and expiry, the TTL and encoding headers. It decrypts
//! each message with the subscription's private key, which the test made, using mozilla's
//! `ece` (an implementation independent of the engine's). An endpoint's path says how it
//! answers: `/ok/…` 201, `/gone/…` 410, `/busy/…` 429 with `Retry-After: 1` once, then 201,
//! `/hang/…` never.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a stand-in for tests fails loudly

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use web_push_native::p256::SecretKey;
use web_push_native::p256::elliptic_curve::rand_core::OsRng;

/// How long [`PushService::next`] waits for a push.
pub const WAIT: Duration = Duration::from_secs(30);

/// Each subscription's private key and auth secret, by endpoint path.
type Keys = Arc<Mutex<HashMap<String, (SecretKey, [u8; 16])>>>;

/// A browser's side of one subscription: its keys, kept by the test.
pub struct Browser {
    pub endpoint: String,
    secret: SecretKey,
    auth: [u8; 16],
}

impl Browser {
    /// What `PushSubscription.toJSON()` would give, for `push.subscribe`.
    pub fn subscription(&self, kinds: &[&str]) -> Value {
        serde_json::json!({
            "endpoint": self.endpoint,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(self.secret.public_key().to_sec1_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            },
            "kinds": kinds,
        })
    }
}

/// A push the stand-in took, decrypted.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub path: String,
    pub payload: Value,
    pub urgency: String,
    pub topic: String,
    /// What it answered.
    pub status: u16,
    /// When its request arrived (before it was read, checked and decrypted).
    pub arrived: Instant,
}

/// The running stand-in.
pub struct PushService {
    pub addr: SocketAddr,
    /// The CA its certificate is signed by, as a PEM file.
    pub ca_file: tempfile::NamedTempFile,
    browsers: Keys,
    /// The engine's VAPID public key, once the test knows it.
    vapid: Arc<Mutex<Option<String>>>,
    delivered: mpsc::UnboundedReceiver<Delivered>,
}

impl PushService {
    pub async fn start() -> Self {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_certificate = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let ca_file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(ca_file.path(), ca_certificate.pem()).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(tls));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (sender, delivered) = mpsc::unbounded_channel();
        let browsers: Keys = Arc::default();
        let vapid: Arc<Mutex<Option<String>>> = Arc::default();
        let state = State {
            browsers: Arc::clone(&browsers),
            vapid: Arc::clone(&vapid),
            sender,
            busy_once: Arc::default(),
        };
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, state) = (acceptor.clone(), state.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, std::convert::Infallible>(state.answer(request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            ca_file,
            browsers,
            vapid,
            delivered,
        }
    }

    /// A new browser subscribed at `/{behaviour}/{name}`.
    pub fn browser(&self, behaviour: &str, name: &str) -> Browser {
        let path = format!("/{behaviour}/{name}");
        let secret = SecretKey::random(&mut OsRng);
        let auth = rand::random::<[u8; 16]>();
        let browsers = &mut self.browsers.lock().unwrap();
        browsers.insert(path.clone(), (secret.clone(), auth));
        Browser {
            endpoint: format!("https://{}{path}", self.addr),
            secret,
            auth,
        }
    }

    /// The key pushes must be signed with (from `push.status`).
    pub fn expect_vapid(&self, key: &str) {
        *self.vapid.lock().unwrap() = Some(key.to_owned());
    }

    /// The next push taken (any answer), within [`WAIT`].
    pub async fn next(&mut self) -> Delivered {
        tokio::time::timeout(WAIT, self.delivered.recv())
            .await
            .expect("no push arrived in time")
            .expect("the stand-in stopped")
    }
}

#[derive(Clone)]
struct State {
    browsers: Keys,
    vapid: Arc<Mutex<Option<String>>>,
    sender: mpsc::UnboundedSender<Delivered>,
    busy_once: Arc<Mutex<std::collections::HashSet<String>>>,
}

impl State {
    async fn answer(&self, request: Request<hyper::body::Incoming>) -> Response<Body> {
        let arrived = Instant::now();
        let path = request.uri().path().to_owned();
        let behaviour = path.split('/').nth(1).unwrap_or_default().to_owned();
        if behaviour == "hang" {
            std::future::pending::<()>().await;
        }
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(Body::new(body), 1 << 20)
            .await
            .unwrap();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(parts.method, hyper::Method::POST);
        assert_eq!(header("content-encoding"), "aes128gcm");
        let ttl: u64 = header("ttl").parse().expect("a TTL header");
        assert!(ttl > 0, "a TTL");
        self.check_vapid(&header("authorization"));
        let (secret, auth) = self
            .browsers
            .lock()
            .unwrap()
            .get(&path)
            .cloned()
            .expect("a known subscription");
        let public = secret.public_key().to_sec1_bytes().to_vec();
        let components = ece::EcKeyComponents::new(secret.to_bytes().to_vec(), public);
        let plain = ece::decrypt(&components, &auth, &body).expect("the message decrypts");
        let status = match behaviour.as_str() {
            "gone" => 410,
            "busy" if self.busy_once.lock().unwrap().insert(path.clone()) => 429,
            _ => 201,
        };
        let _ = self.sender.send(Delivered {
            path,
            payload: serde_json::from_slice(&plain).expect("a JSON payload"),
            urgency: header("urgency"),
            topic: header("topic"),
            status,
            arrived,
        });
        let mut response = Response::builder().status(status);
        if status == 429 {
            response = response.header("retry-after", "1");
        }
        response.body(Body::empty()).unwrap()
    }

    /// `vapid t=<JWT>, k=<key>`: the key is the engine's, and the JWT is signed by it (ES256),
    /// for this service's origin, and expires within a day.
    fn check_vapid(&self, authorization: &str) {
        let params = authorization
            .strip_prefix("vapid ")
            .expect("a vapid Authorization");
        let fields: HashMap<&str, &str> = params
            .split(',')
            .filter_map(|field| field.trim().split_once('='))
            .collect();
        let key = fields["k"];
        if let Some(expected) = self.vapid.lock().unwrap().as_deref() {
            assert_eq!(key, expected, "signed with the engine's key");
        }
        let point = URL_SAFE_NO_PAD.decode(key).unwrap();
        assert_eq!(
            (point.len(), point[0]),
            (65, 4),
            "an uncompressed P-256 key"
        );
        let (x, y) = (
            URL_SAFE_NO_PAD.encode(&point[1..33]),
            URL_SAFE_NO_PAD.encode(&point[33..]),
        );
        let decoding = jsonwebtoken::DecodingKey::from_ec_components(&x, &y).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.set_audience(&["https://127.0.0.1"]);
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(fields["t"], &decoding, &validation)
            .expect("a valid VAPID JWT")
            .claims;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let expires = claims["exp"].as_u64().unwrap();
        assert!(expires > now && expires <= now + 24 * 60 * 60, "{claims}");
    }
}
