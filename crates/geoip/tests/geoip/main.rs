//! `MaxMindGeolocator` over small databases written by the tests themselves (`mmdb`): what a
//! session's `location` shows for an address, and what start-up says about a bad file.

use authd_testkit::geoip as mmdb;

use authd_domain::ports::{Geolocator, Location};
use authd_geoip::MaxMindGeolocator;
use mmdb::Value;
use std::path::PathBuf;

/// Writes `bytes` to a file of its own and returns its path: one per call, since the tests
/// run in parallel threads of one process and would otherwise read each other's half-written
/// files.
fn file(name: &str, bytes: &[u8]) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("authd-geoip-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn open(name: &str, bytes: &[u8]) -> MaxMindGeolocator {
    MaxMindGeolocator::open(&file(name, bytes)).unwrap_or_else(|e| panic!("{e}"))
}

fn city_database() -> MaxMindGeolocator {
    open(
        "city.mmdb",
        &mmdb::database(
            "GeoLite2-City",
            &[
                ([81, 2, 69, 0], 24, mmdb::city("GB", "London")),
                ([175, 106, 0, 0], 16, mmdb::city("VN", "Hanoi")),
                ([89, 160, 20, 0], 24, mmdb::country("SE")),
                // A database that (wrongly) places a private network must not place it for us.
                ([10, 0, 0, 0], 8, mmdb::city("US", "Nowhere")),
                // Odd records: a country of the wrong shape, a country without a code.
                (
                    [1, 2, 3, 0],
                    24,
                    Value::Map(vec![("country", Value::Str("GB"))]),
                ),
                (
                    [1, 2, 4, 0],
                    24,
                    Value::Map(vec![(
                        "country",
                        Value::Map(vec![("geoname_id", Value::U32(7))]),
                    )]),
                ),
            ],
        ),
    )
}

fn place(country: &str, city: Option<&str>) -> Option<Location> {
    Some(Location {
        country: country.to_owned(),
        city: city.map(str::to_owned),
    })
}

#[test]
fn an_address_in_a_known_network_has_its_country_and_english_city_name() {
    let geo = city_database();

    assert_eq!(geo.locate("81.2.69.142"), place("GB", Some("London")));
    assert_eq!(geo.locate("175.106.33.7"), place("VN", Some("Hanoi")));
    assert_eq!(geo.database_type(), "GeoLite2-City");
}

#[test]
fn an_ipv4_mapped_ipv6_address_is_looked_up_as_ipv4() {
    assert_eq!(
        city_database().locate("::ffff:81.2.69.142"),
        place("GB", Some("London"))
    );
}

#[test]
fn a_record_without_a_city_gives_the_country_alone() {
    assert_eq!(city_database().locate("89.160.20.1"), place("SE", None));

    let countries = open(
        "country.mmdb",
        &mmdb::database(
            "GeoLite2-Country",
            &[([81, 2, 69, 0], 24, mmdb::country("GB"))],
        ),
    );
    assert_eq!(countries.locate("81.2.69.200"), place("GB", None));
    assert_eq!(countries.locate("81.2.70.1"), None);
}

#[test]
fn unknown_private_and_malformed_addresses_have_no_place() {
    let geo = city_database();
    for address in [
        "8.8.8.8",
        "81.2.70.1",
        "10.1.2.3",
        "127.0.0.1",
        "::1",
        "2001:db8::1",
        "not an address",
        "",
        "81.2.69.142/24",
    ] {
        assert_eq!(geo.locate(address), None, "{address:?}");
    }
}

#[test]
fn odd_records_give_no_place_rather_than_a_panic() {
    let geo = city_database();
    assert_eq!(geo.locate("1.2.3.4"), None);
    assert_eq!(geo.locate("1.2.4.4"), None);
}

#[test]
fn a_file_that_is_no_maxmind_database_is_refused_with_its_path() {
    let path = file("garbage.mmdb", b"this is not a database, just some text\n");

    let error = MaxMindGeolocator::open(&path)
        .err()
        .unwrap_or_else(|| panic!("garbage was accepted"))
        .to_string();

    assert!(error.contains(&path.display().to_string()), "{error}");
    assert!(error.contains("not a MaxMind DB"), "{error}");
    assert!(!error.contains('\n'), "one line: {error}");
}

#[test]
fn a_missing_file_is_refused_saying_it_cannot_be_read() {
    let path = std::env::temp_dir().join("authd-geoip-no-such-file.mmdb");

    let error = MaxMindGeolocator::open(&path)
        .err()
        .unwrap_or_else(|| panic!("a missing file was accepted"))
        .to_string();

    assert!(error.contains("cannot read"), "{error}");
    assert!(error.contains("authd-geoip-no-such-file.mmdb"), "{error}");
}
