//! The client's address behind a proxy: `Forwarded` (RFC 7239), else `X-Forwarded-For`, read
//! only when the TCP peer is a trusted proxy (`remote.trusted_proxies`), walked from the right
//! past the trusted hops. Anyone else's headers are ignored, and a chain that cannot be read
//! falls back to the TCP peer: a client can never pick the address it is counted as.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;

/// The most hops read from the right of a chain.
const MAX_HOPS: usize = 16;

/// The address the request counts as: the TCP peer's, or, when the peer is a trusted proxy,
/// the nearest untrusted hop its forwarding headers name.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| {
        let address = address.to_canonical();
        trusted.iter().any(|net| net.contains(&address))
    };
    if !is_trusted(&peer) {
        return peer;
    }
    let chain = match forwarded_chain(headers) {
        Some(chain) => chain,
        None => return peer,
    };
    let mut nearest = peer;
    for hop in chain.into_iter().rev().take(MAX_HOPS) {
        let Some(address) = hop else { return peer };
        nearest = address;
        if !is_trusted(&address) {
            break;
        }
    }
    nearest
}

/// The forwarding chain, leftmost (the client, as the first proxy saw it) first: each hop's
/// address, or `None` where a hop is unknown or obfuscated. `Forwarded` wins over
/// `X-Forwarded-For`; `None` when neither is there or one cannot be parsed at all.
fn forwarded_chain(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let forwarded = joined(headers, &axum::http::header::FORWARDED);
    if let Some(value) = forwarded {
        let hops: Result<Vec<_>, _> = rfc7239::parse(&value)
            .map(|hop| hop.map(|hop| hop.forwarded_for.and_then(|node| node.ip().copied())))
            .collect();
        return hops.ok();
    }
    let value = joined(headers, &HeaderName::from_static("x-forwarded-for"))?;
    Some(value.split(',').map(|hop| parse_hop(hop.trim())).collect())
}

/// Every value of `name`, in order, joined as one list; `None` when absent or not text.
fn joined(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let values: Option<Vec<&str>> = headers
        .get_all(name)
        .iter()
        .map(|value| value.to_str().ok())
        .collect();
    let values = values?;
    (!values.is_empty()).then(|| values.join(","))
}

/// An `X-Forwarded-For` entry: an address, with a port or in brackets as some proxies write.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn loopback() -> Vec<IpNet> {
        vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    fn with(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let proxy = ip("127.0.0.1");
        let xff = with(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_address(proxy, &xff, &loopback()), ip("203.0.113.9"));
        let forwarded = with(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(
            client_address(proxy, &forwarded, &loopback()),
            ip("2001:db8::7")
        );
        let both = with(&[
            ("forwarded", "for=198.51.100.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            client_address(proxy, &both, &loopback()),
            ip("198.51.100.1"),
            "Forwarded wins"
        );
        let v6_proxy = ip("::ffff:127.0.0.1");
        assert_eq!(
            client_address(v6_proxy, &xff, &loopback()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_spoofed_left_end_does_not_count() {
        let proxy = ip("127.0.0.1");
        // The client wrote the first entry; the proxy appended what it saw.
        let spoofed = with(&[("x-forwarded-for", "192.0.2.1, 203.0.113.9")]);
        assert_eq!(
            client_address(proxy, &spoofed, &loopback()),
            ip("203.0.113.9")
        );
        let lines = with(&[
            ("x-forwarded-for", "192.0.2.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            client_address(proxy, &lines, &loopback()),
            ip("203.0.113.9")
        );
        // Two trusted hops: the one before them is the client.
        let chain = with(&[("x-forwarded-for", "192.0.2.1, 203.0.113.9, 127.0.0.2")]);
        assert_eq!(
            client_address(proxy, &chain, &loopback()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn anyone_elses_headers_are_ignored() {
        let stranger = ip("192.0.2.50");
        let xff = with(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_address(stranger, &xff, &loopback()), stranger);
        assert_eq!(client_address(ip("127.0.0.1"), &xff, &[]), ip("127.0.0.1"));
    }

    #[test]
    fn unreadable_chains_fall_back_to_the_peer() {
        let proxy = ip("127.0.0.1");
        for bad in ["not-an-address", "203.0.113.9, garbage", ""] {
            let headers = with(&[("x-forwarded-for", bad)]);
            assert_eq!(
                client_address(proxy, &headers, &loopback()),
                proxy,
                "{bad:?}"
            );
        }
        let unknown = with(&[("forwarded", "for=unknown")]);
        assert_eq!(client_address(proxy, &unknown, &loopback()), proxy);
        let broken = with(&[("forwarded", "for=\"[2001:db8::7")]);
        assert_eq!(client_address(proxy, &broken, &loopback()), proxy);
        // Only trusted hops named: the leftmost of them.
        let local = with(&[("x-forwarded-for", "127.0.0.5")]);
        assert_eq!(client_address(proxy, &local, &loopback()), ip("127.0.0.5"));
    }
}
