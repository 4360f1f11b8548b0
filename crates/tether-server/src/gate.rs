//! Host and Origin allowlists, checked on every HTTP and WebSocket request (DNS rebinding,
//! CSWSH). The loopback listener also takes the public URL's host and origin, exactly, while
//! one is set: that is where the user's proxy forwards it.

use std::net::SocketAddr;

use axum::http::HeaderValue;
use tokio::sync::watch;

use tether_engine::config::Config;
use tether_engine::remote::{Current, PublicUrl};
use tether_protocol::{ErrorCode, RpcError};

/// The addresses a request may name in `Host`, and the pages that may open a WebSocket.
#[derive(Debug, Clone)]
pub struct Gate {
    hosts: Vec<String>,
    port: u16,
    origins: Vec<String>,
    /// The public URL in force, on the listener the proxy forwards to.
    public: Option<watch::Receiver<Current>>,
}

/// A request let in through the public URL, with its origin: its WebSocket closes when that
/// URL is turned off or changed.
#[derive(Debug, Clone)]
pub struct ThroughPublicUrl(pub String);

impl Gate {
    /// The loopback listener's: the loopback names and the bound address over plain HTTP,
    /// the configured extras, on the listening port; and the public URL while one is set.
    pub fn loopback(config: &Config, local: SocketAddr, public: watch::Receiver<Current>) -> Self {
        let mut gate = Self::serving(config, local, &["127.0.0.1", "localhost", "::1"], "http");
        gate.public = Some(public);
        gate
    }

    /// The LAN listener's: its own address over HTTPS, and the configured extras.
    pub fn lan(config: &Config, local: SocketAddr) -> Self {
        Self::serving(config, local, &[], "https")
    }

    /// Checks `Host` and `Origin`; says whether the request came through the public URL.
    pub fn check(
        &self,
        host: Option<&HeaderValue>,
        origin: Option<&HeaderValue>,
    ) -> Result<Option<ThroughPublicUrl>, RpcError> {
        let public = self
            .public
            .as_ref()
            .and_then(|current| current.borrow().url.clone());
        let by_host = self.check_host(host, public.as_ref())?;
        let by_origin = self.check_origin(origin, public.as_ref())?;
        let through = public.filter(|_| by_host || by_origin);
        Ok(through.map(|url| ThroughPublicUrl(url.origin().to_owned())))
    }

    fn serving(config: &Config, local: SocketAddr, names: &[&str], scheme: &str) -> Self {
        let port = local.port();
        let mut hosts: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        hosts.push(local.ip().to_string());
        let origins_of = |host: &String| match host.parse::<std::net::Ipv6Addr>() {
            Ok(v6) => format!("{scheme}://[{v6}]:{port}"),
            Err(_) => format!("{scheme}://{host}:{port}"),
        };
        let mut origins: Vec<String> = hosts.iter().map(origins_of).collect();
        hosts.extend(
            config
                .allowed_hosts
                .iter()
                .map(|host| host.to_ascii_lowercase()),
        );
        hosts.sort();
        hosts.dedup();
        origins.extend(config.allowed_origins.iter().cloned());
        origins.sort();
        origins.dedup();
        Self {
            hosts,
            port,
            origins,
            public: None,
        }
    }

    /// Accepts a `Host` naming an allowed host on this server's port, or the public URL's
    /// host and port (then answers true).
    fn check_host(
        &self,
        host: Option<&HeaderValue>,
        public: Option<&PublicUrl>,
    ) -> Result<bool, RpcError> {
        let forbidden = |why: String| Err(RpcError::new(ErrorCode::ForbiddenHost, why));
        let Some(host) = host.and_then(|value| value.to_str().ok()) else {
            return forbidden("the request has no readable Host header".into());
        };
        let Some((name, port)) = split_host(host) else {
            return forbidden(format!("malformed Host header {host:?}"));
        };
        if public.is_some_and(|url| url.is_host(name, port)) {
            return Ok(true);
        }
        let port_ok = port.map_or(self.port == 80, |port| port == self.port);
        if !port_ok
            || !self
                .hosts
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(name))
        {
            return forbidden(format!(
                "Host {host:?} is not served here; add it to allowed_hosts to allow it"
            ));
        }
        Ok(false)
    }

    /// Accepts requests without `Origin` (native clients), exact allowlisted origins, and
    /// the public URL's (then answers true).
    fn check_origin(
        &self,
        origin: Option<&HeaderValue>,
        public: Option<&PublicUrl>,
    ) -> Result<bool, RpcError> {
        let Some(origin) = origin else {
            return Ok(false);
        };
        let origin = origin.to_str().unwrap_or_default();
        if public.is_some_and(|url| url.origin() == origin) {
            return Ok(true);
        }
        if self.origins.iter().any(|allowed| allowed == origin) {
            return Ok(false);
        }
        Err(RpcError::new(
            ErrorCode::ForbiddenOrigin,
            format!(
                "Origin {origin:?} may not use this server; add it to allowed_origins to allow it"
            ),
        ))
    }
}

/// Splits `name[:port]` or `[v6][:port]`; `None` when the port is not a number.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']')?;
        // Nothing but a port may follow the brackets.
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?),
        };
        (name, port)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let port = port.map(str::parse).transpose().ok()?;
    (!name.is_empty()).then_some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Gate {
        let config = Config {
            allowed_hosts: vec!["Tether.Local".into()],
            allowed_origins: vec!["https://app.example".into()],
            ..Config::default()
        };
        let (_, public) = watch::channel(Current::default());
        Gate::loopback(&config, "127.0.0.1:7410".parse().unwrap(), public)
    }

    fn header(value: &str) -> HeaderValue {
        HeaderValue::from_str(value).unwrap()
    }

    #[test]
    fn hosts_need_an_allowed_name_and_this_port() {
        let gate = gate();
        for ok in [
            "127.0.0.1:7410",
            "localhost:7410",
            "LOCALHOST:7410",
            "[::1]:7410",
            "tether.local:7410",
        ] {
            assert!(gate.check(Some(&header(ok)), None).is_ok(), "{ok}");
        }
        for bad in [
            "evil.example:7410",
            "127.0.0.1:80",
            "localhost",
            "127.0.0.1.evil.example:7410",
            "localhost:x",
            "[::1",
            "[::1]junk",
            "[::1]7410",
            ":7410",
            "",
        ] {
            let error = gate.check(Some(&header(bad)), None).unwrap_err();
            assert_eq!(error.code, ErrorCode::ForbiddenHost, "{bad}");
        }
        assert!(gate.check(None, None).is_err());
    }

    #[test]
    fn the_lan_gate_allows_only_its_own_address_over_https() {
        let gate = Gate::lan(&Config::default(), "192.0.2.5:7411".parse().unwrap());
        let lan = header("192.0.2.5:7411");
        assert!(gate.check(Some(&header("192.0.2.5:7411")), None).is_ok());
        for bad in [
            "localhost:7411",
            "127.0.0.1:7411",
            "192.0.2.5:7410",
            "evil.example:7411",
        ] {
            assert!(gate.check(Some(&header(bad)), None).is_err(), "{bad}");
        }
        assert!(
            gate.check(Some(&lan), Some(&header("https://192.0.2.5:7411")))
                .is_ok()
        );
        for bad in [
            "http://192.0.2.5:7411",
            "http://localhost:7411",
            "https://evil.example",
        ] {
            assert!(gate.check(Some(&lan), Some(&header(bad))).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins_are_matched_exactly() {
        let gate = gate();
        let host = header("127.0.0.1:7410");
        assert!(gate.check(Some(&host), None).is_ok());
        for ok in [
            "http://127.0.0.1:7410",
            "http://localhost:7410",
            "https://app.example",
        ] {
            assert!(gate.check(Some(&host), Some(&header(ok))).is_ok(), "{ok}");
        }
        for bad in [
            "http://evil.example",
            "http://localhost:7410.evil.example",
            "null",
            "https://app.example.evil",
            "http://localhost:7411",
        ] {
            assert_eq!(
                gate.check(Some(&host), Some(&header(bad)))
                    .unwrap_err()
                    .code,
                ErrorCode::ForbiddenOrigin,
                "{bad}"
            );
        }
    }

    #[test]
    fn the_public_url_is_let_in_exactly_while_it_is_set() {
        let config = Config::default();
        let (set, public) = watch::channel(Current::default());
        let gate = Gate::loopback(&config, "127.0.0.1:7410".parse().unwrap(), public);
        let proxied = header("desk.tail1234.ts.net");
        let page = header("https://desk.tail1234.ts.net");
        assert!(gate.check(Some(&proxied), None).is_err(), "not while unset");

        let url = PublicUrl::parse("https://desk.tail1234.ts.net").unwrap();
        set.send_replace(Current {
            url: Some(url),
            source: Some(tether_protocol::RemoteSource::Desktop),
        });
        let through = gate.check(Some(&proxied), Some(&page)).unwrap().unwrap();
        assert_eq!(through.0, "https://desk.tail1234.ts.net");
        assert!(
            gate.check(Some(&header("desk.tail1234.ts.net:443")), None)
                .unwrap()
                .is_some()
        );
        let direct = header("127.0.0.1:7410");
        assert!(
            gate.check(Some(&direct), None).unwrap().is_none(),
            "loopback stays direct"
        );
        for bad in [
            "desk.tail1234.ts.net:7410",
            "desk.tail1234.ts.net.evil.example",
            "other.tail1234.ts.net",
        ] {
            assert!(gate.check(Some(&header(bad)), None).is_err(), "{bad}");
        }
        for bad in [
            "http://desk.tail1234.ts.net",
            "https://desk.tail1234.ts.net:8443",
            "https://evil.example",
        ] {
            assert!(
                gate.check(Some(&proxied), Some(&header(bad))).is_err(),
                "{bad}"
            );
        }

        set.send_replace(Current::default());
        assert!(
            gate.check(Some(&proxied), Some(&page)).is_err(),
            "not once turned off"
        );
    }
}
