//! The public URL: the trusted HTTPS origin a proxy on the user's own network serves the
//! engine at. Only an origin is accepted (`https://HOST[:PORT]`), so the Host and Origin a
//! browser sends through the proxy can be matched exactly.

use std::fmt;

use url::{Host, Url};

/// A checked public URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// The host, lowercase (an IPv6 address without brackets).
    host: String,
    /// The port browsers name in `Host`; 443 when the URL names none.
    port: u16,
    /// `https://HOST[:PORT]`, as browsers send it in `Origin`.
    origin: String,
}

/// Why a public URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicUrlError {
    #[error("{0:?} is not a URL ({1})")]
    Malformed(String, url::ParseError),
    #[error(
        "{0:?} must use https:// (browsers install the app and send notifications only on a trusted HTTPS origin)"
    )]
    NotHttps(String),
    #[error("{0:?} must not hold a user name or password")]
    Credentials(String),
    #[error(
        "{0:?} must be an origin only (https://HOST[:PORT]), without a path, query or fragment"
    )]
    NotAnOrigin(String),
    #[error("{0:?} names no host")]
    NoHost(String),
    #[error("{0:?} must not end its host with a dot (browsers send the name without it)")]
    TrailingDot(String),
}

impl PublicUrl {
    /// Checks `text`: `https://`, a host, an optional port, and nothing else (a trailing `/`
    /// is allowed).
    pub fn parse(text: &str) -> Result<Self, PublicUrlError> {
        let owned = || text.to_owned();
        let url =
            Url::parse(text.trim()).map_err(|error| PublicUrlError::Malformed(owned(), error))?;
        if url.scheme() != "https" {
            return Err(PublicUrlError::NotHttps(owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(PublicUrlError::Credentials(owned()));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(PublicUrlError::NotAnOrigin(owned()));
        }
        let host = match url.host() {
            Some(Host::Domain(name)) if name.ends_with('.') => {
                return Err(PublicUrlError::TrailingDot(owned()));
            }
            Some(Host::Domain(name)) => name.to_ascii_lowercase(),
            Some(Host::Ipv4(v4)) => v4.to_string(),
            Some(Host::Ipv6(v6)) => v6.to_string(),
            None => return Err(PublicUrlError::NoHost(owned())),
        };
        let port = url.port_or_known_default().unwrap_or(443);
        Ok(Self {
            origin: url.origin().ascii_serialization(),
            host,
            port,
        })
    }

    /// `https://HOST[:PORT]`, exactly as a browser sends it in `Origin`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Whether a `Host` header's name (an IPv6 address without its brackets) and port (none:
    /// the scheme's default) name this URL.
    pub fn is_host(&self, name: &str, port: Option<u16>) -> bool {
        port.unwrap_or(443) == self.port && name.eq_ignore_ascii_case(&self.host)
    }
}

impl fmt::Display for PublicUrl {
    /// The URL a device opens: the origin and `/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_origin_is_taken_and_matched_exactly() {
        let url = PublicUrl::parse("https://Desk.Tail1234.ts.net/").unwrap();
        assert_eq!(url.origin(), "https://desk.tail1234.ts.net");
        assert_eq!(url.to_string(), "https://desk.tail1234.ts.net/");
        assert!(url.is_host("desk.tail1234.ts.net", None));
        assert!(url.is_host("DESK.tail1234.ts.net", Some(443)));
        assert!(!url.is_host("desk.tail1234.ts.net", Some(8443)));
        assert!(!url.is_host("desk.tail1234.ts.net.evil", None));

        let ported = PublicUrl::parse("https://tether.example:8443").unwrap();
        assert_eq!(ported.origin(), "https://tether.example:8443");
        assert!(ported.is_host("tether.example", Some(8443)));
        assert!(!ported.is_host("tether.example", None));

        let v6 = PublicUrl::parse("https://[2001:db8::1]").unwrap();
        assert!(v6.is_host("2001:db8::1", None));
        assert!(!v6.is_host("[2001:db8::1]", None));
    }

    #[test]
    fn anything_but_an_https_origin_is_refused() {
        let refused = |text: &str| PublicUrl::parse(text).unwrap_err();
        assert!(matches!(
            refused("http://desk.example"),
            PublicUrlError::NotHttps(_)
        ));
        assert!(matches!(
            refused("wss://desk.example"),
            PublicUrlError::NotHttps(_)
        ));
        assert!(matches!(
            refused("https://me:pw@desk.example"),
            PublicUrlError::Credentials(_)
        ));
        assert!(matches!(
            refused("https://me@desk.example"),
            PublicUrlError::Credentials(_)
        ));
        for text in [
            "https://desk.example/tether",
            "https://desk.example/?a=1",
            "https://desk.example/#x",
        ] {
            assert!(
                matches!(refused(text), PublicUrlError::NotAnOrigin(_)),
                "{text}"
            );
        }
        assert!(matches!(
            refused("desk.example"),
            PublicUrlError::Malformed(..)
        ));
        assert!(matches!(refused(""), PublicUrlError::Malformed(..)));
        assert!(matches!(
            refused("https://desk.example./"),
            PublicUrlError::TrailingDot(_)
        ));
    }
}
