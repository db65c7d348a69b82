//! Which bucket a client counts in. IPv4 clients count per address; IPv6 clients per prefix
//! (`RATE_LIMIT_IPV6_PREFIX`, /64 by default), because anyone handed a /64 — the usual
//! allocation of one home or one VM — can pick a fresh address for every request, so per-address
//! counting would give them 2^64 buckets.

use std::net::{IpAddr, Ipv6Addr};

/// The length of the IPv6 prefix counted as one client: 1 to 128.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Prefix(u8);

impl Ipv6Prefix {
    /// One bucket per /64, the smallest network routinely given to one subscriber.
    pub const DEFAULT: Self = Self(64);

    /// `None` outside 1..=128: /0 would put every IPv6 client in one bucket.
    #[must_use]
    pub fn new(len: u8) -> Option<Self> {
        (1..=128).contains(&len).then_some(Self(len))
    }

    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }
}

impl Default for Ipv6Prefix {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The bucket of a client address, as written into `rl:<group>:<bucket>`. An IPv4-mapped IPv6
/// address (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers) is its IPv4 address,
/// so one IPv4 client has one bucket whichever way it connects.
#[must_use]
pub fn bucket(ip: IpAddr, prefix: Ipv6Prefix) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let mask = u128::MAX << (128 - u32::from(prefix.bits()));
            let network = Ipv6Addr::from(u128::from(v6) & mask);
            format!("{network}/{}", prefix.bits())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(ip: &str, len: u8) -> String {
        bucket(ip.parse().unwrap(), Ipv6Prefix::new(len).unwrap())
    }

    #[test]
    fn an_ipv4_client_is_its_own_bucket() {
        assert_eq!(of("203.0.113.9", 64), "203.0.113.9");
    }

    #[test]
    fn an_ipv4_mapped_address_is_the_ipv4_address() {
        assert_eq!(of("::ffff:203.0.113.9", 64), "203.0.113.9");
    }

    #[test]
    fn ipv6_addresses_in_one_64_share_its_bucket() {
        assert_eq!(of("2001:db8:1:2::1", 64), "2001:db8:1:2::/64");
        assert_eq!(
            of("2001:db8:1:2:ffff:ffff:ffff:ffff", 64),
            "2001:db8:1:2::/64"
        );
        assert_eq!(of("2001:db8:1:3::1", 64), "2001:db8:1:3::/64");
    }

    #[test]
    fn the_prefix_length_is_configurable_to_either_end() {
        assert_eq!(of("2001:db8:1:2::1", 48), "2001:db8:1::/48");
        assert_eq!(of("2001:db8:1:2::1", 128), "2001:db8:1:2::1/128");
        assert_eq!(of("2001:db8:1:2::1", 1), "::/1");
        assert_eq!(of("ffff::1", 1), "8000::/1");
    }

    #[test]
    fn prefixes_outside_1_to_128_are_refused() {
        assert_eq!(Ipv6Prefix::new(0), None);
        assert_eq!(Ipv6Prefix::new(129), None);
        assert_eq!(Ipv6Prefix::new(64).map(Ipv6Prefix::bits), Some(64));
    }
}
