//! Where an address is, from a local MaxMind DB file (`GEOIP_DATABASE`): the domain's
//! [`Geolocator`] port over the `maxminddb` reader. GeoIP2 and GeoLite2 City databases give the
//! country and the English city name; Country databases the country only. The file is read into
//! memory once at start-up; a lookup is a walk of its search tree, with no I/O.

use authd_domain::ports::{Geolocator, Location};
use maxminddb::Reader;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv6Addr};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The file cannot serve lookups: unreadable, or not a MaxMind DB.
#[derive(Debug, Error)]
#[error("{}: {reason}", path.display())]
pub struct GeoIpError {
    path: PathBuf,
    reason: String,
}

/// A MaxMind DB held in memory.
pub struct MaxMindGeolocator {
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for MaxMindGeolocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaxMindGeolocator")
            .field("database_type", &self.reader.metadata().database_type)
            .finish_non_exhaustive()
    }
}

impl MaxMindGeolocator {
    /// Reads the database at `path` and checks that it is one.
    ///
    /// # Errors
    /// [`GeoIpError`] naming the path and what is wrong with it.
    pub fn open(path: &Path) -> Result<Self, GeoIpError> {
        let failed = |reason: String| GeoIpError {
            path: path.to_owned(),
            reason,
        };
        let bytes =
            std::fs::read(path).map_err(|e| failed(format!("cannot read the file: {e}")))?;
        Self::from_bytes(bytes).map_err(failed)
    }

    /// A database already in memory; the reason it is not one otherwise.
    ///
    /// # Errors
    /// Why the bytes are not a MaxMind DB.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        let reader = Reader::from_source(bytes)
            .map_err(|e| format!("not a MaxMind DB (GeoIP2/GeoLite2 .mmdb) file: {e}"))?;
        Ok(Self { reader })
    }

    /// The `database_type` of the file's metadata (`GeoLite2-City`), for the start-up log.
    #[must_use]
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    fn record(&self, ip: IpAddr) -> Option<Record> {
        // An IPv6 address in an IPv4-only database, or a damaged record, is simply unknown.
        self.reader.lookup(ip).ok()?.decode::<Record>().ok()?
    }
}

impl Geolocator for MaxMindGeolocator {
    fn locate(&self, ip: &str) -> Option<Location> {
        let ip = public(ip.trim().parse::<IpAddr>().ok()?)?;
        let record = self.record(ip)?;
        let country = record
            .country
            .or(record.registered_country)
            .and_then(|c| c.iso_code)
            .filter(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))?;
        let city = record
            .city
            .and_then(|c| c.names.get("en").cloned())
            .filter(|name| !name.trim().is_empty());
        Some(Location {
            country: country.to_ascii_uppercase(),
            city,
        })
    }
}

/// The address if it can be on the public internet: private, loopback, link-local and other
/// local addresses have no place. An IPv4-mapped IPv6 address is looked up as IPv4.
fn public(ip: IpAddr) -> Option<IpAddr> {
    let local = match ip.to_canonical() {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                // 100.64.0.0/10, carrier-grade NAT.
                || (v4.octets()[0] == 100 && v4.octets()[1] & 0xc0 == 64)
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || is_unique_local(v6)
                || is_unicast_link_local(v6)
        }
    };
    (!local).then(|| ip.to_canonical())
}

/// fc00::/7.
fn is_unique_local(ip: Ipv6Addr) -> bool {
    ip.segments()[0] & 0xfe00 == 0xfc00
}

/// fe80::/10.
fn is_unicast_link_local(ip: Ipv6Addr) -> bool {
    ip.segments()[0] & 0xffc0 == 0xfe80
}

/// The fields of a City or Country record that a place needs; every other field is skipped,
/// and a field of an unexpected shape fails the decoding (the place is then unknown).
#[derive(Debug, Deserialize)]
struct Record {
    #[serde(default)]
    country: Option<Country>,
    #[serde(default)]
    registered_country: Option<Country>,
    #[serde(default)]
    city: Option<City>,
}

#[derive(Debug, Deserialize)]
struct Country {
    #[serde(default)]
    iso_code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct City {
    #[serde(default)]
    names: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses_have_no_place() {
        for local in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:192.168.1.1",
        ] {
            let ip: IpAddr = local.parse().unwrap_or_else(|e| panic!("{local}: {e}"));
            assert_eq!(public(ip), None, "{local}");
        }
    }

    #[test]
    fn public_addresses_are_kept_and_mapped_ones_read_as_ipv4() {
        let mapped: IpAddr = "::ffff:81.2.69.142"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let v4: IpAddr = "81.2.69.142".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(public(mapped), Some(v4));
        assert_eq!(public(v4), Some(v4));
    }
}
