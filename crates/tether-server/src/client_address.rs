//! The client's address behind a proxy, for a request that came through the public URL: the
//! one header the proxy sets (`X-Forwarded-For`, or `Forwarded` (RFC 7239) when configured),
//! read only when the TCP peer is a trusted proxy (`remote.trusted_proxies`), walked from the
//! right past the trusted hops. Anyone else's headers are ignored, and a chain that cannot be
//! read falls back to the TCP peer: a client can never pick the address it is counted as.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderName, header};
use ipnet::IpNet;

use tether_engine::config::ForwardedHeader;

/// The most hops read from the right of a chain.
const MAX_HOPS: usize = 16;

/// Who may name the client, and in which header.
pub struct Proxies<'a> {
    pub trusted: &'a [IpNet],
    pub header: ForwardedHeader,
}

/// The address the request counts as: the TCP peer's, or, when the peer is a trusted proxy,
/// the nearest untrusted hop its forwarding header names.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, proxies: &Proxies<'_>) -> IpAddr {
    let is_trusted = |address: &IpAddr| {
        let address = address.to_canonical();
        proxies.trusted.iter().any(|net| net.contains(&address))
    };
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(chain) = forwarded_chain(headers, proxies.header) else {
        return peer;
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
/// address, or `None` where a hop is unknown or obfuscated; `None` when the header is absent
/// or cannot be parsed at all.
fn forwarded_chain(headers: &HeaderMap, which: ForwardedHeader) -> Option<Vec<Option<IpAddr>>> {
    match which {
        ForwardedHeader::Forwarded => {
            let value = joined(headers, &header::FORWARDED)?;
            let hops: Result<Vec<_>, _> = rfc7239::parse(&value)
                .map(|hop| hop.map(|hop| hop.forwarded_for.and_then(|node| node.ip().copied())))
                .collect();
            hops.ok()
        }
        ForwardedHeader::XForwardedFor => {
            let value = joined(headers, &HeaderName::from_static("x-forwarded-for"))?;
            Some(value.split(',').map(|hop| parse_hop(hop.trim())).collect())
        }
    }
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

    fn count(
        peer: IpAddr,
        headers: &HeaderMap,
        trusted: &[IpNet],
        header: ForwardedHeader,
    ) -> IpAddr {
        client_address(peer, headers, &Proxies { trusted, header })
    }

    fn xff(peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        count(peer, headers, &loopback(), ForwardedHeader::XForwardedFor)
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
    fn a_trusted_proxy_names_the_client_in_the_header_it_sets() {
        let proxy = ip("127.0.0.1");
        let headers = with(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(xff(proxy, &headers), ip("203.0.113.9"));
        assert_eq!(xff(ip("::ffff:127.0.0.1"), &headers), ip("203.0.113.9"));
        let forwarded = with(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        let rfc = count(proxy, &forwarded, &loopback(), ForwardedHeader::Forwarded);
        assert_eq!(rfc, ip("2001:db8::7"));
        // The other header is what the client wrote, passed through: never read.
        let both = with(&[
            ("forwarded", "for=198.51.100.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(xff(proxy, &both), ip("203.0.113.9"));
        assert_eq!(xff(proxy, &forwarded), proxy);
        let only_xff = count(proxy, &headers, &loopback(), ForwardedHeader::Forwarded);
        assert_eq!(only_xff, proxy);
    }

    #[test]
    fn a_spoofed_left_end_does_not_count() {
        let proxy = ip("127.0.0.1");
        // The client wrote the first entry; the proxy appended what it saw.
        let spoofed = with(&[("x-forwarded-for", "192.0.2.1, 203.0.113.9")]);
        assert_eq!(xff(proxy, &spoofed), ip("203.0.113.9"));
        let lines = with(&[
            ("x-forwarded-for", "192.0.2.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(xff(proxy, &lines), ip("203.0.113.9"));
        // Two trusted hops: the one before them is the client.
        let chain = with(&[("x-forwarded-for", "192.0.2.1, 203.0.113.9, 127.0.0.2")]);
        assert_eq!(xff(proxy, &chain), ip("203.0.113.9"));
    }

    #[test]
    fn anyone_elses_headers_are_ignored() {
        let stranger = ip("192.0.2.50");
        let headers = with(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(xff(stranger, &headers), stranger);
        let untrusting = count(
            ip("127.0.0.1"),
            &headers,
            &[],
            ForwardedHeader::XForwardedFor,
        );
        assert_eq!(untrusting, ip("127.0.0.1"));
    }

    #[test]
    fn unreadable_chains_fall_back_to_the_peer() {
        let proxy = ip("127.0.0.1");
        for bad in ["not-an-address", "203.0.113.9, garbage", ""] {
            let headers = with(&[("x-forwarded-for", bad)]);
            assert_eq!(xff(proxy, &headers), proxy, "{bad:?}");
        }
        for bad in ["for=unknown", "for=\"[2001:db8::7"] {
            let headers = with(&[("forwarded", bad)]);
            let counted = count(proxy, &headers, &loopback(), ForwardedHeader::Forwarded);
            assert_eq!(counted, proxy, "{bad}");
        }
        // Only trusted hops named: the leftmost of them.
        let local = with(&[("x-forwarded-for", "127.0.0.5")]);
        assert_eq!(xff(proxy, &local), ip("127.0.0.5"));
    }
}
