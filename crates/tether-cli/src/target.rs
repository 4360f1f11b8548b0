//! Where an engine is and how to reach it: `ws://` on this machine, `wss://` pinned to the
//! certificate fingerprint the desktop shows (LAN access), or `wss://`/`https://` at a public
//! URL whose certificate the system's authorities vouch for.

use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_tungstenite::tungstenite::http::Uri;

/// The largest HTTP answer read.
const MAX_ANSWER: u64 = 1 << 20;

/// Any byte stream to the engine: plain TCP, or TLS over it.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Transport for T {}

/// How the engine's certificate is checked.
#[derive(Debug, Clone)]
enum Trust {
    /// Plain `ws://`, on this machine only.
    None,
    /// The certificate whose fingerprint the desktop shows.
    Pinned(String),
    /// A certificate the system's authorities vouch for (a public URL).
    System,
}

/// Where the engine is, and how to reach it.
#[derive(Debug, Clone)]
pub struct Target {
    pub authority: String,
    host: String,
    trust: Trust,
}

impl Target {
    /// `ws://` or `http://` (this machine only), `wss://` or `https://`; with a
    /// `fingerprint`, the certificate must be the one it names.
    pub fn parse(url: &str, fingerprint: Option<String>) -> anyhow::Result<Self> {
        let uri: Uri = url
            .parse()
            .with_context(|| format!("{url:?} is not a URL"))?;
        let secure = match uri.scheme_str() {
            Some("ws" | "http") => false,
            Some("wss" | "https") => true,
            _ => bail!("the URL must start with ws://, wss://, http:// or https://"),
        };
        let host = uri.host().ok_or_else(|| anyhow!("the URL has no host"))?;
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if !secure && !is_loopback(&host) {
            bail!(
                "ws:// would send the token or signature in the clear, so it is only for this \
                 machine (127.0.0.1, ::1, localhost); use wss:// (with --fingerprint for LAN \
                 access) for {host}"
            );
        }
        let authority = match host.contains(':') {
            true => format!("[{host}]:{port}"),
            false => format!("{host}:{port}"),
        };
        let trust = match (secure, fingerprint) {
            (false, _) => Trust::None,
            (true, Some(fingerprint)) => Trust::Pinned(fingerprint),
            (true, None) => Trust::System,
        };
        Ok(Self {
            authority,
            host,
            trust,
        })
    }

    /// The WebSocket URL of `path` on the engine.
    pub fn ws(&self, path: &str) -> anyhow::Result<Uri> {
        let scheme = match self.trust {
            Trust::None => "ws",
            Trust::Pinned(_) | Trust::System => "wss",
        };
        Ok(format!("{scheme}://{}{path}", self.authority).parse()?)
    }

    /// A fresh connection, over TLS for wss://.
    pub async fn open(&self) -> anyhow::Result<Box<dyn Transport>> {
        let tcp = TcpStream::connect(&self.authority)
            .await
            .with_context(|| format!("cannot reach {}", self.authority))?;
        // Each line and each answer is a small write: send it at once.
        tcp.set_nodelay(true)?;
        let config = match &self.trust {
            Trust::None => return Ok(Box::new(tcp)),
            Trust::Pinned(fingerprint) => tether_server::lan::pinning::client_config(fingerprint),
            Trust::System => system_roots(),
        };
        let name = ServerName::try_from(self.host.clone())?;
        let tls = TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|error| anyhow!("TLS failed: {error}"))?;
        Ok(Box::new(tls))
    }

    /// POSTs `body` (JSON, or nothing) to `path` and returns the JSON answer.
    pub async fn post(&self, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let mut stream = self.open().await?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.authority,
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.take(MAX_ANSWER).read_to_end(&mut response).await?;
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

/// TLS trusting the system's certificate authorities (and `SSL_CERT_FILE`'s).
fn system_roots() -> tokio_rustls::rustls::ClientConfig {
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    let (added, _) =
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if added == 0 {
        tracing::warn!("no system certificate authorities found: public URLs will fail");
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"))
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// Whether `host` (brackets removed) names this machine's loopback interface.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
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
        let public = Target::parse("https://desk.tail0.ts.net", None).unwrap();
        assert_eq!(
            public.ws("/ws/machine").unwrap().to_string(),
            "wss://desk.tail0.ts.net:443/ws/machine"
        );
    }
}
