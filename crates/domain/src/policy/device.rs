//! What makes two logins "the same device" for sign-in alerts: the browser family, the OS
//! family and the network the address belongs to (an IPv4 /24, an IPv6 /48), so that a new
//! DHCP lease or a browser update is not a new device, while another browser, another machine
//! or another place is.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The network of `ip`: `203.0.113.0/24` for IPv4, `2001:db8:1::/48` for IPv6 (an IPv4-mapped
/// IPv6 address counts as its IPv4 address). `None` when `ip` is not an address.
#[must_use]
pub fn network(ip: &str) -> Option<String> {
    match ip.trim().parse::<IpAddr>().ok()?.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{}/24", Ipv4Addr::new(a, b, c, 0)))
        }
        IpAddr::V6(v6) => {
            let [a, b, c, ..] = v6.segments();
            Some(format!("{}/48", Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0)))
        }
    }
}

/// Who counts as one source of failed logins for credential-stuffing detection: an IPv4
/// address, or the /64 of an IPv6 one, since a single IPv6 host holds a whole /64 and could
/// otherwise spread its attempts over as many addresses as it likes (the rate limits group
/// IPv6 the same way). Text that is no address counts as itself.
#[must_use]
pub fn failure_source(ip: &str) -> String {
    match ip.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{}/64", Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
        Err(_) => ip.to_owned(),
    }
}

/// The text a device fingerprint is the digest of: `browser|os|network`, the network `-` when
/// the address is missing or not an address. Only its digest is ever stored.
#[must_use]
pub fn fingerprint_text(browser: &str, os: &str, ip: Option<&str>) -> String {
    let network = ip.and_then(network).unwrap_or_else(|| "-".to_owned());
    format!("{browser}|{os}|{network}")
}

/// The device as an alert names it: `Chrome on Windows`.
#[must_use]
pub fn device_label(browser: &str, os: &str) -> String {
    const UNKNOWN: &str = "Unknown";
    match (browser == UNKNOWN, os == UNKNOWN) {
        (true, true) => "An unknown device".to_owned(),
        (false, true) => browser.to_owned(),
        (true, false) => format!("A browser on {os}"),
        (false, false) => format!("{browser} on {os}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_host_counts_as_its_64_for_stuffing() {
        assert_eq!(failure_source("203.0.113.7"), "203.0.113.7");
        assert_eq!(failure_source("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(
            failure_source("2001:db8:1:2:aaaa::1"),
            failure_source("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            failure_source("2001:db8:1:2::1"),
            failure_source("2001:db8:1:3::1")
        );
        assert_eq!(failure_source("not an ip"), "not an ip");
    }

    #[test]
    fn an_ipv4_address_belongs_to_its_slash_24() {
        assert_eq!(network("203.0.113.77").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(network("203.0.113.1"), network("203.0.113.254"));
        assert_ne!(network("203.0.113.1"), network("203.0.114.1"));
    }

    #[test]
    fn an_ipv6_address_belongs_to_its_slash_48() {
        assert_eq!(
            network("2001:db8:1:2:3:4:5:6").as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(network("2001:db8:1:ffff::1"), network("2001:db8:1::9"));
        assert_ne!(network("2001:db8:1::1"), network("2001:db8:2::1"));
    }

    #[test]
    fn an_ipv4_mapped_address_is_its_ipv4_address() {
        assert_eq!(network("::ffff:203.0.113.9"), network("203.0.113.10"));
    }

    #[test]
    fn text_that_is_no_address_has_no_network() {
        for raw in ["", "unknown", "203.0.113", "203.0.113.1:443", "::g"] {
            assert_eq!(network(raw), None, "{raw}");
        }
    }

    #[test]
    fn the_fingerprint_joins_browser_os_and_network() {
        assert_eq!(
            fingerprint_text("Chrome", "Windows", Some("198.51.100.23")),
            "Chrome|Windows|198.51.100.0/24"
        );
        assert_eq!(
            fingerprint_text("Firefox", "Linux", None),
            "Firefox|Linux|-"
        );
        assert_eq!(
            fingerprint_text("Firefox", "Linux", Some("nonsense")),
            "Firefox|Linux|-"
        );
    }

    #[test]
    fn the_label_reads_browser_on_os() {
        assert_eq!(device_label("Chrome", "Windows"), "Chrome on Windows");
        assert_eq!(device_label("Safari", "Unknown"), "Safari");
        assert_eq!(device_label("Unknown", "iOS"), "A browser on iOS");
        assert_eq!(device_label("Unknown", "Unknown"), "An unknown device");
    }
}
