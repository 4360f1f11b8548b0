//! The address a limit counts a peer as: all of loopback is one address (any local process
//! can pick from 127.0.0.0/8), an IPv6 peer counts by its /64 (the block one host or one
//! home network usually holds), and an IPv4-mapped IPv6 address as the IPv4 address.

use std::net::{IpAddr, Ipv4Addr};

/// The one address every loopback peer counts as.
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The address `address` counts as for limits.
pub fn counted_as(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        address if address.is_loopback() => LOOPBACK,
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_one_address_and_ipv6_counts_by_its_block() {
        let one = |text: &str| counted_as(text.parse().unwrap());
        for local in [
            "127.0.0.1",
            "127.0.0.2",
            "127.255.1.9",
            "::1",
            "::ffff:127.0.0.5",
        ] {
            assert_eq!(one(local), LOOPBACK, "{local}");
        }
        assert_eq!(one("2001:db8::1"), one("2001:db8::ffff:2"));
        assert_ne!(one("2001:db8::1"), one("2001:db8:0:1::1"));
        assert_eq!(one("::ffff:192.0.2.7"), one("192.0.2.7"));
        assert_ne!(one("192.0.2.7"), one("192.0.2.8"));
    }
}
