//! The HTTPS client pushes go out on: the system's certificate authorities, plus the ones
//! `push.extra_ca_file` names.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Why the client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("push.extra_ca_file {0}: {1}")]
    ExtraCa(String, String),
    #[error("the push client: {0}")]
    Build(#[from] reqwest::Error),
    #[error("the push client's TLS: {0}")]
    Tls(String),
}

/// A client trusting the system's authorities and `extra_ca_file`'s.
pub fn client(extra_ca_file: Option<&Path>) -> Result<reqwest::Client, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        tracing::warn!(
            "no system certificate authorities found: pushes to public services will fail"
        );
    }
    if let Some(file) = extra_ca_file {
        let shown = file.display().to_string();
        let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(file)
            .and_then(Iterator::collect)
            .map_err(|error| ClientError::ExtraCa(shown.clone(), error.to_string()))?;
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|error| ClientError::ExtraCa(shown.clone(), error.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| ClientError::Tls(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}
